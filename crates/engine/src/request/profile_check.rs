//! What makes a profile invalid, in words: the method, the timeout, a header name, and a TOML
//! error with its line and a suggestion for a misspelt key.

use std::path::Path;

use crate::request::profile_error::ProfileError;

pub fn check_method(method: &str) -> Result<(), String> {
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if !method.is_empty() && method.chars().all(token) {
        Ok(())
    } else {
        Err(format!(
            "invalid method {method:?}: use GET, POST, ... or another HTTP token"
        ))
    }
}

pub fn check_timeout(secs: u32) -> Result<(), String> {
    if (1..=300).contains(&secs) {
        Ok(())
    } else {
        Err(format!(
            "timeout {secs} s is out of range: use 1 to 300 seconds"
        ))
    }
}

pub fn check_header_name(name: &str) -> Result<(), String> {
    reqwest::header::HeaderName::from_bytes(name.as_bytes())
        .map(|_| ())
        .map_err(|_| format!("invalid header name {name:?}: use letters, digits and '-'"))
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
