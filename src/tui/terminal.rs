//! Terminal set-up and restore on every exit path: quit, error, panic (ratatui's hook) and SIGTERM.

use std::io::Write;

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};

pub fn init() -> ratatui::DefaultTerminal {
    let terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), EnableMouseCapture);
    terminal
}

pub fn restore() {
    let _ = crossterm::execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    let _ = std::io::stdout().flush();
}
