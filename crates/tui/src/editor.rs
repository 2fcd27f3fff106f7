//! Ctrl-E: text handed to the person's `$VISUAL` or `$EDITOR` (else `vi`) in a private temporary
//! file, and read back once the editor exits. The terminal is the editor's meanwhile.

use std::io::Write;

/// The most that is read back: what a profile or a body in the form may hold.
const READ_BACK_LIMIT: u64 = 16 << 20;

/// Which text is edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditTarget {
    /// The form's body.
    Body,
    /// The whole profile, as TOML.
    Profile,
}

/// The editor's command: `$VISUAL`, else `$EDITOR`, else `vi`.
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|e| !e.trim().is_empty()))
        .unwrap_or_else(|| "vi".to_string())
}

/// Runs the editor on `text` (a file ending in `suffix`, 0600, removed after) and returns what
/// it holds when the editor exits with success.
pub fn edit(text: &str, suffix: &str) -> Result<String, String> {
    let mut file = tempfile::Builder::new()
        .prefix("certbench-")
        .suffix(suffix)
        .tempfile()
        .map_err(|e| format!("cannot make a temporary file: {e}"))?;
    file.write_all(text.as_bytes())
        .and_then(|_| file.flush())
        .map_err(|e| format!("cannot write the temporary file: {e}"))?;
    let editor = editor_command();
    // Through sh, so an EDITOR with arguments ("code --wait") works as in git.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(file.path())
        .status()
        .map_err(|e| format!("cannot start {editor}: {e}"))?;
    // 127: the shell found no such command.
    if status.code() == Some(127) {
        return Err(format!(
            "cannot run {editor}: set $EDITOR (or $VISUAL); nothing changed"
        ));
    }
    if !status.success() {
        return Err(format!("{editor} exited with {status}: nothing changed"));
    }
    let bytes = engine::home::read_bounded(file.path(), READ_BACK_LIMIT)
        .map_err(|e| format!("cannot read the edited file back: {e}"))?;
    String::from_utf8(bytes).map_err(|_| "the edited text is not UTF-8: nothing changed".into())
}
