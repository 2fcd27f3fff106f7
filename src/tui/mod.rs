//! The interactive workbench (ratatui): form, key picker, response, history.

use std::path::Path;

pub fn run(
    _profiles: &Path,
    _home: &Path,
    _vars: crate::core::vars::Vars,
    _rt: Option<tokio::runtime::Handle>,
) -> i32 {
    eprintln!("the TUI is not built yet");
    1
}
