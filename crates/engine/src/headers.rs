//! Header lists as (name, value) pairs, in the order sent or received: lookup by name, any case.

/// The first value of header `name`.
pub fn get<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Whether the list has header `name`.
pub fn has(headers: &[(String, String)], name: &str) -> bool {
    get(headers, name).is_some()
}

/// A header map as name and value pairs, in order; a value that is not UTF-8 is read lossily.
pub fn pairs(map: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}
