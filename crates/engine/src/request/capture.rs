//! Captures: session variables taken from a response (`[capture]` in a profile), by JSON path,
//! header or regex, secret unless said otherwise; and the session that holds them.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::exchange::Exchange;
use crate::request::vars::Vars;

/// Where one captured value comes from: exactly one of `json`, `header` or `regex`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    /// A JSON path (RFC 9535) into the body, e.g. `$.access_token`; the first match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<String>,
    /// A response header, any case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// A regex over the body; its first group, else the whole match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// Redacted in history and `-v` unless `secret = false`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub secret: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl Capture {
    /// The spec's own problems: not exactly one source, or a path or regex that does not parse.
    pub fn check(&self, name: &str) -> Result<(), BadCapture> {
        let sources = [&self.json, &self.header, &self.regex]
            .iter()
            .filter(|s| s.is_some())
            .count();
        if sources != 1 {
            return Err(BadCapture::NotOneSource {
                name: name.to_string(),
            });
        }
        if let Some(p) = &self.json {
            serde_json_path::JsonPath::parse(p).map_err(|e| BadCapture::Path {
                name: name.to_string(),
                path: p.clone(),
                reason: e.to_string(),
            })?;
        }
        if let Some(r) = &self.regex {
            compile(r).map_err(|e| BadCapture::Regex {
                name: name.to_string(),
                regex: r.clone(),
                reason: e.to_string(),
            })?;
        }
        Ok(())
    }

    /// The value in this response, or why there is none.
    pub fn take(&self, ex: &Exchange) -> Result<String, Missed> {
        if let Some(path) = &self.json {
            if ex.body.len() > JSON_CAPTURE_LIMIT {
                return Err(Missed::BodyTooLarge {
                    size: ex.body.len(),
                });
            }
            let body: serde_json::Value = serde_json::from_slice(&ex.body)
                .map_err(|_| Missed::NotJson { path: path.clone() })?;
            let query = serde_json_path::JsonPath::parse(path).map_err(|e| Missed::BadPath {
                path: path.clone(),
                reason: e.to_string(),
            })?;
            return match query.query(&body).first() {
                Some(serde_json::Value::String(s)) => Ok(s.clone()),
                Some(v) => Ok(v.to_string()),
                None => Err(Missed::PathFindsNothing { path: path.clone() }),
            };
        }
        if let Some(name) = &self.header {
            return crate::headers::get(&ex.headers, name)
                .map(str::to_string)
                .ok_or_else(|| Missed::NoHeader { name: name.clone() });
        }
        if let Some(r) = &self.regex {
            let re = compile(r).map_err(|e| Missed::BadRegex {
                regex: r.clone(),
                reason: e.to_string(),
            })?;
            let text = String::from_utf8_lossy(&ex.body);
            let caps = re
                .captures(&text)
                .ok_or_else(|| Missed::RegexFindsNothing { regex: r.clone() })?;
            return Ok(caps
                .get(1)
                .or_else(|| caps.get(0))
                .map(|m| m.as_str().to_string())
                .unwrap_or_default());
        }
        Err(Missed::NoSource)
    }
}

/// A capture that cannot be used, named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadCapture {
    #[error(
        "capture {name}: give exactly one of json = \"$.path\", header = \"Name\" or regex = \"...\""
    )]
    NotOneSource { name: String },
    #[error("capture {name}: JSON path {path:?} does not parse: {reason}")]
    Path {
        name: String,
        path: String,
        reason: String,
    },
    #[error("capture {name}: regex {regex:?} does not compile: {reason}")]
    Regex {
        name: String,
        regex: String,
        reason: String,
    },
}

/// Why a capture found no value in a response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Missed {
    #[error("the body is {size} bytes; JSON captures read bodies of at most {} MiB", JSON_CAPTURE_LIMIT >> 20)]
    BodyTooLarge { size: usize },
    #[error("the body is not JSON, so {path} finds nothing")]
    NotJson { path: String },
    #[error("JSON path {path:?} does not parse: {reason}")]
    BadPath { path: String, reason: String },
    #[error("{path} matches nothing in the body")]
    PathFindsNothing { path: String },
    #[error("the response has no {name} header")]
    NoHeader { name: String },
    #[error("regex {regex:?} does not compile: {reason}")]
    BadRegex { regex: String, reason: String },
    #[error("regex {regex:?} does not match the body")]
    RegexFindsNothing { regex: String },
    #[error("the capture names no source")]
    NoSource,
    #[error("the capture did not finish within the timeout")]
    TimedOut,
}

