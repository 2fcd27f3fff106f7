//! The engine: profiles, keystore, request preparation, transport and diagnosis; no UI code here.
//!
//! The life of a send (`pipeline.rs` runs it for the CLI and the TUI alike):
//! - `profile::Profile` (one TOML file) + `vars::Vars` -> `prepare::prepare` -> `PreparedRequest`;
//! - `transport::Transport::send_within` presents the key from `keystore` over rustls, follows
//!   redirects, streams the body through `bodysink` (decoded, capped) and indexes it
//!   (`bodylines`), all under a `budget::Budget`;
//! - it ends in an `exchange::Exchange`, or a `diagnose::Failure` whose `Diagnosis` has a
//!   `kind::DiagnosisKind` (add a kind there, explain it in `diagnose::explain`);
//! - `history::History` records it (redacted by `redact`), `compare` diffs two of them.

pub mod body;
pub mod budget;
pub mod cause;
pub mod clock;
pub mod destination;
pub mod diagnose;
pub mod exchange;
#[doc(hidden)]
pub mod fuzzing;
pub mod headers;
pub mod history;
pub mod home;
pub mod interop;
pub mod keys;
pub mod net;
pub mod pipeline;
pub mod request;
pub mod sanitize;
pub mod size;
