//! Why a send failed and what would fix it: the failure (data) apart from its explanation.
//!
//! `failure` holds what a send left behind; `explain` turns a failure into a `Diagnosis` (a cause
//! and a fix); `checks` runs before a send and after a response; `credentials` words key and
//! token errors; `kind` names every diagnosis; `tlswords` puts rustls's names in words.

mod checks;
mod credentials;
mod explain;
pub mod failure;
pub mod fix;
pub mod kind;
pub mod renewal;
pub mod tlswords;

pub use crate::keys::keyfault::Credential;
pub use checks::{
    after_response, ca_mismatch, host_of, http_cert_rejected, http_rejection, post_handshake,
    preflight, redirect_not_http,
};
pub use credentials::{key_failure, token_failure};
pub use explain::{explain, failing_url, timeout_diagnosis};
pub use failure::{Failure, HTTP_ANSWER_BODY, HttpAnswer, Probe, find_rustls_error};
