//! A HAR 1.2 file (what a browser's developer tools save): each entry's request as a profile.
//! A HAR holds no certificates; its cookies and credentials are secrets, never stored as they
//! are: they become `${env:NAME}` references the report lists.

use serde_json::Value;

use crate::interop::collection::{Collection, file_safe};
use crate::request::profile::{Body, BodyType, Part, Profile};

/// Whether `v` is a HAR log.
pub fn is_har(v: &Value) -> bool {
    v.pointer("/log/entries").is_some_and(Value::is_array)
        && v.pointer("/log/version").is_some_and(Value::is_string)
}

/// Headers a browser sets for the connection, or HTTP/2's pseudo-headers: not the request's.
fn connection_header(name: &str) -> bool {
    name.starts_with(':')
        || matches!(
            name.to_ascii_lowercase().as_str(),
            "host"
                | "content-length"
                | "connection"
                | "accept-encoding"
                | "transfer-encoding"
                | "keep-alive"
                | "upgrade"
        )
}

/// Headers whose values are credentials.
fn secret_header(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "authorization" | "cookie" | "proxy-authorization" | "x-api-key" | "x-auth-token"
    )
}

fn text(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Reads every entry's request into `into`.
pub fn har(v: &Value, into: &mut Collection) {
    if into.name.is_empty() {
        into.name = "har".into();
    }
    let entries = v.pointer("/log/entries").and_then(Value::as_array);
    for (i, e) in entries.into_iter().flatten().enumerate() {
        let Some(req) = e.get("request") else {
            continue;
        };
        let url = text(req, "url");
        let method = text(req, "method").to_ascii_uppercase();
        let path = url
            .split_once("://")
            .map_or(url.as_str(), |(_, rest)| rest)
            .split('?')
            .next()
            .unwrap_or_default()
            .to_string();
        let title = format!("{} {path}", if method.is_empty() { "GET" } else { &method });
        if url.trim().is_empty() {
            into.skip(format!("entry {}", i + 1), "the request has no URL");
            continue;
        }
        let (base, query) = url.split_once('?').unwrap_or((&url, ""));
        let mut p = Profile {
            name: title.clone(),
            method: if method.is_empty() {
                "GET".into()
            } else {
                method
            },
            url: base.to_string(),
            ..Profile::default()
        };
        for kv in query.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            p.query.push((k.to_string(), v.to_string()));
        }
        for h in req
            .get("headers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let (name, value) = (text(h, "name"), text(h, "value"));
            if name.is_empty() || connection_header(&name) {
                continue;
            }
            if secret_header(&name) {
                let var = into.secret(&format!("{} {name}", file_safe(&title)));
                p.add_header(&name, &format!("${{env:{var}}}"));
                continue;
            }
            p.add_header(&name, &value);
        }
        if let Some(post) = req.get("postData") {
            let mime = text(post, "mimeType");
            let params: Vec<&Value> = post
                .get("params")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect();
            let has_type = p
                .headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("content-type"));
            if mime.starts_with("application/x-www-form-urlencoded") && !params.is_empty() {
                p.body = Body {
                    kind: BodyType::Form,
                    fields: params
                        .iter()
                        .map(|f| (text(f, "name"), text(f, "value")))
                        .collect(),
                    ..Body::default()
                };
            } else if mime.starts_with("multipart/form-data") && !params.is_empty() {
                let mut parts = Vec::new();
                for f in params {
                    if f.get("fileName").is_some() {
                        into.skip(
                            format!("{title}: file part {}", text(f, "name")),
                            "a HAR does not hold the file: add it to the profile by hand",
                        );
                    } else {
                        parts.push(Part::text(text(f, "name"), text(f, "value")));
                    }
                }
                // The browser's boundary is not ours: the header goes.
                p.headers
                    .retain(|k, _| !k.eq_ignore_ascii_case("content-type"));
                p.body = Body::multipart(parts);
            } else if !text(post, "text").is_empty() {
                p.body = Body {
                    kind: BodyType::Raw,
                    content_type: Some(mime).filter(|m| !m.is_empty() && !has_type),
                    text: Some(text(post, "text")),
                    ..Body::default()
                };
            }
        }
        into.add_profile(p);
    }
}
