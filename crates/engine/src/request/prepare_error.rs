//! Why a profile could not be made into a request: its own problem, a variable with no value,
//! a URL, a route or a multipart file that cannot be used.

use crate::net::route;
use crate::request::profile_error::ProfileError;
use crate::request::vars::VarError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PrepareError {
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error("{field}: {source}")]
    Var { field: String, source: VarError },
    #[error("invalid URL {url:?}: {reason}")]
    Url { url: String, reason: String },
    #[error("{0}")]
    Invalid(String),
    /// A field of the profile that breaks a rule.
    #[error(transparent)]
    Rule(#[from] crate::request::profile_check::Invalid),
    /// A proxy, address override or pin that cannot be used.
    #[error(transparent)]
    Route(#[from] route::RouteError),
    #[error("multipart part {name:?}: file {path} {reason}: fix the path before sending")]
    MissingFile {
        name: String,
        path: String,
        reason: String,
    },
}
