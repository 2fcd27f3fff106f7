//! What makes a profile invalid, in words: the method, the timeout, a header name, and a TOML
//! error with its line and a suggestion for a misspelt key.

use std::path::Path;

use crate::request::profile_error::ProfileError;
use crate::size::ByteSize;

/// A field of a profile that breaks a rule, with the value that does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    #[error("invalid method {0:?}: use GET, POST, ... or another HTTP token")]
    Method(String),
    #[error("timeout {0} s is out of range: use 1 to 300 seconds")]
    Timeout(u32),
    #[error("invalid header name {0:?}: use letters, digits and '-'")]
    HeaderName(String),
    #[error("max_body {0} is out of range: use 1KiB to 4GiB (or save larger bodies to a file)")]
    MaxBody(ByteSize),
    #[error("content type {0:?} contains a line break: a header value is one line")]
    ContentTypeLineBreak(String),
    #[error("content type {0:?} is not a media type: write e.g. application/json")]
    ContentType(String),
    /// A multipart part, by name, with both `text` and `file`.
    #[error("multipart part {0:?} has both text and file: keep one")]
    PartTextAndFile(String),
    /// A multipart part, by name, with neither `text` nor `file`.
    #[error("multipart part {0:?} needs text = \"...\" or file = \"path\"")]
    PartEmpty(String),
}

worded!(Invalid);

pub fn check_method(method: &str) -> Result<(), Invalid> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if !method.is_empty() && method.chars().all(token) {
        Ok(())
    } else {
        Err(Invalid::Method(method.to_string()))
    }
}

pub fn check_timeout(secs: u32) -> Result<(), Invalid> {
    if (1..=300).contains(&secs) {
        Ok(())
    } else {
        Err(Invalid::Timeout(secs))
    }
}

pub fn check_header_name(name: &str) -> Result<(), Invalid> {
    reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map(|_| ())
        .map_err(|_| Invalid::HeaderName(name.to_string()))
}

pub fn check_max_body(size: ByteSize) -> Result<(), Invalid> {
    if (ByteSize::KIB..=crate::body::bodylines::MAX_TEXT as u64).contains(&size.bytes()) {
        Ok(())
    } else {
        Err(Invalid::MaxBody(size))
    }
}

pub fn check_content_type(ct: &str) -> Result<(), Invalid> {
    if ct.contains(['\r', '\n']) {
        return Err(Invalid::ContentTypeLineBreak(ct.to_string()));
    }
    reqwest::multipart::Part::text("")
        .mime_str(ct)
        .map(|_| ())
        .map_err(|_| Invalid::ContentType(ct.to_string()))
}

/// Turns a TOML error into file:line with a "did you mean" for a misspelt key.
pub(crate) fn syntax_error(text: &str, path: &Path, err: &toml::de::Error) -> ProfileError {
    let line = err
        .span()
        .map(|s| {
            text.get(..s.start.min(text.len()))
                .unwrap_or_default()
                .matches('\n')
                .count()
                + 1
        })
        .unwrap_or(1);
    let message = err.message().trim().to_string();
    ProfileError::Syntax {
        path: path.display().to_string(),
        line,
        hint: did_you_mean(&message),
        message,
    }
}

/// The unknown keys after the first one, as `line N: unknown field `x`` with a suggestion: each
/// found by reading the file again with the line of the one before blanked out, so a file with
/// several misspelt keys says them all at once (at most ten, and only while nothing else is wrong).
pub(crate) fn other_unknown_keys<T: serde::de::DeserializeOwned>(
    text: &str,
    first: &toml::de::Error,
) -> Vec<String> {
    let mut text = text.to_string();
    let mut err = first.clone();
    let mut found = Vec::new();
    for _ in 0..10 {
        let Some(span) = err
            .span()
            .filter(|_| err.message().starts_with("unknown field"))
        else {
            break;
        };
        // Blank the whole line the key is on (its line number stays for the ones after).
        let start = text
            .get(..span.start)
            .and_then(|t| t.rfind('\n'))
            .map_or(0, |i| i + 1);
        let end = text
            .get(span.start..)
            .and_then(|t| t.find('\n'))
            .map_or(text.len(), |i| span.start + i);
        let blank: String = text
            .get(start..end)
            .unwrap_or_default()
            .chars()
            .map(|_| ' ')
            .collect();
        text.replace_range(start..end, &blank);
        match toml::from_str::<T>(&text) {
            Ok(_) => break,
            Err(next) if next.message().starts_with("unknown field") => {
                let line = next.span().map_or(1, |s| {
                    text.get(..s.start)
                        .unwrap_or_default()
                        .matches('\n')
                        .count()
                        + 1
                });
                let message = next.message().trim().to_string();
                let short = message.split(", expected").next().unwrap_or_default();
                found.push(format!("line {line}: {short}{}", did_you_mean(&message)));
                err = next;
            }
            Err(_) => break,
        }
    }
    found
}

/// For serde's "unknown field `x`, expected one of `a`, `b`", the closest expected name.
fn did_you_mean(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return String::new();
    };
    let Some((unknown, expected)) = rest.split_once('`') else {
        return String::new();
    };
    let best = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|cand| (strsim::jaro_winkler(unknown, cand), cand))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((_, cand)) => format!(" (did you mean `{cand}`?)"),
        None => String::new(),
    }
}
