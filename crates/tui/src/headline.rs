//! A failure's cause in a few words (at most 44 characters), for the response's status line at
//! 80 columns; the whole story is in the Problem view.

use engine::diagnose::kind::DiagnosisKind as K;

pub fn headline(kind: K) -> &'static str {
    match kind {
        K::CredentialMissing => "the key named is not in the keystore",
        K::TrustMissing => "a trusted certificate named is missing",
        K::InvalidCredential => "the key cannot be used",
        K::InvalidRequest => "the request is not valid",
        K::ClientCertRequired => "no client certificate was sent",
        K::ClientCertUnknownCa => "the server does not know our key's CA",
        K::ClientCertExpired => "the server says our key has expired",
        K::ClientCertRevoked => "the server says our key is revoked",
        K::ClientCertBad => "the server rejected our key as bad",
        K::ClientCertRejected => "the server rejected our key",
        K::ClientCertPostHandshake => "the server asked for a key too late",
        K::ClientCertNotRequested => "the server never asked for a key",
        K::ServerCertUntrusted => "server certificate not trusted",
        K::ServerCertExpired => "the server's certificate has expired",
        K::ServerCertNotYetValid => "the server's certificate is not valid yet",
        K::ServerCertRevoked => "the server's certificate is revoked",
        K::ServerCertInvalid => "the server's certificate is not valid",
        K::ServerNameMismatch => "server certificate is for another name",
        K::PinMismatch => "the server's key does not match the pin",
        K::Unverified => "the server was not verified",
        K::ProtocolMismatch => "no TLS version or cipher in common",
        K::TlsConfig => "the TLS settings cannot be used",
        K::TlsError => "the TLS handshake failed",
        K::ClientBuild => "the HTTP client could not be made",
        K::Transport => "the connection failed",
        K::Timeout => "no answer within the time limit",
        K::ConnectionRefused => "nothing listens at that address",
        K::ConnectionClosed => "the server closed the connection",
        K::ProxyUnreachable => "the proxy cannot be reached",
        K::ProxyAuthRequired => "the proxy wants credentials",
        K::ProxyRefused => "the proxy refused the connection",
        K::Dns => "the host name does not resolve",
        K::Http2ProtocolError => "the server broke the HTTP/2 protocol",
        K::ResponseHeadersTooLarge => "the answer's headers are too large",
        K::BadRedirect => "a redirect could not be followed",
        K::RedirectNotHttp => "a redirect leads out of HTTP",
        K::TooManyRedirects => "too many redirects",
        K::WsUpgradeRefused => "the server refused the WebSocket",
        K::WsSubprotocolRefused => "the server refused the subprotocol",
        K::WsClosedByServer => "the server closed the WebSocket",
        K::WsMessageTooLarge => "a WebSocket message is too large",
        K::GrpcNotGrpc => "the server does not speak gRPC there",
        K::GrpcNoReflection => "no reflection and no .proto files",
        K::GrpcSchemaUnreadable => "the gRPC schema cannot be read",
        K::GrpcUnknownMethod => "the server has no such gRPC method",
        K::GrpcBadMessage => "a message does not fit its gRPC type",
        K::GrpcMessageTooLarge => "a gRPC message is too large",
        K::GrpcStatus => "the gRPC call did not end OK",
        K::BodyIncomplete => "the body arrived incomplete",
        K::BodyTooLarge => "the body is over its size limit",
        K::DecodeFailed => "the body could not be decoded",
        K::OutputFailed => "the body could not be written",
        K::PartFileUnreadable => "a multipart file cannot be read",
        K::Cancelled => "cancelled",
        K::OutOfFileHandles => "this machine ran out of file handles",
        K::RequirementFailed => "a required profile failed first",
        K::CredentialExpired => "our key has expired",
        K::CredentialExpiring => "our key expires soon",
        K::CredentialNotYetValid => "our key is not valid yet",
        K::CredentialNotClientAuth => "our key is not for client auth",
        K::CredentialWeakKey => "our key is weak",
        K::HttpWithCredential => "a key with plain http:// is not sent",
        K::MtlsOff => "mutual TLS is off for this request",
        K::KeylogActive => "TLS secrets are written to a key log",
        K::KeyWithheldOnRedirect => "the key was withheld after a redirect",
        K::KeyRenewed => "the key was renewed before sending",
        K::KeyRenewFailed => "the key's renew command failed",
        K::ClientCertInHeader => "the key went in a header, not TLS",
        K::CrlUnavailable => "a revocation list could not be read",
        K::KeyFollowedRedirect => "the key went to a redirect's host",
        K::ClientCaNotListed => "the server does not list our key's CA",
        K::HttpClientCertMissing => "the server says no key was sent",
        K::HttpClientCertRejected => "the server rejected our key (HTTP)",
        K::TokenModuleMissing => "the PKCS#11 module is missing",
        K::TokenNotFound => "the token is not there",
        K::TokenPinNeeded => "the token needs its PIN",
        K::TokenPinWrong => "the token's PIN is wrong",
        K::TokenLocked => "the token is locked",
        K::TokenRemoved => "the token was removed",
        K::TokenKeyNotFound => "the key is not on the token",
        K::TokenCannotSign => "the token cannot sign with the key",
        K::Other => "something failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn every_headline_fits_the_status_line_at_80_columns() {
        for kind in K::iter() {
            let h = headline(kind);
            assert!(h.chars().count() <= 44, "{kind}: {h}");
            assert!(!h.is_empty(), "{kind}");
        }
    }
}
