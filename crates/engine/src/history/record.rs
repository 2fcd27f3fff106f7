//! What the history holds: a summary per send, the stored request and outcome, and the filter that finds them.

use crate::clock::now_ms;
use crate::diagnose::Failure;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::Exchange;
use crate::history::redact::Redactor;
use crate::request::prepare::PreparedRequest;
use crate::request::profile::Profile;
use serde::{Deserialize, Serialize};

/// One line of the history list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Its id in the store; None for a send that is not recorded.
    pub id: Option<i64>,
    pub at_ms: i64,
    pub profile: String,
    pub key: Option<String>,
    pub key_sha256: Option<String>,
    pub method: String,
    pub url: String,
    pub status: Option<u16>,
    pub error_kind: Option<DiagnosisKind>,
    pub status_is_error: bool,
    pub duration_ms: f64,
}
impl Summary {
    /// "200", "404", or the failure kind.
    pub fn outcome(&self) -> String {
        match (self.status, &self.error_kind) {
            (Some(s), _) => s.to_string(),
            (None, Some(k)) => k.to_string(),
            (None, None) => "?".into(),
        }
    }

    /// Local wall-clock time, "YYYY-MM-DD HH:MM:SS".
    pub fn when(&self) -> String {
        format_time(self.at_ms)
    }

