//! Terminal set-up and restore on every exit path: quit, error, panic (the hook set in `init`), SIGTERM and a hang-up.

use std::io::{BufWriter, Stdout, Write};

use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste,
    EnableFocusChange, EnableMouseCapture,
};
use ratatui::backend::CrosstermBackend;

/// The workbench's terminal. Each frame leaves in one write: std's stdout buffers 1 KiB, which
/// cut a 120x40 frame into five writes (five packets over SSH, and a terminal that shows the
/// frame half-drawn in between). `draw` flushes at the end of every frame.
pub type Screen = ratatui::Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Room for a full frame of a large terminal: about 20 bytes a changed cell.
const FRAME_BYTES: usize = 256 * 1024;

/// Raw mode, the alternate screen, mouse reports, bracketed paste (a paste arrives as one text,
/// never as keys that would run commands) and focus reports (files are read again on return).
/// A panic restores the terminal before its message is printed.
pub fn init() -> std::io::Result<Screen> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        hook(info);
    }));
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        EnableFocusChange
    )?;
    let out = BufWriter::with_capacity(FRAME_BYTES, std::io::stdout());
    ratatui::Terminal::new(CrosstermBackend::new(out))
}

/// Modes off, the main screen back, the cursor shown. Never prints: after a hang-up (an SSH
/// session that dropped) the terminal is gone, and `eprintln!` to it panics; in the panic hook
/// that second panic aborted the process, so `certbench demo` left its temporary home, with the
/// demo's private keys, in /tmp.
pub fn restore() {
    let mut out = std::io::stdout();
    let _ = crossterm::execute!(
        out,
        DisableFocusChange,
        DisableBracketedPaste,
        DisableMouseCapture,
        crossterm::terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = crossterm::terminal::disable_raw_mode();
    let _ = out.flush();
}

/// Gives the terminal back and lets go of `screen`. ratatui's drop shows a hidden cursor and
/// prints to stderr when it cannot, which panics on a gone terminal; so a screen whose cursor
/// cannot be shown is forgotten instead (the process is ending).
pub fn close(mut screen: Screen) {
    if screen.show_cursor().is_err() {
        std::mem::forget(screen);
    }
    restore();
}

/// A line to stderr that is dropped when stderr is gone (`eprintln!` would panic).
pub fn say(line: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr(), "{line}");
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
