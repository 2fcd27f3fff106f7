//! rustls's and webpki's error names put in words, so no message shows a raw `CaUsedAsEndEntity` or `AlertReceived(AccessDenied)`.

use rustls::{AlertDescription, CertificateError, Error};

/// A TLS alert by its RFC name and what it means.
pub fn alert_words(alert: AlertDescription) -> String {
    use AlertDescription as A;
    let (name, meaning) = match alert {
        A::CloseNotify => ("close_notify", "the peer closed the connection"),
        A::UnexpectedMessage => ("unexpected_message", "a message came out of order"),
        A::BadRecordMac => ("bad_record_mac", "a record did not decrypt"),
        A::HandshakeFailure => (
            "handshake_failure",
            "no acceptable set of security parameters",
        ),
        A::BadCertificate => (
            "bad_certificate",
            "the certificate is malformed or its signature does not verify",
        ),
        A::UnsupportedCertificate => (
            "unsupported_certificate",
            "the certificate's type is not supported",
        ),
        A::CertificateRevoked => (
            "certificate_revoked",
            "the certificate was revoked by its issuer",
        ),
        A::CertificateExpired => (
            "certificate_expired",
            "the certificate has expired or is not yet valid",
        ),
        A::CertificateUnknown => (
            "certificate_unknown",
            "the certificate could not be accepted, for an unstated reason",
        ),
        A::IllegalParameter => ("illegal_parameter", "a handshake field was out of range"),
        A::UnknownCA => ("unknown_ca", "the certificate's issuer is not trusted"),
        A::AccessDenied => (
            "access_denied",
            "the certificate is valid, but access is refused",
        ),
        A::DecodeError => ("decode_error", "a message could not be decoded"),
        A::DecryptError => (
            "decrypt_error",
            "a signature or key exchange did not verify",
        ),
        A::ProtocolVersion => ("protocol_version", "no TLS version in common"),
        A::InsufficientSecurity => (
            "insufficient_security",
            "the offered ciphers are too weak for the peer",
        ),
        A::InternalError => ("internal_error", "the peer failed on its own side"),
        A::UserCanceled => ("user_canceled", "the peer canceled the handshake"),
        A::MissingExtension => ("missing_extension", "a required extension was not sent"),
        A::UnsupportedExtension => ("unsupported_extension", "an extension was not expected"),
        A::UnrecognisedName => (
            "unrecognized_name",
            "the server knows no site by that name (SNI)",
        ),
        A::CertificateRequired => ("certificate_required", "a client certificate is required"),
        A::NoApplicationProtocol => ("no_application_protocol", "no protocol in common (ALPN)"),
        other => return format!("the alert {other:?}"),
    };
    format!("the alert {name}: {meaning}")
}

/// A certificate error in words.
pub fn certificate_words(e: &CertificateError) -> String {
    use CertificateError as C;
    match e {
        C::BadEncoding => "the certificate is not valid DER".into(),
        C::Expired | C::ExpiredContext { .. } => "the certificate has expired".into(),
        C::NotValidYet | C::NotValidYetContext { .. } => "the certificate is not valid yet".into(),
        C::Revoked => "the certificate was revoked".into(),
        C::UnhandledCriticalExtension => {
            "the certificate has a critical extension no client here understands".into()
        }
        C::UnknownIssuer => "its issuer is not trusted here".into(),
        C::UnknownRevocationStatus => "its revocation status is unknown".into(),
        C::BadSignature => "its signature does not verify".into(),
        C::UnsupportedSignatureAlgorithmContext { .. } => {
            "it is signed with an algorithm certbench does not accept".into()
        }
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            "it is not valid for this host name".into()
        }
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => {
            "its extended key usage does not allow this use".into()
        }
        C::Other(o) => match o.0.downcast_ref::<webpki::Error>() {
            Some(w) => webpki_words(w),
            None => o.to_string(),
        },
        other => format!("{other:?}"),
    }
}

/// A webpki error in words (the ones rustls passes through as `Other`).
pub fn webpki_words(e: &webpki::Error) -> String {
    use webpki::Error as W;
    match e {
        W::CaUsedAsEndEntity => {
            "it is a CA certificate (CA:TRUE) presented as a server's own, as a self-signed certificate often is".into()
        }
        W::EndEntityUsedAsCa => "a leaf certificate is used as a CA in the chain".into(),
        W::PathLenConstraintViolated => "the chain is longer than a CA allows".into(),
        W::NameConstraintViolation => "a CA's name constraints forbid this name".into(),
        W::MaximumPathDepthExceeded | W::MaximumPathBuildCallsExceeded => {
            "the chain is too long to verify".into()
        }
        W::UnsupportedCertVersion => "the certificate is not X.509 version 3".into(),
        W::ExtensionValueInvalid => "one of its extensions is malformed".into(),
        other => format!("{other}"),
    }
}

/// Any rustls error in words.
pub fn error_words(e: &Error) -> String {
    match e {
        Error::AlertReceived(a) => format!("the server sent {}", alert_words(*a)),
        Error::InvalidCertificate(c) => certificate_words(c),
        Error::NoCertificatesPresented => "the server presented no certificate".into(),
        Error::DecryptError => "a record did not decrypt".into(),
        Error::PeerIncompatible(p) => format!("the peer is incompatible: {p:?}"),
        Error::PeerMisbehaved(p) => format!("the peer broke the protocol: {p:?}"),
        Error::InvalidMessage(m) => format!("the peer sent a malformed message: {m:?}"),
        Error::HandshakeNotComplete => "the handshake did not complete".into(),
        Error::NoApplicationProtocol => "no application protocol in common (ALPN)".into(),
        Error::General(g) => g.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_raw_name_reaches_the_words() {
        let ca = CertificateError::Other(rustls::OtherError(std::sync::Arc::new(
            webpki::Error::CaUsedAsEndEntity,
        )));
        let text = error_words(&Error::InvalidCertificate(ca));
        assert!(text.contains("CA:TRUE"), "{text}");
        assert!(!text.contains("CaUsedAsEndEntity"), "{text}");
        let alert = error_words(&Error::AlertReceived(AlertDescription::AccessDenied));
        assert!(alert.contains("access_denied"), "{alert}");
        assert!(!alert.contains("AccessDenied"), "{alert}");
    }
}
