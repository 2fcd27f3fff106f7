//! A gRPC call over the request's own client: the same rustls config (the key, trust, pins,
//! key log), routes and proxies, over HTTP/2 (ALPN `h2`). The schema comes from the server's
//! reflection, `.proto` files or a protoset; messages are written and shown as proto3 JSON; the
//! status trailers are read into words.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use crate::diagnose::fix::Fix;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use prost_reflect::{DescriptorPool, DynamicMessage, MethodDescriptor};
use serde_json::{Value, json};

pub mod describe;
pub mod frame;
mod live;
pub mod reflection;
pub mod schema;
pub mod schema_error;
pub mod status;
mod wire;

use super::client::ClientEntry;
use crate::body::events::{StreamEnd, StreamSummary};
use crate::budget::Budget;
use crate::diagnose::failure::Failure;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::{Diagnosis, Exchange, Timing};
use crate::request::grpc::PreparedGrpc;
use crate::request::prepare::PreparedRequest;
use status::GrpcCode;
use wire::RpcAnswer;

/// The most response messages kept whole for the body (the rest are counted).
pub const KEPT_MESSAGES: usize = 10_000;

pub use crate::exchange_grpc::GrpcOutcome;

/// Makes the call `req` names (or lists what the server offers, or describes a symbol); the
/// exchange's body is the response message (a JSON array of them for a streaming method).
pub(super) async fn call(
    entry: &ClientEntry,
    req: &PreparedRequest,
    plan: &PreparedGrpc,
    started: Instant,
    budget: &Budget,
) -> Result<Exchange, Failure> {
    if req.save_to.is_some() {
        return Err(invalid(
            "a gRPC call's messages are shown and kept in the history: they are not saved to a file",
            "send without saving the body to a file",
        ));
    }
    let pool = schema::load(entry, req, plan, budget).await?;
    if let Some(symbol) = &plan.describe {
        let text = describe::symbol(&pool.pool, symbol)
            .ok_or_else(|| unknown(symbol, describe::names(&pool.pool)))?;
        return Ok(shown(req, &text, None, started));
    }
    let Some(name) = &plan.call else {
        let listing = describe::listing(&pool.pool, pool.services.as_deref());
        let outcome = GrpcOutcome {
            code_name: GrpcCode::OK.name(),
            methods: describe::methods(&pool.pool, pool.services.as_deref()),
            ..GrpcOutcome::default()
        };
        return Ok(shown(req, &listing, Some(outcome), started));
    };
    let method = find_method(&pool.pool, &name.service, &name.method)?;
    let mut body = BytesMut::new();
    for (i, text) in plan.messages.iter().enumerate() {
        let message = to_message(&method, text, i + 1, plan.messages.len())?;
        frame::encode(&prost::Message::encode_to_vec(&message), &mut body);
    }
    if plan.messages.len() > 1 && !method.is_client_streaming() {
        return Err(invalid(
            format!(
                "{name} takes one request message, and {} were given",
                plan.messages.len()
            ),
            "send one message (one --data), or call a client-streaming method",
        ));
    }
    // The responses of a streaming method are shown as they arrive when someone listens.
    let mut live = req
        .events
        .as_ref()
        .filter(|_| method.is_server_streaming())
        .map(|tap| live::Live::new(tap, method.output(), started));
    let answer = wire::rpc(
        entry,
        req,
        &name.path(),
        body.freeze(),
        plan.max_message_bytes,
        budget,
        live.as_mut(),
    )
    .await?;
    let (headers_at, body_done) = (answer.headers_at, answer.body_done);
    let body_cut = answer.received > answer.messages.len() as u64;
    let stream = live.map(|l| StreamSummary {
        body_cut,
        ..l.summary(answer.cut.is_some())
    });
    // A stream certbench ended (the count asked for, the time limit, a stop) has no status
    // from the server: it is a normal end, not an error.
    let ended_here = stream
        .as_ref()
        .is_some_and(|s| !matches!(s.end, StreamEnd::Closed | StreamEnd::Broken));
    let mut ex = finish(req, plan, &method, answer, started, ended_here);
    ex.stream = stream;
    // The phases: a connection opened for the schema's questions counts as this call's.
    ex.timing = crate::net::phases::SendMoments {
        started,
        final_hop: started,
        body_sent: None,
        headers: headers_at,
        body_read: body_done,
        done: Instant::now(),
    }
    .timing(&entry.log.clock);
    Ok(ex)
}

