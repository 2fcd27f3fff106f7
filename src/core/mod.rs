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

pub mod bindings;
pub mod bodylines;
pub mod bodysink;
pub mod budget;
pub mod capture;
pub mod cause;
pub mod certinfo;
pub mod chain;
pub mod check;
pub mod clock;
pub mod compare;
mod connect;
pub mod cookies;
pub mod curl;
pub mod curl_export;
pub mod curl_options;
pub mod destination;
pub mod diagnose;
pub mod environment;
pub mod exchange;
pub mod expect;
pub mod handshake;
pub mod headers;
pub mod history;
pub mod home;
pub mod keyerror;
pub mod keyfault;
pub mod keyfile;
pub mod keystore;
pub mod kind;
pub mod phases;
pub mod pipeline;
pub mod placement;
pub mod prepare;
pub mod probe;
pub mod profile;
pub mod redact;
pub mod route;
pub mod runner;
pub mod sanitize;
pub mod shell_words;
pub mod signer;
pub mod size;
pub mod tlswords;
pub mod token;
pub mod transport;
pub mod vars;
