//! The SQLite file underneath: opening it (read-only too), its schema migrations, and setting a broken one aside.

use crate::clock::now_ms;
use rusqlite::{Connection, ErrorCode};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Each step takes the schema from version `i` to `i + 1`; a new version appends a step, never edits one.
pub(super) const MIGRATIONS: &[&str] = &[
    // 0 -> 1
    "CREATE TABLE entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at_ms INTEGER NOT NULL,
        profile TEXT NOT NULL,
        key_name TEXT,
        key_sha256 TEXT,
        method TEXT NOT NULL,
        url TEXT NOT NULL,
        status INTEGER,
        error_kind TEXT,
        status_is_error INTEGER NOT NULL DEFAULT 0,
        duration_ms REAL NOT NULL,
        profile_json TEXT NOT NULL,
        request_json TEXT NOT NULL,
        outcome_json TEXT NOT NULL,
        body BLOB,
        body_truncated INTEGER NOT NULL DEFAULT 0,
        content_type TEXT,
        parse INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX entries_profile ON entries(profile, id);",
    // 1 -> 2: a body in a table of its own, as the last column of its row, so it is written in
    // pieces through SQLite's blob handle and never held whole in SQLite's memory (a 10 MiB body
    // bound as a parameter was copied twice, 23 MB at the peak). Older rows keep `entries.body`.
    "CREATE TABLE bodies (id INTEGER PRIMARY KEY, body BLOB NOT NULL);
    CREATE TRIGGER entries_body_gone AFTER DELETE ON entries
        BEGIN DELETE FROM bodies WHERE id = OLD.id; END;",
];
pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}
/// An exclusive lock on `<history>.db.lock` for as long as it is held (flock: released by the
/// kernel if the process dies).
pub(super) fn recovery_lock(path: &Path) -> std::io::Result<std::fs::File> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path.with_extension("db.lock"))?;
    file.lock()?;
    Ok(file)
}
/// Moves the file to `history.db.broken-<secs>[-n]`, never over an earlier backup: the name is
/// claimed with a hard link, which fails when it exists.
pub(super) fn set_aside(path: &Path) -> std::io::Result<PathBuf> {
    let secs = now_ms() / 1000;
    for n in 0..1000 {
        let name = match n {
            0 => format!("db.broken-{secs}"),
            n => format!("db.broken-{secs}-{n}"),
        };
        let aside = path.with_extension(name);
        match std::fs::hard_link(path, &aside) {
            Ok(()) => {
                std::fs::remove_file(path)?;
                return Ok(aside);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(
        "1000 backups in one second: not setting another aside",
    ))
}
/// Opens, sets WAL and a busy timeout, and migrates forward. Another process opening, creating or
/// closing the file at the same moment can answer "busy" without waiting, so that is retried.
pub(super) fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let deadline = std::time::Instant::now() + BUSY_WAIT;
    loop {
        match connect_once(path) {
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}
pub(super) const BUSY_WAIT: Duration = Duration::from_secs(3);
pub(super) fn connect_once(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    restrict(path);
    conn.busy_timeout(BUSY_WAIT)?;
    // The first statement that reads the file: a corrupt file fails here.
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        conn.pragma_update(None, "journal_mode", "WAL")?;
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    // A 512 KiB page cache, not SQLite's 2 MiB: a send writes its body once in 64 KiB pieces and
    // the workbench reads a page of entries, so a larger cache only adds to the peak.
    conn.pragma_update(None, "cache_size", -512)?;
    migrate(&conn)?;
    // WAL mode made its two companions by now: they hold the same rows, so the same mode.
    for ext in ["db-wal", "db-shm"] {
        restrict(&path.with_extension(ext));
    }
    Ok(conn)
}
/// A read-only connection that writes nothing, not even the WAL's companions: read-only mode
/// first, then SQLite's `immutable` mode where the `-shm` file cannot be created.
pub(super) fn connect_read_only(path: &Path) -> rusqlite::Result<Connection> {
    use rusqlite::OpenFlags;
    let check = |conn: Connection| -> rusqlite::Result<Connection> {
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version != schema_version() {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                Some(format!(
                    "schema {version}, this certbench reads {}: open it once where it can be written",
                    schema_version()
                )),
            ));
        }
        Ok(conn)
    };
    if !path.is_file() {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some("no history file yet".into()),
        ));
    }
    let read_only = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(path, read_only)
        .and_then(check)
        .or_else(|_| {
            let uri = format!("file:{}?immutable=1", uri_path(path));
            Connection::open_with_flags(uri, read_only | OpenFlags::SQLITE_OPEN_URI).and_then(check)
        })
}
/// A path as the path part of an SQLite `file:` URI (RFC 3986 percent-encoding).
pub(super) fn uri_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::new();
    for &b in path.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
#[cfg(unix)]
pub(super) fn restrict(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}
#[cfg(not(unix))]
pub(super) fn restrict(_path: &Path) {}

pub(super) fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > schema_version() {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(format!(
                "written by a newer certbench (schema {version}, this one knows up to {})",
                schema_version()
            )),
        ));
    }
    if version == schema_version() {
        return Ok(());
    }
    // Under the write lock, read the version again: another process may have just migrated.
    let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        conn.execute_batch(&format!("{step}; PRAGMA user_version = {};", i + 1))?;
    }
    tx.commit()
}
