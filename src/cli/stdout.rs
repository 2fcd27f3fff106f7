//! Standard output for the CLI: a closed pipe (`certbench ... | head -1`) ends the output quietly, never a panic.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write fails (the reader went away); later output is dropped and the command
/// still returns its own exit code.
static CLOSED: AtomicBool = AtomicBool::new(false);

pub fn write_all(bytes: &[u8]) {
    write_bytes(|out| out.write_all(bytes));
}

/// Streams through a buffered writer (a large body is written as it is produced, never joined).
pub fn write_with(write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
    write_bytes(|out| {
        let mut buf = std::io::BufWriter::with_capacity(256 << 10, out);
        write(&mut buf)?;
        buf.flush()
    });
}

fn write_bytes(write: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>) {
    if CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = std::io::stdout().lock();
    if write(&mut out).and_then(|()| out.flush()).is_err() {
        CLOSED.store(true, Ordering::Relaxed);
    }
}

/// Writes a message for people: control characters from outside (a server's names, a profile's
/// name) are shown escaped, never sent to the terminal raw. Bodies go through [`write_all`].
pub fn write_text(text: &str) {
    write_all(engine::sanitize::text(text).as_bytes());
}

/// The same on standard error.
pub fn error_text(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(engine::sanitize::text(text).as_bytes());
}

/// Asks `question` on the terminal and reads a line: true for y or yes (any case).
pub fn confirm(question: &str) -> bool {
    error_text(&format!("{question} [y/N] "));
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// `print!` through [`write_text`].
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::stdout::write_text(&format!($($arg)*)) };
}

/// `println!` through [`write_text`].
macro_rules! outln {
    () => { $crate::cli::stdout::write_all(b"\n") };
    ($($arg:tt)*) => { $crate::cli::stdout::write_text(&format!("{}\n", format_args!($($arg)*))) };
}

/// `eprintln!` through [`error_text`].
macro_rules! errln {
    () => { $crate::cli::stdout::error_text("\n") };
    ($($arg:tt)*) => { $crate::cli::stdout::error_text(&format!("{}\n", format_args!($($arg)*))) };
}
