//! Keeps secrets out of history: sensitive headers, redacted query and form keys, and their values anywhere.

use std::borrow::Cow;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use percent_encoding::utf8_percent_encode;

use crate::request::prepare::{PreparedBody, PreparedRequest};
use crate::request::profile::{HeaderValues, Profile};

pub const REDACTED: &str = "<redacted>";

/// Headers whose values never reach history, whatever the profile says.
pub const ALWAYS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Shorter values are not scrubbed from free text: they would match ordinary words and numbers.
const MIN_SECRET_LEN: usize = 4;

/// The secret names of one send and the secret values seen in it.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    names: Vec<String>,
    secrets: Vec<String>,
    /// Built from `secrets` on first use; reset when one is added.
    matcher: OnceLock<Option<AhoCorasick>>,
}

impl Redactor {
    /// Names: the four sensitive headers plus the profile's `redact` keys; values: what the request carries under them.
    pub fn for_request(req: &PreparedRequest) -> Redactor {
        let mut r = Redactor {
            names: ALWAYS.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        r.names
            .extend(req.redact.iter().map(|n| n.to_ascii_lowercase()));
        for s in &req.secrets {
            r.add_secret(s);
        }
        for (k, v) in &req.headers {
            if r.is_secret(k) {
                r.add_header_value(k, v);
            }
        }
        r.add_query_values(&req.url);
        match &req.body {
            PreparedBody::Bytes { data, .. } => {
                if data.contains('=') && !data.contains('\n') {
                    for (k, v) in url::form_urlencoded::parse(data.as_bytes()) {
                        if r.is_secret(&k) {
                            r.add_secret(&v);
                        }
                    }
                }
            }
            PreparedBody::Multipart { parts } => {
                for part in parts {
                    if let crate::request::prepare::PreparedPart::Text { name, text } = part
                        && r.is_secret(name)
                    {
                        r.add_secret(text);
                    }
                }
            }
            PreparedBody::None => {}
        }
        r
    }

    pub fn is_secret(&self, name: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        self.names.contains(&lower)
    }

    /// Cookie values set by a response are secrets too (they come back in later requests).
    pub fn learn_response(&mut self, headers: &[(String, String)]) {
        for (k, v) in headers {
            if self.is_secret(k) {
                self.add_header_value(k, v);
            }
        }
    }

    fn add_header_value(&mut self, name: &str, value: &str) {
        self.add_secret(value);
        let lower = name.to_ascii_lowercase();
        if lower.ends_with("authorization") {
            // "Bearer abc": the credential after the scheme is the secret.
            if let Some((_, cred)) = value.split_once(' ') {
                self.add_secret(cred.trim());
            }
        } else if lower == "cookie" || lower == "set-cookie" {
            let pairs = if lower == "cookie" {
                value.split(';').collect::<Vec<_>>()
            } else {
                value.split(';').take(1).collect()
            };
            for pair in pairs {
                if let Some((_, v)) = pair.split_once('=') {
                    self.add_secret(v.trim());
                }
            }
        }
    }

    fn add_query_values(&mut self, url: &str) {
        let Ok(parsed) = url::Url::parse(url) else {
            return;
        };
        for (k, v) in parsed.query_pairs() {
            let key = k.trim_end_matches("[]");
            if self.is_secret(key) {
                self.add_secret(&v);
            }
        }
    }

    fn add_secret(&mut self, value: &str) {
        if value.len() < MIN_SECRET_LEN || value == REDACTED {
            return;
        }
        let encoded = utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC).to_string();
        for v in [value.to_string(), encoded] {
            if !self.secrets.contains(&v) {
                self.secrets.push(v);
            }
        }
        self.matcher = OnceLock::new();
    }

