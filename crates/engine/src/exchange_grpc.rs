//! What a gRPC call ended with, beside its HTTP exchange: the status code with its name and
//! meaning, the server's message and details, the trailers and message counts, and for a
//! listing the methods the server offers. Data only: the call itself is `net::grpc`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The gRPC status codes (the `grpc-status` trailer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrpcCode(pub u32);

/// Each code's name, and what it means for the person calling.
const CODES: [(&str, &str); 17] = [
    ("OK", "the call succeeded"),
    (
        "CANCELLED",
        "the call was cancelled (by the client, or a proxy on the way)",
    ),
    (
        "UNKNOWN",
        "the server failed without saying why (often an exception in its handler)",
    ),
    (
        "INVALID_ARGUMENT",
        "the server refused the request message: a field's value is not valid",
    ),
    (
        "DEADLINE_EXCEEDED",
        "the deadline passed before the server answered",
    ),
    ("NOT_FOUND", "what the request names does not exist"),
    (
        "ALREADY_EXISTS",
        "what the request would create exists already",
    ),
    (
        "PERMISSION_DENIED",
        "the server knows who is calling and does not allow it (for this key, check what its certificate's subject may do)",
    ),
    (
        "RESOURCE_EXHAUSTED",
        "a quota or a size limit was reached (a message too large, too many calls)",
    ),
    (
        "FAILED_PRECONDITION",
        "the system is not in the state the call needs",
    ),
    (
        "ABORTED",
        "the call was aborted (a conflict, e.g. a transaction)",
    ),
    ("OUT_OF_RANGE", "a value is past the valid range"),
    (
        "UNIMPLEMENTED",
        "the server does not offer this method (or this service)",
    ),
    ("INTERNAL", "the server broke an invariant of its own"),
    (
        "UNAVAILABLE",
        "the service is unavailable now (often worth trying again later)",
    ),
    ("DATA_LOSS", "data was lost or corrupted"),
    (
        "UNAUTHENTICATED",
        "the server does not know who is calling: no valid credentials reached it",
    ),
];

impl GrpcCode {
    pub const OK: GrpcCode = GrpcCode(0);
    pub const UNIMPLEMENTED: GrpcCode = GrpcCode(12);

    /// Its name (`NOT_FOUND`), or `CODE_N` for a code gRPC does not define.
    pub fn name(self) -> String {
        CODES
            .get(self.0 as usize)
            .map_or_else(|| format!("CODE_{}", self.0), |c| c.0.to_string())
    }

    /// What it means, in words.
    pub fn words(self) -> &'static str {
        CODES
            .get(self.0 as usize)
            .map_or("a status code gRPC does not define", |c| c.1)
    }
}

/// What a gRPC call ended with, beside the HTTP exchange.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GrpcOutcome {
    /// `package.Service/Method`, or empty for a listing.
    pub method: String,
    /// The status code (0 is OK), its name and the server's message.
    pub code: u32,
    pub code_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// `grpc-status-details-bin`, read out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Value>,
    /// The trailers (metadata the server sent after the messages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trailers: Vec<(String, String)>,
    pub messages_sent: usize,
    pub messages_received: u64,
    /// Whether the method streams its requests, its responses.
    #[serde(default)]
    pub client_streaming: bool,
    #[serde(default)]
    pub server_streaming: bool,
    /// A listing: every method the server offers, with a request to start from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<MethodInfo>,
}

/// One method of a listing, for a picker: its name, types and a request to start from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodInfo {
    /// `package.Service/Method`.
    pub method: String,
    pub input: String,
    pub output: String,
    pub client_streaming: bool,
    pub server_streaming: bool,
    /// The input message's JSON, every field at its default.
    pub template: String,
}
