//! Why a profile could not be read, found or saved.

use crate::cause::IoCause;
use crate::names::Known;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProfileError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        #[source]
        source: IoCause,
    },
    #[error("{path}:{line}: {message}{hint}")]
    Syntax {
        path: String,
        line: usize,
        message: String,
        hint: String,
    },
    #[error("profile {name:?}: {message}")]
    Invalid { name: String, message: String },
    #[error("no profile named {name:?} in {dir}{}", known.words("it holds"))]
    NotFound {
        name: String,
        dir: String,
        known: Known,
    },
    #[error("cannot save {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: IoCause,
    },
    /// The file is no longer what was loaded: someone else changed it since.
    #[error("{path} changed on disk since it was opened; nothing was written")]
    ChangedOnDisk { path: String },
}
