//! The engine: profiles, keystore, request preparation, transport and diagnosis; no UI code here.

pub mod bodylines;
pub mod bodysink;
pub mod budget;
pub mod certinfo;
pub mod compare;
pub mod cookies;
pub mod diagnose;
pub mod exchange;
pub mod history;
pub mod home;
pub mod keyerror;
pub mod keyfile;
pub mod keystore;
pub mod kind;
pub mod pipeline;
pub mod prepare;
pub mod profile;
pub mod redact;
pub mod signer;
pub mod size;
pub mod transport;
pub mod vars;
