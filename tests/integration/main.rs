//! The integration tests in one binary (one link): the real binary, real servers, real terminals.

mod cli;
mod common;
mod curl;
mod diagnose;
mod floods;
mod history;
mod hostile;
mod imports;
mod keyfiles;
mod keystore;
mod proxy;
mod readme;
mod route;
mod run;
mod servers;
mod snapshots;
mod streams;
mod teams;
mod token;
mod transport;
mod tui_e2e;
mod tui_state;
mod untrusted;
mod verdicts;
mod websocket;
mod writes;
