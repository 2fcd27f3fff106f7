//! The interactive workbench (ratatui): form, key picker, response, history.

use std::path::Path;

pub fn run(_profiles: &Path, _vars: Option<crate::core::vars::Vars>) -> i32 {
    eprintln!("the TUI is not built yet");
    1
}

pub fn demo(_serve: bool, _port: u16) -> i32 {
    1
}
