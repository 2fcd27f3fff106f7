//! The send history: every exchange recorded in SQLite (WAL), secrets redacted, bodies capped, oldest pruned.

pub mod compare;
pub mod redact;

use crate::diagnose::kind::DiagnosisKind;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::budget::Budget;
use crate::cause::Cause;
use crate::diagnose::Failure;
use crate::exchange::{self, Exchange};
use crate::history::redact::Redactor;
use crate::request::prepare::{PreparedBody, PreparedPart, PreparedRequest};
use crate::request::profile::Profile;

pub const FILE_NAME: &str = "history.db";
pub const DEFAULT_BODY_CAP: usize = 10 * 1024 * 1024;
pub const DEFAULT_KEEP: usize = 2000;

/// Each step takes the schema from version `i` to `i + 1`; a new version appends a step, never edits one.
const MIGRATIONS: &[&str] = &[
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
];

pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bodies (request and response) above this many bytes are stored truncated, with a flag.
    pub body_cap: usize,
    /// Only the newest `keep` entries are kept.
    pub keep: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_cap: DEFAULT_BODY_CAP,
            keep: DEFAULT_KEEP,
        }
    }
}

impl Limits {
    /// Defaults, overridden by `CERTBENCH_HISTORY_KEEP` and `CERTBENCH_HISTORY_BODY_CAP` (bytes).
    pub fn from_env() -> Limits {
        let mut l = Limits::default();
        let num = |name: &str| std::env::var(name).ok().and_then(|v| v.trim().parse().ok());
        if let Some(k) = num("CERTBENCH_HISTORY_KEEP") {
            l.keep = k;
        }
        if let Some(c) = num("CERTBENCH_HISTORY_BODY_CAP") {
            l.body_cap = c;
        }
        l
    }
}

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
    #[error("no history entry #{0}; run `certbench history list` to see the ids")]
    NotFound(i64),
    #[error("cannot write history: {words}")]
    Write {
        words: String,
        #[source]
        source: Cause,
    },
    #[error(
        "history entry #{id} cannot be read ({reason}); delete it with `certbench history delete {id}`"
    )]
    Damaged { id: i64, reason: String },
}

/// One line of the history list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Its id in the store; None for a send that is not recorded.
    pub id: Option<i64>,
    pub at_ms: i64,
    pub profile: String,
    pub key: Option<String>,
    pub key_sha256: Option<String>,
    pub method: String,
    pub url: String,
    pub status: Option<u16>,
    pub error_kind: Option<DiagnosisKind>,
    pub status_is_error: bool,
    pub duration_ms: f64,
}

impl Summary {
    /// "200", "404", or the failure kind.
    pub fn outcome(&self) -> String {
        match (self.status, &self.error_kind) {
            (Some(s), _) => s.to_string(),
            (None, Some(k)) => k.to_string(),
            (None, None) => "?".into(),
        }
    }

    /// Local wall-clock time, "YYYY-MM-DD HH:MM:SS".
    pub fn when(&self) -> String {
        format_time(self.at_ms)
    }

    /// How a comparison names this entry: "#12 orders 2026-11-23 10:00:00 key acme"
    /// ("unrecorded" for a send kept only in memory).
    pub fn label(&self) -> String {
        format!(
            "{} {} {} key {}",
            self.id
                .map_or_else(|| "unrecorded".to_string(), |id| format!("#{id}")),
            self.profile,
            self.when(),
            self.key.as_deref().unwrap_or("none")
        )
    }
}

