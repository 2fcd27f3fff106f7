//! What went wrong (or is worth a warning) in a send, as a closed set of kinds: the `kind` of
//! `--json`, history and the README's tables, spelled in snake_case.

use serde::{Deserialize, Serialize};

/// A diagnosis kind. Its snake_case name is a contract (`--json` `error.kind`, history,
/// `warnings[].kind`); `tests/readme.rs` checks that the README lists every one.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
    strum::EnumString,
    strum::Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DiagnosisKind {
    // Failures the user fixes in the request or keystore (exit 1).
    CredentialMissing,
    TrustMissing,
    InvalidCredential,
    InvalidRequest,
    // The client certificate, as the server judged it.
    ClientCertRequired,
    ClientCertUnknownCa,
    ClientCertExpired,
    ClientCertRevoked,
    ClientCertBad,
    ClientCertRejected,
    ClientCertPostHandshake,
    ClientCertNotRequested,
    // The server's certificate, as we judged it.
    ServerCertUntrusted,
    ServerCertExpired,
    ServerCertNotYetValid,
    ServerCertRevoked,
    ServerCertInvalid,
    ServerNameMismatch,
    /// The server's public key is not one of the `--pin` hashes.
    PinMismatch,
    Unverified,
    // TLS itself.
    ProtocolMismatch,
    TlsConfig,
    TlsError,
    ClientBuild,
    // The connection and HTTP.
    Transport,
    Timeout,
    ConnectionRefused,
    ConnectionClosed,
    // The HTTP proxy on the way.
    ProxyUnreachable,
    ProxyAuthRequired,
    ProxyRefused,
    Dns,
    Http2ProtocolError,
    ResponseHeadersTooLarge,
    BadRedirect,
    RedirectNotHttp,
    TooManyRedirects,
    // A WebSocket.
    /// The server answered the upgrade with another status than 101.
    WsUpgradeRefused,
    /// The server did not agree to a subprotocol we asked for.
    WsSubprotocolRefused,
    /// The server closed with an error code, or the connection broke without a close.
    WsClosedByServer,
    /// A message over the most one message may be.
    WsMessageTooLarge,
    // A gRPC call.
    /// The server answered with HTTP that is not gRPC (a wrong port, a proxy in between).
    GrpcNotGrpc,
    /// The server offers no reflection and no `.proto` files were given.
    GrpcNoReflection,
    /// The schema could not be read: `.proto` files that do not compile, a bad protoset.
    GrpcSchemaUnreadable,
    /// The schema has no such service or method.
    GrpcUnknownMethod,
    /// A message does not match its type in the schema.
    GrpcBadMessage,
    /// A response message over the most one may be.
    GrpcMessageTooLarge,
    /// The call ended with a status other than OK (a warning, with the code in words).
    GrpcStatus,
    // The body.
    BodyIncomplete,
    BodyTooLarge,
    DecodeFailed,
    OutputFailed,
    PartFileUnreadable,
    Cancelled,
    /// This machine ran out of file handles (EMFILE/ENFILE) before connecting.
    OutOfFileHandles,
    /// A profile this one `requires` failed, is missing, or loops: this one was not sent.
    RequirementFailed,
    // Warnings about our own key and settings (preflight).
    CredentialExpired,
    CredentialExpiring,
    CredentialNotYetValid,
    CredentialNotClientAuth,
    CredentialWeakKey,
    HttpWithCredential,
    MtlsOff,
    /// TLS secrets are being written to a key-log file (`--keylog`, SSLKEYLOGFILE).
    KeylogActive,
    /// A key bound to some hosts was not presented to a host a redirect led to.
    KeyWithheldOnRedirect,
    /// A key's renew command ran before the send (its certificate was in the renew window).
    KeyRenewed,
    /// A key's renew command failed or timed out; the key as it was is used.
    KeyRenewFailed,
    /// The key's certificate went in the `Client-Cert` header: no TLS client authentication.
    ClientCertInHeader,
    /// `--check-revocation` could not fetch a CRL the server's chain names.
    CrlUnavailable,
    /// A key named for the request was presented to another host after a redirect.
    KeyFollowedRedirect,
    // Warnings from the answer.
    ClientCaNotListed,
    HttpClientCertMissing,
    HttpClientCertRejected,
    // A key on a PKCS#11 token.
    TokenModuleMissing,
    TokenNotFound,
    TokenPinNeeded,
    TokenPinWrong,
    TokenLocked,
    TokenRemoved,
    TokenKeyNotFound,
    TokenCannotSign,
    /// A kind this certbench does not know, read back from an older or newer history.
    #[serde(other)]
    Other,
}

impl DiagnosisKind {
    /// The snake_case name, as in `--json`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Compares with the contract's name (`kind == "timeout"`), as scripts and tests read it.
impl PartialEq<&str> for DiagnosisKind {
    fn eq(&self, name: &&str) -> bool {
        self.as_str() == *name
    }
}

#[cfg(test)]
mod tests {
    use super::DiagnosisKind;
    use strum::IntoEnumIterator;

    #[test]
    fn serde_and_display_names_agree_and_parse_back() {
        for kind in DiagnosisKind::iter() {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, kind.as_str(), "{kind:?}");
            assert_eq!(kind.as_str().parse::<DiagnosisKind>().unwrap(), kind);
        }
        assert_eq!(
            DiagnosisKind::Http2ProtocolError.as_str(),
            "http2_protocol_error"
        );
        let old: DiagnosisKind = serde_json::from_str("\"file_missing\"").unwrap();
        assert_eq!(old, DiagnosisKind::Other);
    }
}