/// The exchange of an answered call: its messages as JSON, its status in words.
fn finish(
    req: &PreparedRequest,
    plan: &PreparedGrpc,
    method: &MethodDescriptor,
    answer: RpcAnswer,
    started: Instant,
    ended_here: bool,
) -> Exchange {
    let mut warnings = Vec::new();
    let mut shown_messages = Vec::new();
    for (i, bytes) in answer.messages.iter().enumerate() {
        match DynamicMessage::decode(method.output(), bytes.as_ref()) {
            Ok(m) => shown_messages.push(serde_json::to_value(&m).unwrap_or(Value::Null)),
            Err(e) => {
                shown_messages.push(json!({"undecoded_base64": base64_of(bytes)}));
                warnings.push(Diagnosis::new(
                    DiagnosisKind::GrpcBadMessage,
                    format!(
                        "response message {} is not a {} as the schema says: {e}",
                        i + 1,
                        method.output().full_name()
                    ),
                    "the schema and the server disagree: use the server's reflection or its current .proto files",
                ));
            }
        }
    }
    let body = if method.is_server_streaming() {
        Some(Value::Array(shown_messages))
    } else {
        shown_messages.into_iter().next()
    };
    // Ended here: CANCELLED, as gRPC names a call the client ended.
    let code = match (answer.code, ended_here) {
        (Some(c), _) => c,
        (None, true) => GrpcCode(1),
        (None, false) => GrpcCode(2),
    };
    let outcome = GrpcOutcome {
        method: plan
            .call
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        code: code.0,
        code_name: code.name(),
        message: answer.message.clone(),
        details: answer.details.clone(),
        trailers: answer.trailers.clone(),
        messages_sent: plan.messages.len(),
        messages_received: answer.received,
        client_streaming: method.is_client_streaming(),
        server_streaming: method.is_server_streaming(),
        methods: Vec::new(),
    };
    match answer.code {
        // Said by the stream's end; not a failure.
        None if ended_here => {}
        None => warnings.push(Diagnosis::new(
            DiagnosisKind::GrpcStatus,
            "the call ended without a grpc-status: the stream was cut before the server finished",
            "look at the server's logs, or at a proxy between",
        )),
        Some(c) if c != GrpcCode::OK => {
            let said = match answer.message.as_str() {
                "" => String::new(),
                m => format!(": {m}"),
            };
            let d = Diagnosis::new(
                DiagnosisKind::GrpcStatus,
                format!("gRPC status {} ({}){said}: {}", c.name(), c.0, c.words()),
                match c.0 {
                    12 => "check the method's name",
                    16 | 7 => "check the key presented and what its subject may call",
                    4 => "",
                    _ => "read the server's message and details above",
                },
            );
            warnings.push(match c.0 {
                12 => d.with_step(Fix::ListGrpcMethods),
                4 => d.with_step(Fix::RaiseTimeout),
                _ => d,
            });
        }
        Some(_) => {}
    }
    warnings.extend(answer.cut.clone());
    // No message (a status without one): an empty body, not `null`.
    let text = body
        .map(|b| serde_json::to_string_pretty(&b).unwrap_or_default())
        .unwrap_or_default();
    let mut ex = shown(req, &text, Some(outcome), started);
    ex.status = answer.status;
    ex.headers = answer.headers;
    ex.status_is_error = code != GrpcCode::OK && !ended_here && req.options.errors_on_status;
    ex.encoded_size = answer.wire_bytes;
    ex.warnings = warnings;
    ex
}

/// An exchange showing `text` (JSON or a description) as its body.
fn shown(
    req: &PreparedRequest,
    text: &str,
    outcome: Option<GrpcOutcome>,
    started: Instant,
) -> Exchange {
    let body = Bytes::from(text.to_string());
    let json = text.starts_with(['{', '[']);
    let ct = if json {
        "application/json"
    } else {
        "text/plain; charset=utf-8"
    };
    let view = crate::exchange::build_view(&body, Some(ct), true, &Budget::unlimited())
        .unwrap_or_default();
    Exchange {
        method: "POST".into(),
        url: req.url.clone(),
        status: 200,
        reason: "OK".into(),
        http_version: "HTTP/2.0".into(),
        decoded_size: body.len(),
        encoded_size: body.len(),
        body,
        view,
        grpc: outcome,
        timing: Timing {
            total_ms: crate::net::phases::ms(started, Instant::now()),
            ..Timing::default()
        },
        ..Exchange::default()
    }
}

/// The method `service`/`method` in the schema, or an error naming the nearest ones.
fn find_method(
    pool: &DescriptorPool,
    service: &str,
    method: &str,
) -> Result<MethodDescriptor, Failure> {
    let Some(svc) = pool.get_service_by_name(service) else {
        return Err(unknown(
            service,
            pool.services().map(|s| s.full_name().to_string()),
        ));
    };
    svc.methods().find(|m| m.name() == method).ok_or_else(|| {
        unknown(
            &format!("{service}/{method}"),
            svc.methods().map(|m| format!("{service}/{}", m.name())),
        )
    })
}

/// A request message from its JSON, checked against the method's input type.
fn to_message(
    method: &MethodDescriptor,
    text: &str,
    n: usize,
    of: usize,
) -> Result<DynamicMessage, Failure> {
    let mut de = serde_json::Deserializer::from_str(text);
    let which = if of > 1 {
        format!("message {n}")
    } else {
        "the request message".into()
    };
    DynamicMessage::deserialize(method.input(), &mut de)
        .and_then(|m| de.end().map(|()| m))
        .map_err(|e| {
            Failure::plain(
                Diagnosis::new(
                    DiagnosisKind::GrpcBadMessage,
                    format!("{which} is not a {}: {e}", method.input().full_name()),
                    format!("write it as {}'s JSON", method.input().name()),
                )
                .with_step(Fix::DescribeGrpcType {
                    name: method.input().full_name().to_string(),
                }),
            )
        })
}

fn unknown(name: &str, known: impl Iterator<Item = String>) -> Failure {
    let near = crate::names::Known::among(name, known).words("it has");
    Failure::plain(
        Diagnosis::new(
            DiagnosisKind::GrpcUnknownMethod,
            format!("the schema has no {name}{near}"),
            "",
        )
        .with_step(Fix::ListGrpcMethods),
    )
}

fn invalid(message: impl Into<String>, hint: &str) -> Failure {
    Failure::plain(Diagnosis::new(DiagnosisKind::InvalidRequest, message, hint))
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
