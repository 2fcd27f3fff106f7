//! The send history: every exchange recorded in SQLite (WAL), secrets redacted, bodies capped, oldest pruned.

pub mod compare;
mod error;
mod record;
pub mod redact;
mod sqlite;

pub use error::HistoryError;
use error::*;
pub use record::*;
pub use sqlite::schema_version;
use sqlite::*;

use crate::diagnose::kind::DiagnosisKind;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};

use crate::budget::Budget;
use crate::diagnose::Failure;
use crate::exchange::{self, Exchange};
use crate::history::redact::Redactor;
use crate::request::prepare::PreparedRequest;
use crate::request::profile::Profile;

pub const FILE_NAME: &str = "history.db";
pub const DEFAULT_BODY_CAP: usize = 10 * 1024 * 1024;
pub const DEFAULT_KEEP: usize = 2000;

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
        let tx = conn.unchecked_transaction().map_err(write_error)?;
        tx.execute(
            "INSERT INTO entries (at_ms, profile, key_name, key_sha256, method, url, status, error_kind,
                status_is_error, duration_ms, profile_json, request_json, outcome_json, body,
                body_truncated, content_type, parse)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, NULL, ?14, ?15, ?16)",
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
                row.body_truncated,
                row.content_type,
                row.parse,
            ],
        )
        .map_err(write_error)?;
        let id = tx.last_insert_rowid();
        if let Some(body) = &row.body {
            write_body(&tx, id, body).map_err(write_error)?;
        }
        tx.commit().map_err(write_error)?;
        Ok(Some(id))
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
                "SELECT e.id, e.at_ms, e.profile, e.key_name, e.key_sha256, e.method, e.url,
                        e.status, e.error_kind, e.status_is_error, e.duration_ms, e.profile_json,
                        e.request_json, e.outcome_json, coalesce(e.body, b.body), e.body_truncated,
                        e.content_type, e.parse
                 FROM entries e LEFT JOIN bodies b ON b.id = e.id WHERE e.id = ?1",
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
                Ok(*ex)
            }
            Outcome::Failure(f) => Err(*f),
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

/// Writes a body into its own row a piece at a time: a zero-filled blob of its length first
/// (SQLite stores a trailing zeroblob without holding it), then the bytes through the blob handle.
fn write_body(conn: &rusqlite::Connection, id: i64, body: &[u8]) -> rusqlite::Result<()> {
    use std::io::Write;
    conn.execute(
        "INSERT INTO bodies (id, body) VALUES (?1, zeroblob(?2))",
        params![id, body.len() as i64],
    )?;
    let mut blob = conn.blob_open(rusqlite::MAIN_DB, "bodies", "body", id, false)?;
    for piece in body.chunks(64 << 10) {
        blob.write_all(piece).map_err(|e| {
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR),
                Some(e.to_string()),
            )
        })?;
    }
    blob.close()
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
        let stored_request = StoredRequest::of(req, &red, cap);
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
                    stream: ex.stream.clone(),
                    grpc: ex.grpc.clone(),
                };
                ex.url = red.url(&ex.url);
                ex.headers = red.headers(&ex.headers);
                red.hops(&mut ex.redirects);
                // A stream's kept events are body too: the same secrets are hidden in them.
                if let Some(stream) = ex.stream.as_mut() {
                    for e in stream.first.iter_mut().chain(stream.last.iter_mut()) {
                        e.data = red.text(&e.data).into_owned();
                    }
                }
                let truncated = raw.len() > cap;
                let body = red.bytes(&raw[..raw.len().min(cap)]);
                let ctype = crate::headers::get(&ex.headers, "content-type").map(str::to_string);
                (
                    Outcome::Response(Box::new(ex)),
                    Some(body),
                    truncated,
                    ctype,
                )
            }
            Err(f) => {
                let mut f = f.clone();
                f.chain = f.chain.iter().map(|c| red.text(c).into_owned()).collect();
                f.diagnosis.message = red.text(&f.diagnosis.message).into_owned();
                red.hops(&mut f.redirects);
                (Outcome::Failure(Box::new(f)), None, false, None)
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