pub fn format_time(at_ms: i64) -> String {
    let offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
    let t = time::OffsetDateTime::from_unix_timestamp(at_ms / 1000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The request as sent, redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// The body text, or a summary for multipart files.
    pub body: String,
    pub body_truncated: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
enum Outcome {
    Response(Exchange),
    Failure(Failure),
}

/// One whole entry, ready for the response pane or a comparison.
#[derive(Debug, Clone)]
pub struct Entry {
    pub summary: Summary,
    /// The profile as sent (secret values replaced; see `redact::restore`).
    pub profile: Profile,
    pub request: StoredRequest,
    pub result: Result<Exchange, Failure>,
    pub body_truncated: bool,
}

/// What to list: every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub profile: Option<String>,
    pub key: Option<String>,
    /// "200", "4xx", "error" (a failure or an error status), "ok".
    pub status: Option<String>,
    /// Free words matched against profile and URL.
    pub text: Option<String>,
}

impl Filter {
    /// Parses "profile:NAME key:NAME status:4xx words" (the TUI's filter line).
    pub fn parse(line: &str) -> Filter {
        let mut f = Filter::default();
        let mut words = Vec::new();
        for token in line.split_whitespace() {
            match token.split_once(':') {
                Some(("profile", v)) => f.profile = Some(v.into()),
                Some(("key", v)) => f.key = Some(v.into()),
                Some(("status", v)) => f.status = Some(v.into()),
                _ => words.push(token),
            }
        }
        if !words.is_empty() {
            f.text = Some(words.join(" "));
        }
        f
    }

    fn sql(&self) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut clauses = Vec::new();
        let mut args: Vec<Value> = Vec::new();
        if let Some(p) = &self.profile {
            clauses.push("profile = ?".to_string());
            args.push(Value::Text(p.clone()));
        }
        if let Some(k) = &self.key {
            clauses.push("key_name = ?".to_string());
            args.push(Value::Text(k.clone()));
        }
        if let Some(s) = &self.status {
            let s = s.to_ascii_lowercase();
            if let Ok(code) = s.parse::<i64>() {
                clauses.push("status = ?".into());
                args.push(Value::Integer(code));
            } else if s.len() == 3
                && s.ends_with("xx")
                && let Some(d) = s.chars().next().and_then(|c| c.to_digit(10))
            {
                clauses.push("status >= ? AND status < ?".into());
                args.push(Value::Integer(d as i64 * 100));
                args.push(Value::Integer(d as i64 * 100 + 100));
            } else if s == "error" || s == "failed" {
                clauses.push("(status IS NULL OR status_is_error = 1)".into());
            } else if s == "ok" {
                clauses.push("(status IS NOT NULL AND status_is_error = 0)".into());
            } else {
                clauses.push("error_kind = ?".into());
                args.push(Value::Text(s));
            }
        }
        if let Some(t) = &self.text {
            clauses.push("(instr(lower(profile), ?) > 0 OR instr(lower(url), ?) > 0)".into());
            args.push(Value::Text(t.to_lowercase()));
            args.push(Value::Text(t.to_lowercase()));
        }
        let sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        (sql, args)
    }
}

/// What a send brings to be recorded.
pub struct Record<'a> {
    pub profile: &'a Profile,
    pub request: &'a PreparedRequest,
    pub result: &'a Result<Exchange, Failure>,
    /// The credential's certificate fingerprint (SHA-256), never the key.
    pub key_sha256: Option<String>,
}

/// What a list line shows of an outcome: status or failure kind, error flag, duration.
struct OutcomeFacts {
    status: Option<u16>,
    error_kind: Option<DiagnosisKind>,
    status_is_error: bool,
    duration_ms: f64,
}

impl OutcomeFacts {
    fn of(result: &Result<Exchange, Failure>) -> OutcomeFacts {
        match result {
            Ok(ex) => OutcomeFacts {
                status: Some(ex.status),
                error_kind: None,
                status_is_error: ex.status_is_error,
                duration_ms: ex.timing.total_ms,
            },
            Err(f) => OutcomeFacts {
                status: None,
                error_kind: Some(f.diagnosis.kind),
                status_is_error: true,
                duration_ms: 0.0,
            },
        }
    }
}

impl Summary {
    /// The line for a profile that did not prepare: now, its name and method, the failure kind.
    pub fn unprepared(profile: &Profile, failure: &Failure) -> Summary {
        Summary {
            id: None,
            at_ms: now_ms(),
            profile: profile.name.clone(),
            key: profile.credential.clone(),
            key_sha256: None,
            method: profile.method.clone(),
            url: String::new(),
            status: None,
            error_kind: Some(failure.diagnosis.kind),
            status_is_error: true,
            duration_ms: 0.0,
        }
    }

