//! The engine: profiles, keystore, request preparation, transport and diagnosis; no UI code here.
//!
//! The life of a send, one folder or file per step (`pipeline.rs` runs it for every interface):
//!
//! ```text
//!  request/         net/route     net/connect    net/handshake     net/exchange_body  body/          history/
//!  prepare    ->    route    ->   connect   ->   handshake    ->   exchange      ->   body     ->   record
//!  Profile+Vars     proxy, DNS,   TCP, CONNECT   rustls + keys/    status, headers,   decode, cap,   redacted
//!  -> Prepared-     overrides     tunnel         (the key, trust,  redirects          index lines    SQLite row
//!     Request                                     pins, key log)
//!        \_________________ any step may end in a diagnose::Failure (kind + Fix) _______________/
//! ```
//!
//! - `request::profile::Profile` (one TOML file) + `request::vars::Vars` ->
//!   `request::prepare::prepare` -> `PreparedRequest`;
//! - `net::transport::Transport::send_within` presents the key from `keys::keystore` over
//!   rustls, follows redirects, streams the body through `body::bodysink` (decoded, capped) and
//!   indexes it (`body::bodylines`), all under a `budget::Budget`;
//! - it ends in an `exchange::Exchange`, or a `diagnose::Failure` whose `Diagnosis` has a
//!   `diagnose::kind::DiagnosisKind` and names a `diagnose::fix::Fix` that each interface words;
//! - `history::History` records it (redacted by `history::redact`); `history::compare` diffs two.

/// `From<E> for String` for typed errors still passed on by callers that hold a message: the
/// error's own words, so a caller never rewords it.
macro_rules! worded {
    ($($error:ty),+ $(,)?) => {
        $(impl From<$error> for String {
            fn from(e: $error) -> String {
                e.to_string()
            }
        })+
    };
}

pub mod body;
pub mod budget;
pub mod cause;
pub mod clock;
pub mod destination;
pub mod diagnose;
pub mod exchange;
pub mod exchange_grpc;
#[doc(hidden)]
pub mod fuzzing;
pub mod headers;
pub mod history;
pub mod home;
pub mod interop;
pub mod keys;
pub mod names;
pub mod net;
pub mod pipeline;
pub mod request;
pub mod sanitize;
pub mod size;
