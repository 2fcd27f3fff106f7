//! What can go wrong with the history, with its source kept.

use crate::cause::Cause;
use rusqlite::ErrorCode;
use std::path::Path;

#[derive(Debug, Clone, thiserror::Error)]
pub enum HistoryError {
    #[error(
        "history is unavailable ({reason}) at {path}; sending still works, this send is not recorded"
    )]
    Unavailable {
        path: String,
        /// Our words for the cause (a full disk, a read-only folder), else SQLite's or the OS's.
        reason: String,
        #[source]
        source: Cause,
    },
    #[error("no history entry #{0}: it was deleted, or never recorded")]
    NotFound(i64),
    #[error("cannot write history: {words}")]
    Write {
        words: String,
        #[source]
        source: Cause,
    },
    #[error("history entry #{id} cannot be read ({reason}); delete it")]
    Damaged { id: i64, reason: String },
}
/// Why the history cannot be opened; a full or read-only disk is named as such, whatever
/// SQLite's own words for it were ("disk I/O error", "unable to open database file").
pub(super) fn unavailable(
    path: &Path,
    e: impl std::error::Error + Send + Sync + 'static,
) -> HistoryError {
    let reason = match crate::home::space(path).cause() {
        Some(cause) => cause.to_string(),
        None => e.to_string(),
    };
    HistoryError::Unavailable {
        path: path.display().to_string(),
        reason,
        source: Cause::of(e),
    }
}
pub(super) fn write_error(e: rusqlite::Error) -> HistoryError {
    let words = match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => {
            "disk full; the send itself is unaffected. Free some space, or clear the history".into()
        }
        Some(ErrorCode::ReadOnly) => {
            "the home folder cannot be written (read-only); `history list` and `show` still work"
                .into()
        }
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "the database is locked by another process; the send itself is unaffected".into()
        }
        _ => format!("{e}; the send itself is unaffected"),
    };
    HistoryError::Write {
        words,
        source: Cause::of(e),
    }
}
pub(super) fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}