    /// The line for a send that is not recorded (no id), from the request and its outcome.
    pub fn unrecorded(req: &PreparedRequest, result: &Result<Exchange, Failure>) -> Summary {
        let facts = OutcomeFacts::of(result);
        Summary {
            id: None,
            at_ms: now_ms(),
            profile: req.profile.clone(),
            key: req.credential.clone().filter(|_| req.mutual_tls),
            key_sha256: None,
            method: req.method.clone(),
            url: Redactor::for_request(req).url(&req.url),
            status: facts.status,
            error_kind: facts.error_kind,
            status_is_error: facts.status_is_error,
            duration_ms: facts.duration_ms,
        }
    }
}

/// The history database; one connection, shared by the threads of one process.
pub struct History {
    path: PathBuf,
    conn: Mutex<Connection>,
    limits: Limits,
    /// Said once when the history had to be set aside or started afresh.
    pub notice: Option<String>,
}

impl std::fmt::Debug for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History").field("path", &self.path).finish()
    }
}

/// Why the history cannot be opened; a full or read-only disk is named as such, whatever
/// SQLite's own words for it were ("disk I/O error", "unable to open database file").
fn unavailable(path: &Path, e: impl std::error::Error + Send + Sync + 'static) -> HistoryError {
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

fn write_error(e: rusqlite::Error) -> HistoryError {
    let words = match e.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => {
            "disk full; the send itself is unaffected. Free some space, or run `certbench history clear`"
                .into()
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

fn is_corrupt(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

/// An exclusive lock on `<history>.db.lock` for as long as it is held (flock: released by the
/// kernel if the process dies).
fn recovery_lock(path: &Path) -> std::io::Result<std::fs::File> {
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
fn set_aside(path: &Path) -> std::io::Result<PathBuf> {
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

pub use crate::clock::now_ms;

impl History {
    /// Opens (or creates) `<home>/history.db`.
    pub fn open(home: &Path, limits: Limits) -> Result<History, HistoryError> {
        crate::home::ensure_private_dir(home).map_err(|e| unavailable(home, e))?;
        History::open_at(&home.join(FILE_NAME), limits)
    }

    /// Opens the history to read, also where it cannot be written (a read-only mount, a full
    /// disk): then read-only, with a `notice` saying so, and recording fails with that cause.
    pub fn open_to_read(home: &Path, limits: Limits) -> Result<History, HistoryError> {
        History::open(home, limits).or_else(|e| {
            let path = home.join(FILE_NAME);
            let conn = connect_read_only(&path).map_err(|_| e.clone())?;
            let cause = match e {
                HistoryError::Unavailable { reason, .. } => reason,
                other => other.to_string(),
            };
            let notice = format!("history is read-only here ({cause}): new sends are not recorded");
            Ok(History::new(&path, conn, limits, Some(notice)))
        })
    }

    /// Opens a history file; a corrupt one is renamed aside and a new one started (see `notice`).
    pub fn open_at(path: &Path, limits: Limits) -> Result<History, HistoryError> {
        match connect(path) {
            Ok(conn) => Ok(History::new(path, conn, limits, None)),
            Err(e) if is_corrupt(&e) => {
                // One recovery for every process that finds it corrupt: the first takes the
                // lock and sets the file aside; the others wait, then find a good file.
                let lock = recovery_lock(path).map_err(|le| unavailable(path, le))?;
                if let Ok(conn) = connect(path) {
                    drop(lock);
                    return Ok(History::new(path, conn, limits, None));
                }
                let aside = set_aside(path).map_err(|re| unavailable(path, re))?;
                for ext in ["db-wal", "db-shm"] {
                    let _ = std::fs::remove_file(path.with_extension(ext));
                }
                let conn = connect(path).map_err(|e| unavailable(path, e))?;
                drop(lock);
                let notice = format!(
                    "the history file was unreadable ({e}); it is kept as {} and a new history was started",
                    aside.display()
                );
                Ok(History::new(path, conn, limits, Some(notice)))
            }
            Err(e) => Err(unavailable(path, e)),
        }
    }

    fn new(path: &Path, conn: Connection, limits: Limits, notice: Option<String>) -> History {
        History {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
            limits,
            notice,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records one send (unless its profile opted out); returns the new entry's id.
    pub fn record(&self, rec: &Record<'_>) -> Result<Option<i64>, HistoryError> {
        if !rec.request.history {
            return Ok(None);
        }
        let row = Row::build(rec, self.limits.body_cap);
        let conn = self.conn();
        conn.execute(
            "INSERT INTO entries (at_ms, profile, key_name, key_sha256, method, url, status, error_kind,
                status_is_error, duration_ms, profile_json, request_json, outcome_json, body,
                body_truncated, content_type, parse)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            params![
                row.at_ms,
                row.profile,
                row.key_name,
                row.key_sha256,
                row.method,
                row.url,
                row.status,
                row.error_kind.map(DiagnosisKind::as_str),
                row.status_is_error,
                row.duration_ms,
                row.profile_json,
                row.request_json,
                row.outcome_json,
                row.body,
                row.body_truncated,
                row.content_type,
                row.parse,
            ],
        )
        .map_err(write_error)?;
        Ok(Some(conn.last_insert_rowid()))
    }

    /// Deletes all but the newest `keep` entries; returns how many went.
    pub fn prune(&self) -> Result<usize, HistoryError> {
        let conn = self.conn();
        conn.execute(
            "DELETE FROM entries WHERE id <= (SELECT id FROM entries ORDER BY id DESC LIMIT 1 OFFSET ?1)",
            params![self.limits.keep as i64],
        )
        .map_err(write_error)
    }

    /// Newest first.
    pub fn list(&self, filter: &Filter, limit: usize) -> Result<Vec<Summary>, HistoryError> {
        let (clause, mut args) = filter.sql();
        args.push(rusqlite::types::Value::Integer(limit as i64));
        let sql = format!(
            "SELECT id, at_ms, profile, key_name, key_sha256, method, url, status, error_kind,
                    status_is_error, duration_ms
             FROM entries {clause} ORDER BY id DESC LIMIT ?"
        );
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(&sql)
            .map_err(|e| unavailable(&self.path, e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), summary_from_row)
            .map_err(|e| unavailable(&self.path, e))?;
        rows.collect::<Result<Vec<_>, _>>()
            .map_err(|e| unavailable(&self.path, e))
    }

    /// Records a send and prunes to the retention limit; Ok(None) when the profile opted out.
    /// Records one send with its certificate's fingerprint, then prunes; the id, if recorded.
    pub fn record_send(
        &self,
        profile: &Profile,
        request: &PreparedRequest,
        result: &Result<Exchange, Failure>,
        key_sha256: Option<String>,
    ) -> Result<Option<i64>, HistoryError> {
        let id = self.record(&Record {
            profile,
            request,
            result,
            key_sha256,
        })?;
        if id.is_some() {
            self.prune()?;
        }
        Ok(id)
    }

    pub fn summary(&self, id: i64) -> Result<Summary, HistoryError> {
        self.conn()
            .query_row(
                "SELECT id, at_ms, profile, key_name, key_sha256, method, url, status, error_kind,
                        status_is_error, duration_ms FROM entries WHERE id = ?1",
                params![id],
                summary_from_row,
            )
            .optional()
            .map_err(|e| unavailable(&self.path, e))?
            .ok_or(HistoryError::NotFound(id))
    }

    pub fn count(&self) -> Result<usize, HistoryError> {
        self.conn()
            .query_row("SELECT count(*) FROM entries", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .map_err(|e| unavailable(&self.path, e))
    }

    pub fn get(&self, id: i64) -> Result<Entry, HistoryError> {
        let conn = self.conn();
        let found = conn
            .query_row(
                "SELECT id, at_ms, profile, key_name, key_sha256, method, url, status, error_kind,
                        status_is_error, duration_ms, profile_json, request_json, outcome_json,
                        body, body_truncated, content_type, parse
                 FROM entries WHERE id = ?1",
                params![id],
                |r| {
                    Ok((
                        summary_from_row(r)?,
                        r.get::<_, String>(11)?,
                        r.get::<_, String>(12)?,
                        r.get::<_, String>(13)?,
                        r.get::<_, Option<Vec<u8>>>(14)?,
                        r.get::<_, bool>(15)?,
                        r.get::<_, Option<String>>(16)?,
                        r.get::<_, bool>(17)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| unavailable(&self.path, e))?;
        let Some((summary, profile, request, outcome, body, truncated, ctype, parse)) = found
        else {
            return Err(HistoryError::NotFound(id));
        };
        let damaged = |e: serde_json::Error| HistoryError::Damaged {
            id,
            reason: e.to_string(),
        };
        let profile: Profile = serde_json::from_str(&profile).map_err(damaged)?;
        let request: StoredRequest = serde_json::from_str(&request).map_err(damaged)?;
        let outcome: Outcome = serde_json::from_str(&outcome).map_err(damaged)?;
        let result = match outcome {
            Outcome::Response(mut ex) => {
                let body = bytes::Bytes::from(body.unwrap_or_default());
                ex.view =
                    exchange::build_view(&body, ctype.as_deref(), parse, &Budget::unlimited())
                        .unwrap_or(exchange::BodyView::Binary);
                ex.body = body;
                Ok(ex)
            }
            Outcome::Failure(f) => Err(f),
        };
        Ok(Entry {
            summary,
            profile,
            request,
            result,
            body_truncated: truncated,
        })
    }

    pub fn delete(&self, id: i64) -> Result<(), HistoryError> {
        let n = self
            .conn()
            .execute("DELETE FROM entries WHERE id = ?1", params![id])
            .map_err(write_error)?;
        if n == 0 {
            Err(HistoryError::NotFound(id))
        } else {
            Ok(())
        }
    }

    /// Deletes every entry and gives the space back; returns how many went.
    pub fn clear(&self) -> Result<usize, HistoryError> {
        let conn = self.conn();
        let n = conn
            .execute("DELETE FROM entries", [])
            .map_err(write_error)?;
        // Overwrite freed pages too, so cleared bodies do not linger in the file.
        let _ = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM;");
        Ok(n)
    }
}

fn summary_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Summary> {
    Ok(Summary {
        id: r.get(0)?,
        at_ms: r.get(1)?,
        profile: r.get(2)?,
        key: r.get(3)?,
        key_sha256: r.get(4)?,
        method: r.get(5)?,
        url: r.get(6)?,
        status: r.get::<_, Option<i64>>(7)?.map(|s| s as u16),
        error_kind: r
            .get::<_, Option<String>>(8)?
            .map(|k| k.parse().unwrap_or(DiagnosisKind::Other)),
        status_is_error: r.get(9)?,
        duration_ms: r.get(10)?,
    })
}

/// Opens, sets WAL and a busy timeout, and migrates forward. Another process opening, creating or
/// closing the file at the same moment can answer "busy" without waiting, so that is retried.
fn connect(path: &Path) -> rusqlite::Result<Connection> {
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

const BUSY_WAIT: Duration = Duration::from_secs(3);

fn connect_once(path: &Path) -> rusqlite::Result<Connection> {
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
    migrate(&conn)?;
    // WAL mode made its two companions by now: they hold the same rows, so the same mode.
    for ext in ["db-wal", "db-shm"] {
        restrict(&path.with_extension(ext));
    }
    Ok(conn)
}

/// A read-only connection that writes nothing, not even the WAL's companions: read-only mode
/// first, then SQLite's `immutable` mode where the `-shm` file cannot be created.
fn connect_read_only(path: &Path) -> rusqlite::Result<Connection> {
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
fn uri_path(path: &Path) -> String {
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
fn restrict(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
}

#[cfg(not(unix))]
fn restrict(_path: &Path) {}

fn migrate(conn: &Connection) -> rusqlite::Result<()> {
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

/// One entry's columns, redacted and capped.
struct Row<'a> {
    at_ms: i64,
    profile: String,
    key_name: Option<String>,
    key_sha256: Option<String>,
    method: String,
    url: String,
    status: Option<u16>,
    error_kind: Option<DiagnosisKind>,
    status_is_error: bool,
    duration_ms: f64,
    profile_json: String,
    request_json: String,
    outcome_json: String,
    /// Borrowed from the exchange unless a secret had to be scrubbed out of it.
    body: Option<std::borrow::Cow<'a, [u8]>>,
    body_truncated: bool,
    content_type: Option<String>,
    parse: bool,
}

impl<'a> Row<'a> {
    fn build(rec: &Record<'a>, cap: usize) -> Row<'a> {
        let req = rec.request;
        let mut red = Redactor::for_request(req);
        if let Ok(ex) = rec.result {
            red.learn_response(&ex.headers);
        }
        let (req_body, req_truncated) = request_body(req, cap);
        let stored_request = StoredRequest {
            method: req.method.clone(),
            url: red.url(&req.url),
            headers: red.headers(&req.headers),
            body: red.text(&req_body).into_owned(),
            body_truncated: req_truncated,
        };
        let key_name = req.credential.clone().filter(|_| req.mutual_tls);
        let facts = OutcomeFacts::of(rec.result);
        let (outcome, body, truncated, content_type) = match rec.result {
            Ok(ex) => {
                // Everything but the view (rebuilt from the body on reading) and the body (a column).
                let raw: &'a [u8] = &ex.body;
                let mut ex = Exchange {
                    method: ex.method.clone(),
                    url: ex.url.clone(),
                    status: ex.status,
                    reason: ex.reason.clone(),
                    http_version: ex.http_version.clone(),
                    headers: ex.headers.clone(),
                    body: bytes::Bytes::new(),
                    encoded_size: ex.encoded_size,
                    decoded_size: ex.decoded_size,
                    content_encoding: ex.content_encoding.clone(),
                    view: Default::default(),
                    redirects: ex.redirects.clone(),
                    tls: ex.tls.clone(),
                    timing: ex.timing.clone(),
                    status_is_error: ex.status_is_error,
                    warnings: ex.warnings.clone(),
                    incomplete: ex.incomplete.clone(),
                    saved_to: ex.saved_to.clone(),
                };
                ex.url = red.url(&ex.url);
                ex.headers = red.headers(&ex.headers);
                red.hops(&mut ex.redirects);
                let truncated = raw.len() > cap;
                let body = red.bytes(&raw[..raw.len().min(cap)]);
                let ctype = crate::headers::get(&ex.headers, "content-type").map(str::to_string);
                (Outcome::Response(ex), Some(body), truncated, ctype)
            }
            Err(f) => {
                let mut f = f.clone();
                f.chain = f.chain.iter().map(|c| red.text(c).into_owned()).collect();
                f.diagnosis.message = red.text(&f.diagnosis.message).into_owned();
                red.hops(&mut f.redirects);
                (Outcome::Failure(f), None, false, None)
            }
        };
        Row {
            at_ms: now_ms(),
            profile: req.profile.clone(),
            key_sha256: rec.key_sha256.clone().filter(|_| key_name.is_some()),
            key_name,
            method: req.method.clone(),
            url: stored_request.url.clone(),
            status: facts.status,
            error_kind: facts.error_kind,
            status_is_error: facts.status_is_error,
            duration_ms: facts.duration_ms,
            profile_json: serde_json::to_string(&red.profile(rec.profile)).unwrap_or_default(),
            request_json: serde_json::to_string(&stored_request).unwrap_or_default(),
            outcome_json: serde_json::to_string(&outcome).unwrap_or_default(),
            body,
            body_truncated: truncated,
            content_type,
            parse: req.options.parse_response,
        }
    }
}

/// The request body as text, or a summary of the multipart parts (files by name and size).
fn request_body(req: &PreparedRequest, cap: usize) -> (String, bool) {
    match &req.body {
        PreparedBody::None => (String::new(), false),
        PreparedBody::Bytes { data, .. } => {
            let mut end = data.len().min(cap);
            while !data.is_char_boundary(end) {
                end -= 1;
            }
            (
                data.get(..end).unwrap_or_default().to_string(),
                end < data.len(),
            )
        }
        PreparedBody::Multipart { parts } => {
            let lines: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    PreparedPart::Text { name, text } => format!("{name}: {text}"),
                    PreparedPart::File {
                        name,
                        filename,
                        size,
                        ..
                    } => format!("{name}: file {filename} ({size} bytes)"),
                })
                .collect();
            (lines.join("\n"), false)
        }
    }
}
