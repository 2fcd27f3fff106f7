//! Why an `[expect]` rule can never be judged: a status, regex or JSON path that does not parse.

/// An `[expect]` rule that can never be judged, with what is wrong in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadExpectation {
    #[error("expect.status {0:?} matches no status: write a code (200) or a class (\"2xx\")")]
    Status(String),
    #[error("expect.headers.{header}: regex {regex:?}: {reason}")]
    HeaderRegex {
        header: String,
        regex: String,
        reason: String,
    },
    #[error(
        "expect.grpc_status {0:?} is no gRPC status: write a name (\"OK\", \"NOT_FOUND\") or a number 0-16"
    )]
    GrpcStatus(String),
    /// A JSON path in `expect.json` or `expect.stream` that does not parse.
    #[error("expect.{within} path {path:?}: {reason}")]
    JsonPath {
        within: &'static str,
        path: String,
        reason: String,
    },
    #[error("expect.json {path}: regex {regex:?}: {reason}")]
    JsonRegex {
        path: String,
        regex: String,
        reason: String,
    },
    #[error(
        "expect.stream.within_ms times the min-th event, and the first {kept} are kept: set min to {kept} or fewer"
    )]
    StreamMinBeyondKept { kept: usize },
}