/// The largest body a JSON capture parses: a parsed document costs several times its text.
pub const JSON_CAPTURE_LIMIT: usize = 16 << 20;

/// The most memory a capture's compiled regex may take: `[\w\W]{10000}` and the like are
/// refused when the profile is read, instead of compiling for minutes.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A capture's regex, compiled within bounds (the `regex` crate then matches in time linear in
/// the body).
fn compile(r: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(r)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// Each capture's value in `ex`, or why it has none; pure, so it can run off the async workers.
pub fn take_all(
    captures: &IndexMap<String, Capture>,
    ex: &Exchange,
) -> Vec<(String, Result<String, Missed>)> {
    captures
        .iter()
        .map(|(name, spec)| (name.clone(), spec.take(ex)))
        .collect()
}

/// The session's captured variables: set by captures, read by `${name}`, kept in memory only.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Session {
    values: BTreeMap<String, Captured>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Captured {
    pub value: String,
    pub secret: bool,
    /// The profile whose response it came from.
    pub from: String,
}

impl Session {
    pub fn get(&self, name: &str) -> Option<&Captured> {
        self.values.get(name)
    }

    pub fn is_set(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    pub fn clear(&mut self) {
        self.values.clear();
    }

    /// Every captured variable, sorted by name.
    pub fn list(&self) -> Vec<(&str, &Captured)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v)).collect()
    }

    /// Adds the captured values below what is already set (`--var` wins).
    pub fn add_vars(&self, vars: &mut Vars) {
        for (k, c) in &self.values {
            vars.set_default(k, &c.value);
        }
    }

    /// The secret values, for redaction.
    pub fn secrets(&self) -> Vec<String> {
        self.values
            .values()
            .filter(|c| c.secret)
            .map(|c| c.value.clone())
            .collect()
    }

    /// Runs a profile's captures on its response; returns the names it could not set, and why.
    pub fn capture(
        &mut self,
        profile: &str,
        captures: &IndexMap<String, Capture>,
        ex: &Exchange,
    ) -> Vec<(String, Missed)> {
        self.record(profile, captures, take_all(captures, ex))
    }

    /// Keeps the values `take_all` found; returns the names it could not set, and why.
    pub fn record(
        &mut self,
        profile: &str,
        captures: &IndexMap<String, Capture>,
        found: Vec<(String, Result<String, Missed>)>,
    ) -> Vec<(String, Missed)> {
        let mut missed = Vec::new();
        for (name, result) in found {
            match result {
                Ok(value) => {
                    let secret = captures.get(&name).is_none_or(|c| c.secret);
                    self.values.insert(
                        name,
                        Captured {
                            value,
                            secret,
                            from: profile.to_string(),
                        },
                    );
                }
                Err(why) => missed.push((name, why)),
            }
        }
        missed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(body: &str, headers: &[(&str, &str)]) -> Exchange {
        Exchange {
            body: bytes::Bytes::from(body.to_string()),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Exchange::default()
        }
    }

    #[test]
    fn captures_take_json_headers_and_regex_groups() {
        let caps: IndexMap<String, Capture> = toml::from_str(
            "token = { json = \"$.access_token\" }\nnext = { header = \"location\", secret = false }\norder = { regex = \"id=(\\\\d+)\" }\ncount = { json = \"$.items.length\" }\n",
        )
        .unwrap();
        for (n, c) in &caps {
            c.check(n).unwrap();
        }
        let mut s = Session::default();
        let missed = s.capture(
            "get-token",
            &caps,
            &ex(
                r#"{"access_token":"t0k3n","items":[1,2],"see":"id=42"}"#,
                &[("Location", "/orders/42")],
            ),
        );
        assert_eq!(s.get("token").unwrap().value, "t0k3n");
        assert!(s.get("token").unwrap().secret);
        assert_eq!(s.get("next").unwrap().value, "/orders/42");
        assert!(!s.get("next").unwrap().secret);
        assert_eq!(s.get("order").unwrap().value, "42");
        assert_eq!(missed.len(), 1, "{missed:?}");
        assert_eq!(missed[0].0, "count");
        assert_eq!(s.secrets(), vec!["42".to_string(), "t0k3n".to_string()]);
        let bad = Capture {
            json: Some("$.a".into()),
            header: Some("x".into()),
            regex: None,
            secret: true,
        };
        assert!(bad.check("x").is_err());
    }
}
