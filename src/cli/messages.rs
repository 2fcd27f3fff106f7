//! A WebSocket's messages from the command line: `--message TEXT` or `@FILE`, and the lines of
//! stdin when it is not a terminal, sent as they are read.

use std::path::Path;

use engine::home;

/// A `--message`: the text, or with `@FILE` the file's content (a text file, at most 16 MiB).
pub(super) fn message_text(m: &str) -> Result<String, String> {
    let Some(path) = m.strip_prefix('@') else {
        return Ok(m.to_string());
    };
    let bytes = home::read_bounded(
        Path::new(path),
        engine::body::messages::DEFAULT_MAX_MESSAGE_BYTES as u64,
    )
    .map_err(|e| format!("--message @{path}: {e}"))?;
    String::from_utf8(bytes).map_err(|_| {
        format!("--message @{path}: the file is not UTF-8 text; a message is sent as text")
    })
}

/// Lines of stdin as WebSocket messages, when stdin is not a terminal (a pipe, a file); each
/// line is sent as it is read. None when stdin is a terminal: nothing is read from it.
pub(super) fn stdin_lines() -> Option<engine::body::messages::Outbox> {
    use engine::body::messages::{Outbox, Outgoing};
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return None;
    }
    let (to, outbox) = Outbox::channel(16);
    // A plain thread: stdin blocks, and the send must not wait for it to end.
    std::thread::spawn(move || {
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            if to.blocking_send(Outgoing::Text(line)).is_err() {
                break;
            }
        }
    });
    Some(outbox)
}
