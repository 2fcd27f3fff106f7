//! certbench: a workbench for HTTP APIs that authenticate clients with certificates.

pub mod cli;
pub mod core;
pub mod demo;
#[doc(hidden)]
pub mod fuzzing;
pub mod tui;