    pub fn headers(&self, headers: &[(String, String)]) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(k, v)| {
                let v = if self.is_secret(k) {
                    REDACTED.to_string()
                } else {
                    self.text(v).into_owned()
                };
                (k.clone(), v)
            })
            .collect()
    }

    /// The URL with the values of redacted query keys, and a password in its userinfo, replaced.
    pub fn url(&self, url: &str) -> String {
        let Ok(mut parsed) = url::Url::parse(url) else {
            return self.text(&userinfo_hidden(url)).into_owned();
        };
        if parsed.password().is_some() {
            let _ = parsed.set_password(Some(PASSWORD_MARK));
            let shown = shown_password(parsed.as_str());
            return self.url_query(&shown, parsed);
        }
        self.url_query(url, parsed)
    }

    fn url_query(&self, url: &str, mut parsed: url::Url) -> String {
        if parsed.query().is_none() {
            return url.to_string();
        }
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                // An empty value hides nothing: it stays empty.
                let v = if self.is_secret(k.trim_end_matches("[]")) && !v.is_empty() {
                    REDACTED.to_string()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        if pairs
            .iter()
            .all(|(k, v)| v != REDACTED || !self.is_secret(k.trim_end_matches("[]")))
        {
            return self.text(url).into_owned();
        }
        parsed.query_pairs_mut().clear().extend_pairs(&pairs);
        self.text(&shown_password(parsed.as_str())).into_owned()
    }

    /// Redirect hops with redacted query values in their URLs and locations.
    pub fn hops(&self, hops: &mut [crate::exchange::Hop]) {
        for hop in hops {
            hop.url = self.url(&hop.url);
            hop.location = self.url(&hop.location);
        }
    }

    /// Free text with every known secret value replaced.
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        match self.bytes(text.as_bytes()) {
            Cow::Borrowed(_) => Cow::Borrowed(text),
            // Whole UTF-8 secrets replaced by ASCII inside UTF-8 text leave UTF-8.
            Cow::Owned(b) => Cow::Owned(String::from_utf8_lossy(&b).into_owned()),
        }
    }

    /// Bytes (a body) with every known secret value replaced, in one pass over them.
    pub fn bytes<'a>(&self, body: &'a [u8]) -> Cow<'a, [u8]> {
        let Some(ac) = self.matcher() else {
            return Cow::Borrowed(body);
        };
        if ac.find(body).is_none() {
            return Cow::Borrowed(body);
        }
        let mut out = Vec::with_capacity(body.len());
        ac.replace_all_with_bytes(body, &mut out, |_, _, dst| {
            dst.extend_from_slice(REDACTED.as_bytes());
            true
        });
        Cow::Owned(out)
    }

    /// Every secret at once, the longest where two start at the same place.
    fn matcher(&self) -> Option<&AhoCorasick> {
        if self.secrets.is_empty() {
            return None;
        }
        self.matcher
            .get_or_init(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&self.secrets)
                    .ok()
            })
            .as_ref()
    }

    /// A copy of the profile safe to store: secret header values and query/form values replaced,
    /// except `${...}` templates, which name where the secret lives rather than holding it.
    pub fn profile(&self, p: &Profile) -> Profile {
        let mut p = p.clone();
        let hide = |v: &mut String| {
            if !v.contains("${") {
                *v = REDACTED.to_string();
            }
        };
        // Known secret values are scrubbed wherever they stand (a captured token may also be
        // a value the profile sends under an ordinary name).
        let scrub = |v: &mut String| *v = self.text(v).into_owned();
        for (name, values) in p.headers.iter_mut() {
            let secret = self.is_secret(name);
            let each = |v: &mut String| if secret { hide(v) } else { scrub(v) };
            match values {
                HeaderValues::One(v) => each(v),
                HeaderValues::Many(vs) => vs.iter_mut().for_each(each),
            }
        }
        for (k, v) in p.query.iter_mut().chain(p.body.fields.iter_mut()) {
            if self.is_secret(k) {
                hide(v);
            } else {
                scrub(v);
            }
        }
        for part in p.body.parts.iter_mut() {
            if let Some(t) = part.text.as_mut() {
                if self.is_secret(&part.name) {
                    hide(t);
                } else {
                    scrub(t);
                }
            }
        }
        if let Some(t) = p.body.text.as_mut() {
            *t = self.text(t).into_owned();
        }
        p.url = self.url(&p.url);
        if let Some(proxy) = p.options.proxy.as_mut() {
            *proxy = self.url(proxy);
        }
        p
    }
}

/// What a hidden userinfo password is set to inside a parsed URL before it is shown as REDACTED.
const PASSWORD_MARK: &str = "CERTBENCH-REDACTED";