    /// How a comparison names this entry: "#12 orders 2026-11-23 10:00:00 key acme"
    /// ("unrecorded" for a send kept only in memory).
    pub fn label(&self) -> String {
        format!(
            "{} {} {} key {}",
            self.id
                .map_or_else(|| "unrecorded".to_string(), |id| format!("#{id}")),
            self.profile,
            self.when(),
            self.key.as_deref().unwrap_or("none")
        )
    }
}
pub fn format_time(at_ms: i64) -> String {
    let offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
    let t = time::OffsetDateTime::from_unix_timestamp(at_ms / 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
/// The request as sent, redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The body text, or a summary for multipart files.
    pub body: String,
    pub body_truncated: bool,
}

impl StoredRequest {
    /// The request as it goes out, secrets masked by `red`, its body cut at `cap` bytes.
    pub fn of(req: &PreparedRequest, red: &Redactor, cap: usize) -> StoredRequest {
        let (body, body_truncated) = request_body(req, cap);
        StoredRequest {
            method: req.method.clone(),
            url: red.url(&req.url),
            headers: red.headers(&req.headers),
            body: red.text(&body).into_owned(),
            body_truncated,
        }
    }
}

/// The request body as text, or a summary of the multipart parts (files by name and size).
fn request_body(req: &PreparedRequest, cap: usize) -> (String, bool) {
    use crate::request::prepare::{PreparedBody, PreparedPart};
    match &req.body {
        PreparedBody::None => (String::new(), false),
        PreparedBody::Bytes { data, .. } => {
            let mut end = data.len().min(cap);
            while !data.is_char_boundary(end) {
                end -= 1;
            }
            (
                data.get(..end).unwrap_or_default().to_string(),
                end < data.len(),
            )
        }
        PreparedBody::Multipart { parts } => {
            let lines: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    PreparedPart::Text { name, text } => format!("{name}: {text}"),
                    PreparedPart::File {
                        name,
                        filename,
                        size,
                        ..
                    } => format!("{name}: file {filename} ({size} bytes)"),
                })
                .collect();
            (lines.join("\n"), false)
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub(super) enum Outcome {
    Response(Box<Exchange>),
    Failure(Box<Failure>),
}
/// One whole entry, ready for the response pane or a comparison.
#[derive(Debug, Clone)]
pub struct Entry {
    pub summary: Summary,
    /// The profile as sent (secret values replaced; see `redact::restore`).
    pub profile: Profile,
    pub request: StoredRequest,
    pub result: Result<Exchange, Failure>,
    pub body_truncated: bool,
}
/// What to list: every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub profile: Option<String>,
    pub key: Option<String>,
    /// "200", "4xx", "error" (a failure or an error status), "ok".
    pub status: Option<String>,
    /// Free words matched against profile and URL.
    pub text: Option<String>,
}
impl Filter {
    /// Parses "profile:NAME key:NAME status:4xx words" (the TUI's filter line).
    pub fn parse(line: &str) -> Filter {
        let mut f = Filter::default();
        let mut words = Vec::new();
        for token in line.split_whitespace() {
            match token.split_once(':') {
                Some(("profile", v)) => f.profile = Some(v.into()),
                Some(("key", v)) => f.key = Some(v.into()),
                Some(("status", v)) => f.status = Some(v.into()),
                _ => words.push(token),
            }
        }
        if !words.is_empty() {
            f.text = Some(words.join(" "));
        }
        f
    }

    pub(super) fn sql(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut clauses = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        if let Some(p) = &self.profile {
            clauses.push("profile = ?".to_string());
            args.push(Value::Text(p.clone()));
        }
        if let Some(k) = &self.key {
            clauses.push("key_name = ?".to_string());
            args.push(Value::Text(k.clone()));
        }
        if let Some(s) = &self.status {
            let s = s.to_ascii_lowercase();
            if let Ok(code) = s.parse::<i64>() {
                clauses.push("status = ?".into());
                args.push(Value::Integer(code));
            } else if s.len() == 3
                && s.ends_with("xx")
                && let Some(d) = s.chars().next().and_then(|c| c.to_digit(10))
            {
                clauses.push("status >= ? AND status < ?".into());
                args.push(Value::Integer(d as i64 * 100));
                args.push(Value::Integer(d as i64 * 100 + 100));
            } else if s == "error" || s == "failed" {
                clauses.push("(status IS NULL OR status_is_error = 1)".into());
            } else if s == "ok" {
                clauses.push("(status IS NOT NULL AND status_is_error = 0)".into());
            } else {
                clauses.push("error_kind = ?".into());
                args.push(Value::Text(s));
            }
        }
        if let Some(t) = &self.text {
            clauses.push("(instr(lower(profile), ?) > 0 OR instr(lower(url), ?) > 0)".into());
            args.push(Value::Text(t.to_lowercase()));
            args.push(Value::Text(t.to_lowercase()));
        }
        let sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        (sql, args)
    }
}
/// What a send brings to be recorded.
pub struct Record<'a> {
    pub profile: &'a Profile,
    pub request: &'a PreparedRequest,
    pub result: &'a Result<Exchange, Failure>,
    /// The credential's certificate fingerprint (SHA-256), never the key.
    pub key_sha256: Option<String>,
}
/// What a list line shows of an outcome: status or failure kind, error flag, duration.
pub(super) struct OutcomeFacts {
    pub(super) status: Option<u16>,
    pub(super) error_kind: Option<DiagnosisKind>,
    pub(super) status_is_error: bool,
    pub(super) duration_ms: f64,
}
impl OutcomeFacts {
    pub(super) fn of(result: &Result<Exchange, Failure>) -> OutcomeFacts {
        match result {
            Ok(ex) => OutcomeFacts {
                status: Some(ex.status),
                error_kind: None,
                status_is_error: ex.status_is_error,
                duration_ms: ex.timing.total_ms,
            },
            Err(f) => OutcomeFacts {
                status: None,
                error_kind: Some(f.diagnosis.kind),
                status_is_error: true,
                duration_ms: 0.0,
            },
        }
    }
}

impl Summary {
    /// The line for a profile that did not prepare: now, its name and method, the failure kind.
    pub fn unprepared(profile: &Profile, failure: &Failure) -> Summary {
        Summary {
            id: None,
            at_ms: now_ms(),
            profile: profile.name.clone(),
            key: profile.credential.clone(),
            key_sha256: None,
            method: profile.method.clone(),
            url: String::new(),
            status: None,
            error_kind: Some(failure.diagnosis.kind),
            status_is_error: true,
            duration_ms: 0.0,
        }
    }

    /// The line for a send that is not recorded (no id), from the request and its outcome.
    pub fn unrecorded(req: &PreparedRequest, result: &Result<Exchange, Failure>) -> Summary {
        let facts = OutcomeFacts::of(result);
        Summary {
            id: None,
            at_ms: now_ms(),
            profile: req.profile.clone(),
            key: req.credential.clone().filter(|_| req.mutual_tls),
            key_sha256: None,
            method: req.method.clone(),
            url: Redactor::for_request(req).url(&req.url),
            status: facts.status,
            error_kind: facts.error_kind,
            status_is_error: facts.status_is_error,
            duration_ms: facts.duration_ms,
        }
    }
}
