//! Terminal set-up and restore on every exit path: quit, error, panic (ratatui's hook) and SIGTERM.

use std::io::Write;

use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste,
    EnableFocusChange, EnableMouseCapture,
};

/// Raw mode, the alternate screen, mouse reports, bracketed paste (a paste arrives as one text,
/// never as keys that would run commands) and focus reports (files are read again on return).
pub fn init() -> ratatui::DefaultTerminal {
    let terminal = ratatui::init();
    let _ = crossterm::execute!(
        std::io::stdout(),
        EnableMouseCapture,
        EnableBracketedPaste,
        EnableFocusChange
    );
    terminal
}

pub fn restore() {
    let _ = crossterm::execute!(
        std::io::stdout(),
        DisableFocusChange,
        DisableBracketedPaste,
        DisableMouseCapture
    );
    ratatui::restore();
    let _ = std::io::stdout().flush();
}

/// Hands the terminal to another program: modes off, the main screen back, the cursor shown.
pub fn suspend() {
    let _ = crossterm::execute!(
        std::io::stdout(),
        DisableFocusChange,
        DisableBracketedPaste,
        DisableMouseCapture,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = std::io::stdout().flush();
}

/// Takes the terminal back after [`suspend`]: raw mode, the alternate screen and the reports.
pub fn resume() {
    let _ = crossterm::terminal::enable_raw_mode();
    let _ = crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        EnableFocusChange
    );
}