fn shown_password(url: &str) -> String {
    url.replacen(&format!(":{PASSWORD_MARK}@"), &format!(":{REDACTED}@"), 1)
}

/// `scheme://user:pass@host...` with the password replaced, for text that is not a parsable
/// URL (a profile's URL with `${...}` in it).
fn userinfo_hidden(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_end).unwrap_or_default();
    match authority.rsplit_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') && !userinfo.contains("${") => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!(
                "{scheme}://{user}:{REDACTED}@{host}{}",
                rest.get(authority_end..).unwrap_or_default()
            )
        }
        _ => url.to_string(),
    }
}

/// Brings back the values history replaced, from the live profile of the same name, so a re-run sends them.
pub fn restore(stored: &Profile, live: Option<&Profile>) -> Profile {
    let mut p = stored.clone();
    let Some(live) = live else {
        return p;
    };
    for (name, values) in p.headers.iter_mut() {
        if values.values().contains(&REDACTED)
            && let Some(v) = live.headers.get(name)
        {
            *values = v.clone();
        }
    }
    let fill = |pairs: &mut Vec<(String, String)>, from: &[(String, String)]| {
        for (k, v) in pairs.iter_mut() {
            if v == REDACTED
                && let Some((_, lv)) = from.iter().find(|(lk, _)| lk == k)
            {
                *v = lv.clone();
            }
        }
    };
    fill(&mut p.query, &live.query);
    fill(&mut p.body.fields, &live.body.fields);
    if p.url.contains(REDACTED) || p.url.contains("%3Credacted%3E") {
        p.url = live.url.clone();
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(&str, &str)], url: &str, redact: &[&str]) -> PreparedRequest {
        let profile = Profile {
            url: url.into(),
            redact: redact.iter().map(|s| s.to_string()).collect(),
            ..Profile::from_toml("", std::path::Path::new("t.toml")).expect("empty profile")
        };
        let mut r =
            crate::request::prepare::prepare(&profile, &Default::default()).expect("prepare");
        r.headers = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        r
    }

    #[test]
    fn headers_query_and_free_text_are_scrubbed() {
        let r = req(
            &[
                ("Authorization", "Bearer s3cr3t-token"),
                ("X-Api-Key", "key-123456"),
                ("Accept", "*/*"),
            ],
            "https://h/x?api_key=abcdef&page=2",
            &["x-api-key", "api_key"],
        );
        let red = Redactor::for_request(&r);
        let h = red.headers(&r.headers);
        assert_eq!(h[0].1, REDACTED);
        assert_eq!(h[1].1, REDACTED);
        assert_eq!(h[2].1, "*/*");
        let u = red.url(&r.url);
        assert!(!u.contains("abcdef"), "{u}");
        assert!(u.contains("page=2"), "{u}");
        let body = br#"{"headers":{"authorization":"Bearer s3cr3t-token"},"q":"abcdef"}"#;
        let scrubbed = red.bytes(body);
        let s = String::from_utf8_lossy(&scrubbed);
        assert!(!s.contains("s3cr3t") && !s.contains("abcdef"), "{s}");
    }

    #[test]
    fn profile_copy_keeps_templates_and_restore_brings_values_back() {
        let mut p = Profile::from_toml(
            "url = \"https://h/\"\n[headers]\nAuthorization = \"Bearer literal-secret\"\nX-Token = \"${env:TOKEN}\"\n",
            std::path::Path::new("p.toml"),
        )
        .expect("profile");
        p.redact = vec!["x-token".into()];
        let r = crate::request::prepare::prepare(&p, &Default::default());
        let red = match r {
            Ok(r) => Redactor::for_request(&r),
            Err(_) => Redactor {
                names: vec!["authorization".into(), "x-token".into()],
                ..Default::default()
            },
        };
        let stored = red.profile(&p);
        assert_eq!(
            stored.headers["Authorization"],
            HeaderValues::One(REDACTED.into())
        );
        assert_eq!(
            stored.headers["X-Token"],
            HeaderValues::One("${env:TOKEN}".into())
        );
        let back = restore(&stored, Some(&p));
        assert_eq!(back.headers["Authorization"], p.headers["Authorization"]);
    }
}
