//! A call's outcome as the server states it: the gRPC status code in words, its message, and
//! the `google.rpc.Status` details of `grpc-status-details-bin` with the common error details
//! (`ErrorInfo`, `BadRequest`, `DebugInfo`, `LocalizedMessage`, `RetryInfo`) read out.

use base64::Engine;
use prost::Message;
use serde_json::{Value, json};

pub use crate::exchange_grpc::GrpcCode;

/// `google.rpc.Status`, as `grpc-status-details-bin` carries it.
#[derive(Clone, PartialEq, Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
    #[prost(message, repeated, tag = "3")]
    details: Vec<prost_reflect::prost_types::Any>,
}

#[derive(Clone, PartialEq, Message)]
struct ErrorInfo {
    #[prost(string, tag = "1")]
    reason: String,
    #[prost(string, tag = "2")]
    domain: String,
    #[prost(btree_map = "string, string", tag = "3")]
    metadata: std::collections::BTreeMap<String, String>,
}

#[derive(Clone, PartialEq, Message)]
struct FieldViolation {
    #[prost(string, tag = "1")]
    field: String,
    #[prost(string, tag = "2")]
    description: String,
}

#[derive(Clone, PartialEq, Message)]
struct BadRequest {
    #[prost(message, repeated, tag = "1")]
    field_violations: Vec<FieldViolation>,
}

#[derive(Clone, PartialEq, Message)]
struct DebugInfo {
    #[prost(string, repeated, tag = "1")]
    stack_entries: Vec<String>,
    #[prost(string, tag = "2")]
    detail: String,
}

#[derive(Clone, PartialEq, Message)]
struct LocalizedMessage {
    #[prost(string, tag = "1")]
    locale: String,
    #[prost(string, tag = "2")]
    message: String,
}

#[derive(Clone, PartialEq, Message)]
struct RetryInfo {
    #[prost(message, optional, tag = "1")]
    retry_delay: Option<prost_reflect::prost_types::Duration>,
}

/// The details of a `grpc-status-details-bin` value, each as JSON with its `@type`; None when
/// the value is not base64 of a `google.rpc.Status`.
pub fn details(header: &str) -> Option<Vec<Value>> {
    let raw = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(header.trim().trim_end_matches('='))
        .ok()?;
    let status = RpcStatus::decode(raw.as_slice()).ok()?;
    Some(status.details.iter().map(detail).collect())
}

/// One detail: a known error detail read out, another shown as its type and base64 bytes.
fn detail(any: &prost_reflect::prost_types::Any) -> Value {
    let kind = any.type_url.rsplit('/').next().unwrap_or_default();
    let bytes = any.value.as_slice();
    let read = match kind {
        "google.rpc.ErrorInfo" => ErrorInfo::decode(bytes)
            .ok()
            .map(|e| json!({"reason": e.reason, "domain": e.domain, "metadata": e.metadata})),
        "google.rpc.BadRequest" => BadRequest::decode(bytes).ok().map(|b| {
            json!({"fieldViolations": b.field_violations.iter().map(|v| json!({"field": v.field, "description": v.description})).collect::<Vec<_>>()})
        }),
        "google.rpc.DebugInfo" => DebugInfo::decode(bytes)
            .ok()
            .map(|d| json!({"stackEntries": d.stack_entries, "detail": d.detail})),
        "google.rpc.LocalizedMessage" => LocalizedMessage::decode(bytes)
            .ok()
            .map(|l| json!({"locale": l.locale, "message": l.message})),
        "google.rpc.RetryInfo" => RetryInfo::decode(bytes).ok().map(|r| {
            let d = r.retry_delay.unwrap_or_default();
            json!({"retryDelay": format!("{}.{:09}s", d.seconds, d.nanos)})
        }),
        _ => None,
    };
    let mut v = read.unwrap_or_else(
        || json!({"value": base64::engine::general_purpose::STANDARD.encode(bytes)}),
    );
    if let Value::Object(o) = &mut v {
        o.insert("@type".into(), Value::String(any.type_url.clone()));
    }
    v
}

/// `grpc-message` as sent: percent-encoded UTF-8.
pub fn message(header: &str) -> String {
    percent_encoding::percent_decode_str(header)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_names_and_details_are_read_out() {
        assert_eq!(GrpcCode(5).name(), "NOT_FOUND");
        assert_eq!(GrpcCode(99).name(), "CODE_99");
        assert!(
            GrpcCode(16)
                .words()
                .contains("does not know who is calling")
        );
        let info = ErrorInfo {
            reason: "QUOTA".into(),
            domain: "orders.test".into(),
            metadata: [("k".to_string(), "v".to_string())].into(),
        };
        let status = RpcStatus {
            code: 8,
            message: "slow down".into(),
            details: vec![
                prost_reflect::prost_types::Any {
                    type_url: "type.googleapis.com/google.rpc.ErrorInfo".into(),
                    value: info.encode_to_vec(),
                },
                prost_reflect::prost_types::Any {
                    type_url: "type.googleapis.com/acme.Custom".into(),
                    value: vec![1, 2],
                },
            ],
        };
        let header =
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(status.encode_to_vec());
        let d = details(&header).unwrap();
        assert_eq!(d[0]["reason"], "QUOTA");
        assert_eq!(d[0]["@type"], "type.googleapis.com/google.rpc.ErrorInfo");
        assert_eq!(d[1]["value"], "AQI=");
        assert_eq!(message("caf%C3%A9 closed"), "café closed");
    }
}
