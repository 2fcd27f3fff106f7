//! The `--json` contract of `send` and `history show`: one typed object per outcome. Scripts
//! depend on these field names and their order; `tests` below pins them.

use serde::Serialize;

use engine::diagnose::kind::DiagnosisKind;
use engine::diagnose::{Failure, Probe};
use engine::exchange::{BodyView, Diagnosis, Exchange, Hop, Timing, TlsFacts};
use engine::request::expect::Verdict;
use engine::request::prepare::PreparedRequest;

use super::fixes::hint;

/// The request as sent, secret header values masked.
#[derive(Debug, Serialize)]
pub struct RequestJson<'a> {
    pub method: &'a str,
    pub url: String,
    pub headers: Vec<(&'a str, String)>,
    pub profile: &'a str,
}

impl<'a> RequestJson<'a> {
    pub fn of(req: &'a PreparedRequest) -> RequestJson<'a> {
        let red = engine::history::redact::Redactor::for_request(req);
        RequestJson {
            method: &req.method,
            url: red.url(&req.url),
            headers: req
                .headers
                .iter()
                .map(|(k, v)| (k.as_str(), mask_header(k, &red.text(v))))
                .collect(),
            profile: &req.profile,
        }
    }
}

/// A response. `body`, `json` and `pretty` are null here: the writer streams them from the body's
/// own bytes (or `history show` fills them in memory).
#[derive(Debug, Serialize)]
pub struct ExchangeJson<'a, R: Serialize> {
    pub ok: bool,
    pub request: R,
    pub status: u16,
    pub reason: &'a str,
    pub http_version: &'a str,
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub body: (),
    pub body_encoding: &'static str,
    pub body_kind: &'static str,
    pub json: (),
    pub pretty: (),
    pub parse_error: Option<ParseErrorJson<'a>>,
    pub content_encoding: Option<&'a str>,
    pub sizes: Sizes,
    pub saved_to: Option<&'a str>,
    pub redirects: &'a [Hop],
    pub tls: Option<&'a TlsFacts>,
    pub timing_ms: f64,
    pub timing: &'a Timing,
    pub warnings: &'a [Diagnosis],
    pub error: Option<ErrorJson>,
    /// The profile's expectations: `{checked, failures}`, or null when it has none.
    pub expectations: Option<&'a Verdict>,
    /// An event stream read as it arrived: `{events, end, oversized}`; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stream: Option<&'a engine::body::events::StreamSummary>,
    /// A gRPC call: `{method, code, code_name, message, details, trailers, messages_sent,
    /// messages_received, ...}`; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc: Option<&'a engine::net::grpc::GrpcOutcome>,
}

#[derive(Debug, Serialize)]
pub struct ParseErrorJson<'a> {
    pub format: String,
    pub message: &'a str,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Serialize)]
pub struct Sizes {
    pub encoded: usize,
    pub decoded: usize,
}

/// Why the outcome counts as a failure.
#[derive(Debug, Serialize)]
pub struct ErrorJson {
    /// A diagnosis kind, or `http_status` for a status counted as an error.
    pub kind: String,
    pub message: String,
    pub hint: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chain: Option<Vec<String>>,
}

impl ErrorJson {
    fn of(d: &Diagnosis) -> ErrorJson {
        ErrorJson {
            kind: d.kind.to_string(),
            message: d.message.clone(),
            hint: hint(d),
            chain: None,
        }
    }
}

/// A send that got no response.
#[derive(Debug, Serialize)]
pub struct FailureJson<'a, R: Serialize> {
    pub ok: bool,
    pub url: &'a str,
    pub request: R,
    pub status: (),
    pub redirects: &'a [Hop],
    pub tls: Option<&'a TlsFacts>,
    pub probe: &'a Option<Probe>,
    pub warnings: &'a [Diagnosis],
    pub error: ErrorJson,
}

