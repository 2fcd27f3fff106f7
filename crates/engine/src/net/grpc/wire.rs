//! One gRPC exchange on the wire: a POST over HTTP/2 with the framed request messages and the
//! call's metadata, and its answer read as it arrives: headers, messages (each at most the
//! limit), trailers with the status. An answer that is not gRPC is told as such.

use std::pin::Pin;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::Body as _;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::frame::{Deframer, FrameError};
use super::status::{self, GrpcCode};
use super::{KEPT_MESSAGES, invalid};
use crate::budget::Budget;
use crate::diagnose::failure::Failure;
use crate::diagnose::fix::Fix;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::Diagnosis;
use crate::net::client::ClientEntry;
use crate::request::prepare::PreparedRequest;

/// Request headers the call sets itself; a profile's own are left out.
const CALL_HEADERS: [&str; 7] = [
    "content-type",
    "te",
    "accept-encoding",
    "grpc-accept-encoding",
    "grpc-timeout",
    "content-length",
    "host",
];

/// The most bytes of a non-gRPC answer's body read to show what it was, and the most
/// characters of it shown.
const NOT_GRPC_BODY: usize = 2048;
const SHOWN_CHARS: usize = 300;

/// What came back from one call.
#[derive(Debug)]
pub struct RpcAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub headers_at: Instant,
    /// When the body (and its trailers) had been read.
    pub body_done: Instant,
    /// The first [`KEPT_MESSAGES`] messages; `received` counts them all.
    pub messages: Vec<Bytes>,
    pub received: u64,
    pub trailers: Vec<(String, String)>,
    /// None when no status came (the stream was cut).
    pub code: Option<GrpcCode>,
    pub message: String,
    pub details: Vec<serde_json::Value>,
    /// Why the messages stopped before the end (one too large, a broken frame).
    pub cut: Option<Diagnosis>,
    pub wire_bytes: usize,
}

/// Calls `path` with `body` (framed messages) over `entry`'s client, taking messages of at
/// most `max` bytes, within the request's timeout and `budget`.
pub async fn rpc(
    entry: &ClientEntry,
    req: &PreparedRequest,
    path: &str,
    body: Bytes,
    max: usize,
    budget: &Budget,
    mut live: Option<&mut super::live::Live<'_>>,
) -> Result<RpcAnswer, Failure> {
    let mut url = req.parsed_url();
    url.set_path(path);
    url.set_query(None);
    let mut headers = HeaderMap::new();
    for (k, v) in &req.headers {
        if CALL_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
            continue;
        }
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) else {
            return Err(invalid(
                format!("metadata {k}: not a header gRPC can carry"),
                "fix the header's name or value",
            ));
        };
        headers.append(name, value);
    }
    let timeout_ms = u64::from(req.options.timeout_secs) * 1000;
    for (k, v) in [
        ("content-type", "application/grpc".to_string()),
        ("te", "trailers".into()),
        ("grpc-accept-encoding", "identity".into()),
        ("grpc-timeout", format!("{timeout_ms}m")),
    ] {
        headers.insert(
            HeaderName::from_static(k),
            HeaderValue::from_str(&v).unwrap_or(HeaderValue::from_static("")),
        );
    }
    let resp = entry
        .client
        .post(url)
        .headers(headers)
        .body(body)
        .send()
        .await
        .map_err(|e| Failure::from_reqwest(e, &[]))?;
    let headers_at = Instant::now();
    let status = resp.status().as_u16();
    let headers = crate::headers::pairs(resp.headers());
    let content_type = crate::headers::get(&headers, "content-type")
        .unwrap_or_default()
        .to_string();
    if status != 200 || !content_type.starts_with("application/grpc") {
        let version = format!("{:?}", resp.version());
        let start = resp.bytes().await.unwrap_or_default();
        // What it said, on one line: the start of its body with its white space folded.
        let said = String::from_utf8_lossy(start.get(..NOT_GRPC_BODY).unwrap_or(&start))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let shown: String = said.chars().take(SHOWN_CHARS).collect();
        return Err(not_grpc(status, &content_type, &version, &shown));
    }
    let mut answer = RpcAnswer {
        status,
        headers: headers.clone(),
        headers_at,
        body_done: headers_at,
        messages: Vec::new(),
        received: 0,
        trailers: Vec::new(),
        code: None,
        message: String::new(),
        details: Vec::new(),
        cut: None,
        wire_bytes: 0,
    };
    // A trailers-only answer: the status is in the headers and no body follows.
    read_status(&mut answer, &headers);
    let mut body = reqwest::Body::from(resp);
    let mut deframer = Deframer::new(max);
    loop {
        if let Err(why) = budget.check() {
            match live.as_deref_mut() {
                // A stream shown as it arrives ends at its time limit as any stream does.
                Some(l) => l.end = Some(l.end_for(why)),
                None => answer.cut = Some(stopped()),
            }
            break;
        }
        let next = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx));
        let frame = match tokio::time::timeout(Duration::from_millis(250), next).await {
            Err(_) => continue,
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                answer.cut = Some(Diagnosis::new(
                    DiagnosisKind::ConnectionClosed,
                    format!("the stream broke after {} messages: {e}", answer.received),
                    "what arrived is kept; look at the server's logs",
                ));
                break;
            }
            Ok(Some(Ok(frame))) => frame,
        };
        let frame = match frame.into_data() {
            Ok(data) => {
                answer.wire_bytes += data.len();
                match deframer.push(&data) {
                    Ok(messages) => {
                        let mut go_on = true;
                        for m in messages {
                            answer.received += 1;
                            if let Some(live) = live.as_deref_mut() {
                                go_on &= live.take(&m).await;
                            }
                            if answer.messages.len() < KEPT_MESSAGES {
                                answer.messages.push(m);
                            }
                        }
                        if !go_on {
                            break;
                        }
                    }
                    Err(e) => {
                        answer.cut = Some(frame_error(&e, answer.received));
                        break;
                    }
                }
                continue;
            }
            Err(frame) => frame,
        };
        if let Ok(trailers) = frame.into_trailers() {
            let pairs = crate::headers::pairs(&trailers);
            read_status(&mut answer, &pairs);
            answer.trailers = pairs
                .into_iter()
                .filter(|(k, _)| !k.starts_with("grpc-status") && k != "grpc-message")
                .collect();
        }
    }
    if answer.cut.is_none()
        && let Err(e) = deframer.finish()
    {
        answer.cut = Some(frame_error(&e, answer.received));
    }
    answer.body_done = Instant::now();
    Ok(answer)
}

