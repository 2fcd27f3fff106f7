//! The profile's query pairs added to the URL's own, encoded as `encodeURIComponent` (and so
//! the platform the profiles come from) encodes them, with the optional `key[0]` array form.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use url::Url;

/// What `encodeURIComponent` (and so the `qs` library) leaves alone.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Appends `extra` to the URL's own query; with `arrays`, a repeated key becomes `key[0]`, `key[1]`, ...
pub fn apply_query(url: &mut Url, extra: &[(String, String)], arrays: bool) {
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    pairs.extend(extra.iter().cloned());
    if pairs.is_empty() {
        url.set_query(None);
        return;
    }
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for (k, _) in &pairs {
        match seen.iter_mut().find(|(s, _)| s == k) {
            Some(entry) => entry.1 += 1,
            None => seen.push((k, 1)),
        }
    }
    let count = |k: &str| seen.iter().find(|(s, _)| *s == k).map_or(0, |e| e.1);
    let mut index: Vec<(String, usize)> = Vec::new();
    let mut parts = Vec::with_capacity(pairs.len());
    for (k, v) in &pairs {
        let key = if arrays && count(k) > 1 {
            let i = match index.iter_mut().find(|(s, _)| s == k) {
                Some(e) => {
                    e.1 += 1;
                    e.1
                }
                None => {
                    index.push((k.clone(), 0));
                    0
                }
            };
            format!("{k}[{i}]")
        } else {
            k.clone()
        };
        parts.push(format!(
            "{}={}",
            utf8_percent_encode(&key, COMPONENT),
            utf8_percent_encode(v, COMPONENT)
        ));
    }
    url.set_query(Some(&parts.join("&")));
}