impl<'a, R: Serialize> ExchangeJson<'a, R> {
    pub fn of(request: R, ex: &'a Exchange, verdict: Option<&'a Verdict>) -> ExchangeJson<'a, R> {
        let parse_error = match &ex.view {
            BodyView::Unparsed {
                format,
                error,
                line,
                column,
                ..
            } => Some(ParseErrorJson {
                format: format.to_string(),
                message: error,
                line: *line,
                column: *column,
            }),
            _ => None,
        };
        ExchangeJson {
            ok: !ex.status_is_error && ex.incomplete.is_none(),
            request,
            status: ex.status,
            reason: &ex.reason,
            http_version: &ex.http_version,
            url: &ex.url,
            headers: &ex.headers,
            body: (),
            body_encoding: if matches!(ex.view, BodyView::Binary) {
                "base64"
            } else {
                "utf-8"
            },
            body_kind: ex.view.label(),
            json: (),
            pretty: (),
            parse_error,
            content_encoding: ex.content_encoding.as_deref(),
            sizes: Sizes {
                encoded: ex.encoded_size,
                decoded: ex.decoded_size,
            },
            saved_to: ex.saved_to.as_deref(),
            stream: ex.stream.as_ref(),
            grpc: ex.grpc.as_ref(),
            redirects: &ex.redirects,
            tls: ex.tls.as_ref(),
            timing_ms: ex.timing.total_ms,
            timing: &ex.timing,
            warnings: &ex.warnings,
            error: status_error(ex, verdict),
            expectations: verdict,
        }
    }
}

/// The `error` of a response counted as a failure: the status, or the cause behind it when known.
fn status_error(ex: &Exchange, verdict: Option<&Verdict>) -> Option<ErrorJson> {
    if let Some(d) = &ex.incomplete {
        return Some(ErrorJson::of(d));
    }
    if let Some(v) = verdict.filter(|v| !v.passed()) {
        return Some(ErrorJson {
            kind: "expectation_failed".into(),
            message: v.failures.join("; "),
            hint: "the response is shown as received; the profile's [expect] says what was wanted"
                .into(),
            chain: None,
        });
    }
    if !ex.status_is_error {
        return None;
    }
    // A gRPC call's error is its status, worded in its warning.
    if ex.grpc.is_some()
        && let Some(w) = ex
            .warnings
            .iter()
            .find(|w| w.kind == DiagnosisKind::GrpcStatus)
    {
        return Some(ErrorJson::of(w));
    }
    let status = format!("HTTP {} {}", ex.status, ex.reason);
    Some(
        match ex
            .warnings
            .iter()
            .find(|w| w.kind == DiagnosisKind::ClientCertPostHandshake)
        {
            Some(w) => ErrorJson {
                message: format!("{status}: {}", w.message),
                ..ErrorJson::of(w)
            },
            None => ErrorJson {
                kind: "http_status".into(),
                message: status,
                hint: "the body is still shown; --no-status-errors counts any status as success"
                    .into(),
                chain: None,
            },
        },
    )
}

impl<'a, R: Serialize> FailureJson<'a, R> {
    pub fn of(url: &'a str, request: R, f: &'a Failure) -> FailureJson<'a, R> {
        FailureJson {
            ok: false,
            url,
            request,
            status: (),
            redirects: &f.redirects,
            tls: f.tls.as_ref(),
            probe: &f.probe,
            warnings: &f.warnings,
            error: ErrorJson {
                chain: Some(f.chain.clone()),
                ..ErrorJson::of(&f.diagnosis)
            },
        }
    }
}

/// Hides secret header values in verbose output.
pub fn mask_header(name: &str, value: &str) -> String {
    if engine::history::redact::ALWAYS
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
    {
        "<redacted>".into()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &serde_json::Value) -> Vec<String> {
        v.as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn the_field_names_scripts_depend_on() {
        let ex = Exchange::default();
        let v = serde_json::to_value(ExchangeJson::of((), &ex, None)).unwrap();
        assert_eq!(
            keys(&v),
            [
                "ok",
                "request",
                "status",
                "reason",
                "http_version",
                "url",
                "headers",
                "body",
                "body_encoding",
                "body_kind",
                "json",
                "pretty",
                "parse_error",
                "content_encoding",
                "sizes",
                "saved_to",
                "redirects",
                "tls",
                "timing_ms",
                "timing",
                "warnings",
                "error",
                "expectations"
            ]
        );
        let f = Failure::plain(Diagnosis::new(DiagnosisKind::Timeout, "slow", "wait"));
        let v = serde_json::to_value(FailureJson::of("https://x.test/", (), &f)).unwrap();
        assert_eq!(
            keys(&v),
            [
                "ok",
                "url",
                "request",
                "status",
                "redirects",
                "tls",
                "probe",
                "warnings",
                "error"
            ]
        );
        assert_eq!(keys(&v["error"]), ["kind", "message", "hint", "chain"]);
        assert_eq!(v["error"]["kind"], "timeout");
    }
}
