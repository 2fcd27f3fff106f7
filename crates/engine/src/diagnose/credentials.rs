//! Key and token failures in words.

use crate::diagnose::fix::Fix;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::Diagnosis;
use crate::keys::keystore::{Entry, KeyError};
use crate::keys::token::TokenError;

pub fn key_failure(e: &KeyError) -> Diagnosis {
    if let KeyError::Token(t) = e {
        return token_failure(t);
    }
    let kind = match e {
        KeyError::NotFound {
            entry: Entry::Key, ..
        } => DiagnosisKind::CredentialMissing,
        KeyError::NotFound { .. } => DiagnosisKind::TrustMissing,
        _ => DiagnosisKind::InvalidCredential,
    };
    let fix = match e {
        KeyError::PasswordNeeded { .. } => Fix::GiveKeyPassword,
        KeyError::NoKey { .. } => Fix::GivePrivateKey,
        _ => Fix::ListKeys,
    };
    Diagnosis::new(kind, e.to_string(), "").with_step(fix)
}

/// A key on a token that cannot be used: its own kind, and what to do.
pub fn token_failure(t: &TokenError) -> Diagnosis {
    use crate::keys::token::TokenProblem as P;
    let (kind, hint) = match t.problem {
        P::ModuleMissing => (
            DiagnosisKind::TokenModuleMissing,
            "install the token's PKCS#11 module",
        ),
        P::TokenNotFound => (
            DiagnosisKind::TokenNotFound,
            "insert the token; `p11tool --list-tokens` shows the labels",
        ),
        P::PinNeeded => (DiagnosisKind::TokenPinNeeded, ""),
        P::PinWrong => (
            DiagnosisKind::TokenPinWrong,
            "check the PIN: each wrong try counts towards locking the token",
        ),
        P::PinLocked => (
            DiagnosisKind::TokenLocked,
            "unlock the token with its PUK or SO PIN (its vendor's tool)",
        ),
        P::Removed => (
            DiagnosisKind::TokenRemoved,
            "insert the token and send again",
        ),
        P::CertificateMissing => (DiagnosisKind::TokenKeyNotFound, ""),
        P::KeyNotFound => (
            DiagnosisKind::TokenKeyNotFound,
            "check the key's label or id: `p11tool --list-privkeys --login`",
        ),
        // The message says what the URI lacks and what to write.
        P::BadUri => (DiagnosisKind::InvalidCredential, ""),
        P::CannotSign | P::Other => (
            DiagnosisKind::TokenCannotSign,
            "check that the key may sign (CKA_SIGN) and that the token offers RSA or ECDSA signing",
        ),
    };
    let d = Diagnosis::new(kind, t.message.clone(), hint);
    match t.problem {
        P::ModuleMissing => d.with_step(Fix::PointAtTokenModule),
        P::PinNeeded => d.with_step(Fix::GiveTokenPin),
        P::CertificateMissing => d.with_step(Fix::GiveCertificate),
        _ => d,
    }
}
