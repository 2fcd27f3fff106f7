//! Runs effects on tokio (sends, saves, imports, clipboard) and reports back as Messages.

use engine::request::profile_dir;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use base64::Engine;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use engine::diagnose::Failure;
use engine::exchange::Exchange;
use engine::history::compare;
use engine::history::{Filter, History, Limits, Summary};
use engine::keys::bindings::Bindings;
use engine::keys::keystore::Keystore;
use engine::net::transport::Transport;
use engine::pipeline::{Pipeline, Sent};
use engine::request::chain::Scope;
use engine::request::profile::{Profile, ProfileError};
use engine::request::vars::Vars;

use super::message::Message;

mod effect;
mod grpc;
mod import;
mod pins;
mod sends;
mod stored;
mod trust;

use super::state::{BodyLines, CompareView, EntryRef, ImportKind, Shown};
pub use effect::Effect;
use import::complete_path;
pub use import::{import_collection, import_key};
use pins::TuiPins;

/// One side of a comparison: an entry in the store, or a result held in memory.
#[derive(Debug, Clone)]
pub enum Side {
    Stored(i64),
    Held(Arc<Result<Exchange, Failure>>),
}

impl PartialEq for Side {
    fn eq(&self, other: &Side) -> bool {
        match (self, other) {
            (Side::Stored(a), Side::Stored(b)) => a == b,
            (Side::Held(a), Side::Held(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// Rows read for the history pane (newest first); older ones are a filter away.
pub const HISTORY_PAGE: usize = 500;

pub struct Runner {
    pub rt: tokio::runtime::Handle,
    pub tx: UnboundedSender<Message>,
    pub transport: Arc<Transport>,
    pub keystore: Keystore,
    pub profiles_dir: PathBuf,
    /// The home folder (the keystore and the key bindings).
    pub home: PathBuf,
    /// What every send shares: the start's variables (`--var`, the demo's base_url), the
    /// environment, the key bindings and the captured session.
    pub scope: Scope,
    /// None when the history could not be opened (said once; sending goes on).
    pub history: Option<Arc<History>>,
    /// Sends in flight: their task and the switch that stops their work (not only the socket).
    flights: HashMap<u64, (JoinHandle<()>, Arc<AtomicBool>)>,
    /// Token PINs: asked with a popup, kept in memory for the session.
    pins: Arc<TuiPins>,
    /// Where the messages typed for a send's WebSocket go, by send.
    outboxes: HashMap<u64, tokio::sync::mpsc::Sender<engine::body::messages::Outgoing>>,
}

impl Runner {
    fn pipeline(&self) -> Pipeline {
        Pipeline::new(self.transport.clone(), self.history.clone())
    }

    /// Stops every send in flight, work included (on quit, SIGTERM and SIGHUP).
    pub fn cancel_all(&mut self) {
        for (_, (h, stop)) in self.flights.drain() {
            stop.store(true, Ordering::Relaxed);
            h.abort();
        }
    }

    pub fn new(
        rt: tokio::runtime::Handle,
        tx: UnboundedSender<Message>,
        home: &std::path::Path,
        profiles_dir: PathBuf,
        vars: Vars,
    ) -> Runner {
        let keystore = Keystore::open(home);
        let history = match History::open_to_read(home, Limits::from_env()) {
            Ok(h) => {
                if let Some(n) = &h.notice {
                    let _ = tx.send(Message::HistoryNote(n.clone()));
                }
                Some(Arc::new(h))
            }
            Err(e) => {
                let _ = tx.send(Message::HistoryNote(e.to_string()));
                None
            }
        };
        let pins = Arc::new(TuiPins::new(tx.clone()));
        let mut scope = Scope::new(profiles_dir.clone());
        scope.flags = vars;
        scope.bindings = Bindings::open(home).ok();
        Runner {
            rt,
            tx,
            transport: Arc::new(Transport::new(keystore.clone()).with_pins(pins.clone())),
            keystore,
            profiles_dir,
            home: home.to_path_buf(),
            scope,
            history,
            flights: HashMap::new(),
            pins,
            outboxes: HashMap::new(),
        }
    }

    pub fn run(&mut self, effect: Effect) {
        self.flights.retain(|_, (h, _)| !h.is_finished());
        let flights = &self.flights;
        self.outboxes.retain(|id, _| flights.contains_key(id));
        let tx = self.tx.clone();
        match effect {
            Effect::Send {
                id,
                profile,
                save_to,
            } => self.send(tx, id, profile, save_to),
            Effect::SendPair { id, profile, other } => self.send_pair(tx, id, profile, other),
            Effect::LoadHistory(filter) => {
                let Some(h) = self.history.clone() else {
                    return;
                };
                self.rt.spawn_blocking(move || {
                    let r = h
                        .list(&Filter::parse(&filter), HISTORY_PAGE)
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Message::HistoryLoaded(r));
                });
            }
            Effect::OpenEntry { id, then } => {
                let Some(h) = self.history.clone() else {
                    return;
                };
                self.rt.spawn_blocking(move || {
                    let result = h.get(id).map_err(|e| e.to_string()).map(|e| {
                        let request =
                            engine::request::seen::RequestSeen::stored(e.request, e.summary.key);
                        let mut shown = shown_of(e.profile, EntryRef::Stored(id), e.result);
                        shown.request = Some(Box::new(request));
                        Box::new(shown)
                    });
                    let _ = tx.send(Message::EntryLoaded { then, result });
                });
            }
            Effect::DeleteEntry(id) => {
                let Some(h) = self.history.clone() else {
                    return;
                };
                self.rt.spawn_blocking(move || {
                    let r = h
                        .delete(id)
                        .map(|_| format!("deleted history entry #{id}"))
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Message::Deleted(r));
                });
            }
            Effect::ClearHistory => {
                let Some(h) = self.history.clone() else {
                    return;
                };
                self.rt.spawn_blocking(move || {
                    let r = h
                        .clear()
                        .map(|n| format!("deleted {n} history entries"))
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Message::Deleted(r));
                });
            }
            Effect::Compare {
                a,
                b,
                labels,
                ignore,
            } => self.compare(tx, a, b, labels, ignore),
            Effect::SwitchEnv(name) => self.switch_env(tx, name),
            Effect::ImportCurlFiles { cert, cacert } => self.import_curl_files(tx, cert, cacert),
            Effect::PinEntered(pin) => self.pins.answer(pin),
            Effect::LoadTrusted => self.load_trusted(tx),
            // Run by the event loop itself, which owns the terminal.
            Effect::ExternalEdit { .. } => {}
            Effect::AddTrustedFile(path) => self.add_trusted_file(tx, path),
            Effect::FetchPresented(profile) => self.fetch_presented(tx, profile),
            Effect::AddTrustedDer { name, der } => self.add_trusted_der(tx, name, der),
            Effect::DeleteTrusted(name) => self.delete_trusted(tx, name),
            Effect::Preview(profile) => {
                let scope = self.scope.clone();
                self.rt.spawn_blocking(move || {
                    use engine::request::seen::{RequestSeen, Seen};
                    let r = scope
                        .preview(&profile)
                        .map(|req| Box::new(RequestSeen::of(&req, Seen::WouldSend)))
                        .map_err(|f| f.diagnosis.message);
                    let _ = tx.send(Message::Previewed(r));
                });
            }
            Effect::DiscoverTokens => {
                self.rt.spawn_blocking(move || {
                    let found = engine::keys::token::discover(None)
                        .map_err(|e| crate::fixes::line(&engine::diagnose::token_failure(&e)));
                    let _ = tx.send(Message::TokensFound(found));
                });
            }
            Effect::LoadVariables => {
                let _ = tx.send(Message::Variables(self.scope.variables()));
            }
            Effect::SetVariable { name, value } => {
                self.scope.flags.set(&name, &value);
                let _ = tx.send(Message::Variables(self.scope.variables()));
            }
            Effect::ClearSession => {
                self.scope.session().clear();
                let _ = tx.send(Message::Variables(self.scope.variables()));
            }
            Effect::LoadSurroundings => {
                let envs = engine::request::environment::list(&self.profiles_dir);
                let _ = tx.send(Message::Surroundings {
                    envs,
                    bindings: self.scope.bindings.clone(),
                });
            }
            Effect::SendEnvPair { id, profile, other } => {
                self.send_env_pair(tx, id, profile, other)
            }
            Effect::CheckKey(profile) => self.check_key(tx, profile),
            Effect::ListGrpcMethods(profile) => self.list_grpc_methods(tx, profile),
            Effect::RenameProfile { from, to } => {
                let dir = self.profiles_dir.clone();
                self.rt.spawn_blocking(move || {
                    let r = rename_profile(&dir, &from, &to);
                    let _ = tx.send(Message::Saved(r));
                });
            }
            Effect::SendMessage { id, out } => {
                if let Some(to) = self.outboxes.get(&id) {
                    // The queue holds a few; a full one means the socket is stuck: said, not waited on.
                    if to.try_send(out).is_err() {
                        let _ = tx.send(Message::MessageNotSent(
                            "the message was not sent: the WebSocket is not taking messages".into(),
                        ));
                    }
                }
            }
            Effect::StopStream { id } => {
                if let Some((_, stop)) = self.flights.get(&id) {
                    stop.store(true, Ordering::Relaxed);
                }
            }
            Effect::Cancel { id } => {
                if let Some((h, stop)) = self.flights.remove(&id) {
                    stop.store(true, Ordering::Relaxed);
                    h.abort();
                }
            }
            Effect::LoadProfiles => {
                let dir = self.profiles_dir.clone();
                self.rt.spawn_blocking(move || {
                    let _ = tx.send(Message::ProfilesLoaded(profile_dir::load_dir(&dir)));
                });
            }
            Effect::LoadKeys => {
                let ks = self.keystore.clone();
                self.rt.spawn_blocking(move || {
                    let keys = ks
                        .list()
                        .into_iter()
                        .map(|(n, r)| (n, r.map_err(|e| e.to_string())))
                        .collect();
                    let _ = tx.send(Message::KeysLoaded(keys));
                });
            }
            Effect::SaveProfile { profile, over } => {
                let msg = match profile.save_over(&self.profiles_dir, over) {
                    Ok(path) => Message::Saved(Ok(format!("saved {}", path.display()))),
                    Err(ProfileError::ChangedOnDisk { .. }) => Message::SaveConflict,
                    Err(e) => Message::Saved(Err(e.to_string())),
                };
                let _ = tx.send(msg);
            }
            Effect::DeleteProfile(name) => {
                let path = self.profiles_dir.join(format!("{name}.toml"));
                let r = std::fs::remove_file(&path)
                    .map(|_| format!("deleted profile {name}"))
                    .map_err(|e| format!("cannot delete {}: {e}", path.display()));
                let _ = tx.send(Message::Deleted(r));
            }
            Effect::DeleteKey(name) => {
                let r = self
                    .keystore
                    .delete(&name)
                    .map(|_| format!("deleted key {name}"))
                    .map_err(|e| e.to_string());
                self.transport.forget_keys();
                let _ = tx.send(Message::Deleted(r));
            }
            Effect::Import {
                kind,
                path,
                password,
                name,
            } => {
                let (ks, transport) = (self.keystore.clone(), self.transport.clone());
                let (home, profiles) = (self.home.clone(), self.profiles_dir.clone());
                self.rt.spawn_blocking(move || {
                    let imported = match kind {
                        ImportKind::Collection => {
                            import_collection(&ks, &home, &profiles, &path, &password, &name)
                        }
                        _ => import_key(&ks, kind, &path, &password, &name),
                    };
                    transport.forget_keys();
                    let _ = tx.send(Message::Imported(imported));
                });
            }
            Effect::CompletePath(typed) => {
                let tx = tx.clone();
                self.rt.spawn_blocking(move || {
                    if let Some((completed, matches)) = complete_path(&typed) {
                        let _ = tx.send(Message::PathCompleted {
                            typed,
                            completed,
                            matches,
                        });
                    }
                });
            }
            Effect::Copy(text) => {
                let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
                let mut out = std::io::stdout();
                let _ = write!(out, "\x1b]52;c;{b64}\x07");
                let _ = out.flush();
            }
            Effect::WriteBody { name, bytes } => {
                let r = engine::home::write_atomic(std::path::Path::new(&name), &bytes, 0o644)
                    .map(|_| format!("wrote {} bytes to {name}", bytes.len()))
                    .map_err(|e| format!("cannot write {name}: {e}"));
                let _ = tx.send(Message::Wrote(r));
            }
            Effect::ExportKey(name) => self.export_key(tx, name),
        }
    }
}

/// Sends one profile and records it; the pretty text and its line index are built here, off the draw path.
static HISTORY_WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The history line and the display of a finished send; a failure to record is said once per run.
fn shown_of_sent(tx: &UnboundedSender<Message>, sent: Sent) -> (Summary, Shown) {
    if let Some(e) = &sent.not_recorded
        && !HISTORY_WARNED.swap(true, std::sync::atomic::Ordering::Relaxed)
    {
        let _ = tx.send(Message::HistoryNote(e.to_string()));
    }
    let lines = display_lines(&sent.result);
    let shown = Shown {
        profile: sent.profile,
        id: sent.summary.id.map_or(EntryRef::Local(0), EntryRef::Stored),
        result: sent.result,
        lines,
        raw_lines: None,
        verdict: sent.verdict,
        request: sent.request.as_ref().map(|r| {
            Box::new(engine::request::seen::RequestSeen::of(
                r,
                engine::request::seen::Seen::Sent,
            ))
        }),
    };
    (sent.summary, shown)
}

/// Two sends to compare (two keys, or two environments): both into history rows, and the
/// comparison built off the async workers; `labels` names each side.
async fn pair_done(
    tx: &UnboundedSender<Message>,
    (id, of): (u64, crate::message::Pair),
    a: Sent,
    b: Sent,
    labels: impl FnOnce(&Summary, &Summary) -> (String, String),
) {
    let (sa, a) = shown_of_sent(tx, a);
    let (sb, b) = shown_of_sent(tx, b);
    let ignore = a.profile.compare_ignore.clone();
    let labels = labels(&sa, &sb);
    let (ra, rb) = (a.result.clone(), b.result.clone());
    let view = tokio::task::spawn_blocking(move || compare_view(labels, ra, rb, ignore)).await;
    let Ok(view) = view else { return };
    let _ = tx.send(Message::PairDone {
        id,
        of,
        sends: vec![(sb, b), (sa, a)],
        compare: view,
    });
}

/// A send made first because the profile required it, in one line.
fn chain_line(sent: &Sent) -> String {
    let outcome = match &*sent.result {
        Ok(ex) => format!("{} {}", ex.status, ex.reason),
        Err(f) => f.diagnosis.message.clone(),
    };
    let captured = sent.captured();
    if captured.is_empty() {
        format!("sent {} first: {outcome}", sent.profile.name)
    } else {
        format!(
            "sent {} first: {outcome}, captured {}",
            sent.profile.name,
            captured.join(", ")
        )
    }
}

fn shown_of(profile: Profile, id: EntryRef, result: Result<Exchange, Failure>) -> Shown {
    let lines = display_lines(&result);
    Shown {
        profile,
        id,
        result: Arc::new(result),
        lines,
        raw_lines: None,
        verdict: None,
        request: None,
    }
}

fn compare_view(
    labels: (String, String),
    a: Arc<Result<Exchange, Failure>>,
    b: Arc<Result<Exchange, Failure>>,
    ignore: Vec<String>,
) -> Box<CompareView> {
    let cmp = compare::compare(&a, &b, &ignore);
    Box::new(CompareView {
        labels,
        a,
        b,
        ignore,
        cmp,
        scroll: 0,
        input: None,
    })
}

/// Renames a profile file and the name inside it; refuses to overwrite another profile.
fn rename_profile(dir: &std::path::Path, from: &str, to: &str) -> Result<String, String> {
    let target = dir.join(format!("{to}.toml"));
    if target.exists() {
        return Err(format!(
            "a profile named {to} exists already; pick another name"
        ));
    }
    let mut p = profile_dir::find(dir, from).map_err(|e| e.to_string())?;
    p.name = to.to_string();
    p.save(dir).map_err(|e| e.to_string())?;
    std::fs::remove_file(dir.join(format!("{from}.toml")))
        .map_err(|e| format!("saved {to}, but cannot remove {from}.toml: {e}"))?;
    Ok(format!("renamed profile {from} to {to}"))
}

/// Above this, the transient buffers of a send (decoding, the history write) are worth returning.
const BIG_BODY: usize = 4 * 1024 * 1024;

/// Hands freed heap pages back to the system after a large body: glibc keeps them otherwise, and a
/// 20 MB response would leave the process holding several times its size.
fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory at the allocator's discretion; no pointers change.
    #[allow(unsafe_code, reason = "glibc's malloc_trim has no safe wrapper")]
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The body's display lines: the view's own (shared, not copied), or a note for a binary body.
fn display_lines(result: &Result<Exchange, Failure>) -> BodyLines {
    use engine::budget::Budget;
    use engine::exchange::BodyView;
    let note = |text: String| {
        BodyLines::plain(bytes::Bytes::from(text), &Budget::unlimited()).unwrap_or_default()
    };
    match result {
        Ok(ex) => match &ex.view {
            BodyView::Binary => note(format!(
                "({} bytes of binary data; w saves it to a file)",
                ex.body.len()
            )),
            view => view.lines().cloned().unwrap_or_default(),
        },
        Err(_) => BodyLines::default(),
    }
}
