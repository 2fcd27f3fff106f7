//! Why a key file or keystore entry could not be used, in words that name the cause and the next step.

use crate::cause::IoCause;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: IoCause,
    },
    #[error("wrong password for {what}: check it and try again")]
    WrongPassword { what: String },
    #[error("{what} is password-protected: give its password")]
    PasswordNeeded { what: String },
    #[error("unsupported algorithm: {algorithm}; {hint}")]
    Unsupported { algorithm: String, hint: String },
    #[error(
        "the private key does not match the certificate {subject}: pick the key file that belongs to this certificate"
    )]
    KeyMismatch { subject: String },
    #[error(
        "{what} is not a certificate ({reason}): give a PEM or DER X.509 certificate, or a PKCS#12 file"
    )]
    NotACertificate { what: String, reason: String },
    #[error("{what} holds no private key: give its key file, or a PKCS#12 file that contains one")]
    NoKey { what: String },
    #[error("{what} is not a readable {format}: {reason}")]
    Format {
        what: String,
        format: String,
        reason: String,
    },
    #[error("no {entry} named {name:?}{}", known.words("there are"))]
    NotFound {
        entry: Entry,
        name: String,
        known: crate::names::Known,
    },
    #[error("a {entry} named {name:?} already exists: delete it first or pick another name")]
    Exists { entry: Entry, name: String },
    #[error("{0}")]
    BadName(crate::home::BadName),
    /// A key on a PKCS#11 token that cannot be used now.
    #[error(transparent)]
    Token(#[from] crate::keys::token::TokenError),
    #[error("cannot write the keystore at {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: IoCause,
    },
}

/// What a keystore name refers to: a client key, or a trusted server certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    Key,
    Trust,
}

impl std::fmt::Display for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Entry::Key => "key",
            Entry::Trust => "trusted certificate",
        })
    }
}
