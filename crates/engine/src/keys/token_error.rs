//! Why a key on a PKCS#11 token cannot be used: the problem (each with its diagnosis kind) and
//! the words of the module's own error.

use cryptoki::error::{Error as CkError, RvError};

/// Why a token key cannot be used; each has its own diagnosis kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// The `pkcs11:` URI itself does not say which token and key (or carries a PIN).
    BadUri,
    ModuleMissing,
    TokenNotFound,
    PinNeeded,
    PinWrong,
    PinLocked,
    Removed,
    KeyNotFound,
    /// The key is there but the token holds no certificate for it.
    CertificateMissing,
    CannotSign,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TokenError {
    pub problem: TokenProblem,
    pub message: String,
}

impl TokenError {
    pub(super) fn new(problem: TokenProblem, message: impl Into<String>) -> TokenError {
        TokenError {
            problem,
            message: message.into(),
        }
    }

    /// A PKCS#11 error in words, with what was being done.
    pub(super) fn from_ck(e: CkError, doing: &str, token: &str) -> TokenError {
        let problem = match &e {
            CkError::Pkcs11(rv, _) => match rv {
                RvError::PinIncorrect => TokenProblem::PinWrong,
                RvError::PinLocked => TokenProblem::PinLocked,
                RvError::TokenNotPresent
                | RvError::DeviceRemoved
                | RvError::SessionHandleInvalid
                | RvError::SessionClosed => TokenProblem::Removed,
                RvError::MechanismInvalid | RvError::KeyFunctionNotPermitted => {
                    TokenProblem::CannotSign
                }
                _ => TokenProblem::Other,
            },
            CkError::LibraryLoading(_) => TokenProblem::ModuleMissing,
            _ => TokenProblem::Other,
        };
        let message = match problem {
            TokenProblem::PinWrong => format!(
                "wrong PIN for token {token}: check it (each wrong try counts towards locking the token)"
            ),
            TokenProblem::PinLocked => format!(
                "token {token} is locked after too many wrong PINs: unlock it with its PUK or SO PIN (your token's tool)"
            ),
            TokenProblem::Removed => format!(
                "token {token} was removed (or its session closed) while {doing}: insert it and send again"
            ),
            _ => format!("token {token}: {doing} failed: {e}"),
        };
        TokenError { problem, message }
    }
}