/// `grpc-status`, `grpc-message` and `grpc-status-details-bin` from `pairs`, when there.
fn read_status(answer: &mut RpcAnswer, pairs: &[(String, String)]) {
    for (k, v) in pairs {
        match k.as_str() {
            "grpc-status" => answer.code = v.trim().parse().ok().map(GrpcCode),
            "grpc-message" => answer.message = status::message(v),
            "grpc-status-details-bin" => {
                answer.details = status::details(v).unwrap_or_default();
            }
            _ => {}
        }
    }
}

fn stopped() -> Diagnosis {
    Diagnosis::new(
        DiagnosisKind::Timeout,
        "the call's time ran out (or it was stopped) before the server finished: what arrived is kept",
        "",
    )
    .with_step(crate::diagnose::fix::Fix::RaiseTimeout)
}

fn frame_error(e: &FrameError, received: u64) -> Diagnosis {
    match e {
        FrameError::TooLarge { length, max } => Diagnosis::new(
            DiagnosisKind::GrpcMessageTooLarge,
            format!(
                "message {} is {length} bytes, over the {max} a message may have: the call was stopped there",
                received + 1
            ),
            "",
        )
        .with_step(Fix::RaiseGrpcMessageLimit),
        FrameError::Compressed => Diagnosis::new(
            DiagnosisKind::GrpcBadMessage,
            "the server compressed a message although certbench asked for none (grpc-accept-encoding: identity)",
            "turn off the server's compression for this method",
        ),
        FrameError::Truncated { missing } => Diagnosis::new(
            DiagnosisKind::GrpcBadMessage,
            format!("the body ended {missing} bytes short of the end of message {}", received + 1),
            "look at the server's logs, or at a proxy between",
        ),
    }
}

/// An answer that is not gRPC: the HTTP status, its type and the start of its body.
fn not_grpc(status: u16, content_type: &str, version: &str, body: &str) -> Failure {
    let body = match body {
        "" => String::new(),
        b => format!("; it said: {b}"),
    };
    let ct = match content_type {
        "" => "no content type".to_string(),
        c => c.to_string(),
    };
    // gRPC is HTTP/2 only: an HTTP/1 answer means ALPN did not agree on h2.
    let (what, hint) = match version {
        "HTTP/2.0" => (
            format!("the server answered {version} {status} with {ct}, not gRPC{body}"),
            "check the port (this one serves HTTP, not gRPC), or a proxy or load balancer in between that does not pass gRPC (HTTP/2 with trailers)",
        ),
        v => (
            format!(
                "the server did not agree to HTTP/2 (ALPN h2), which gRPC needs, and answered {v} {status} with {ct}{body}"
            ),
            "check the port (this one speaks HTTP/1.1, so it is not a gRPC server), or a TLS terminator in front that speaks only HTTP/1.1",
        ),
    };
    Failure::plain(Diagnosis::new(DiagnosisKind::GrpcNotGrpc, what, hint))
}
