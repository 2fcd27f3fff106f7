//! The one State of the workbench: profiles, the form being edited, the response, history, popups.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use ratatui_textarea::TextArea;

use engine::diagnose::Failure;
use engine::exchange::Exchange;
use engine::history::Summary;
use engine::history::compare::Comparison;
use engine::keys::keystore::KeyInfo;
use engine::request::profile::Profile;
use engine::request::vars::Vars;

pub use crate::form::{Field, Form, FormError, FormTab};

pub use crate::pane::Pane;
pub use history::HistoryPane;
pub use list_filter::{Applies, FilterKey, ListFilter};
pub use profiles::ProfilesPane;

mod history;
mod list_filter;
mod profiles;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RespTab {
    Body,
    Headers,
    Tls,
    Redirects,
    Timing,
    /// The request as sent (or, before a send or after an edit, as it would be sent now).
    Request,
}

impl RespTab {
    pub const ALL: [RespTab; 6] = [
        RespTab::Body,
        RespTab::Headers,
        RespTab::Tls,
        RespTab::Redirects,
        RespTab::Timing,
        RespTab::Request,
    ];
    pub fn label(self) -> &'static str {
        match self {
            RespTab::Body => "Body",
            RespTab::Headers => "Headers",
            RespTab::Tls => "TLS",
            RespTab::Redirects => "Redirects",
            RespTab::Timing => "Timing",
            RespTab::Request => "Request",
        }
    }
}

pub use engine::body::bodylines::BodyLines;
pub use engine::request::seen::RequestSeen;

/// Which send a history row or a shown response is: an entry in the store, or a send of this
/// session that is not recorded (numbered in the order it finished).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryRef {
    Stored(i64),
    Local(u32),
}

/// What a send brings besides its response: its expectations, and the sends it required first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SendExtras {
    pub verdict: Option<engine::request::expect::Verdict>,
    /// One line per profile sent first ("get-token 200, captured token").
    pub chain: Vec<String>,
    /// The request as it went out, secrets masked (None: it did not prepare).
    pub request: Option<Box<RequestSeen>>,
}

/// The environment in use, as the request pane shows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnvView {
    pub name: Option<String>,
    /// Its `credential`, for profiles that name none.
    pub credential: Option<String>,
    /// Its `trust` and `proxy`, for profiles that name none.
    pub trust: Vec<String>,
    pub proxy: Option<String>,
}

/// One finished send, as the response pane shows it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub profile: Profile,
    pub id: EntryRef,
    pub result: Arc<Result<Exchange, Failure>>,
    pub lines: BodyLines,
    /// The body as received (not pretty-printed), made on the first raw toggle.
    pub raw_lines: Option<BodyLines>,
    /// The profile's expectations checked on this response.
    pub verdict: Option<engine::request::expect::Verdict>,
    /// The request as it went out, secrets masked.
    pub request: Option<Box<RequestSeen>>,
}

/// One line of the history pane; entries not in the store keep their whole send here.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub entry: EntryRef,
    pub summary: Summary,
    pub held: Option<Box<Shown>>,
}

/// Two sends side by side: the comparison and what it was made from (to recompute with new ignore rules).
#[derive(Debug)]
pub struct CompareView {
    pub labels: (String, String),
    pub a: Arc<Result<Exchange, Failure>>,
    pub b: Arc<Result<Exchange, Failure>>,
    pub ignore: Vec<String>,
    pub cmp: Comparison,
    pub scroll: usize,
    /// An ignore rule being typed (`i`).
    pub input: Option<TextArea<'static>>,
}

#[derive(Debug, Clone)]
pub struct InFlight {
    pub id: u64,
    pub started: Instant,
    pub profile: Profile,
    /// Events of a stream received so far, and the last one in short.
    pub events: u64,
    /// What `events` counts: "events" of a stream, "messages" of a WebSocket.
    pub unit: &'static str,
    pub last_event: String,
    /// The last events or messages, as they came.
    pub live: crate::live::LiveLog,
    /// A WebSocket conversation: messages can be sent while it runs.
    pub websocket: bool,
    /// The message being typed (a WebSocket), or the live log's filter; None when no input
    /// line is open.
    pub input: Option<String>,
    /// The input line sets the live log's filter (`/`), not a message.
    pub input_filters: bool,
    /// Esc asked the stream to stop; its send is still finishing.
    pub stopping: bool,
}

/// A status-line message: news in green, or a problem in red.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Info(String),
    Problem(String),
}

impl Note {
    pub fn text(&self) -> &str {
        match self {
            Note::Info(t) | Note::Problem(t) => t,
        }
    }

    pub fn is_problem(&self) -> bool {
        matches!(self, Note::Problem(_))
    }
}

#[derive(Debug)]
pub struct ImportWizard {
    pub step: ImportStep,
    pub kind: ImportKind,
    pub path: TextArea<'static>,
    pub password: TextArea<'static>,
    pub name: TextArea<'static>,
    pub error: Option<String>,
    pub busy: bool,
    /// For a token: the keys found on the module's tokens (Tab cycles through them).
    pub candidates: Vec<String>,
    /// The names a Tab left to choose from (several matched what is typed).
    pub matches: Vec<String>,
}

/// What the import wizard reads: one PKCS#12 file, a certificate and key pair, or a key that
/// stays on a PKCS#11 token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter)]
pub enum ImportKind {
    Pkcs12,
    PemPair,
    DerPair,
    Pkcs11,
    /// Another tool's collection with its certificates (Postman, Insomnia, Bruno, .http, HAR).
    Collection,
}

impl ImportKind {
    pub fn label(self) -> &'static str {
        match self {
            ImportKind::Pkcs12 => "PKCS#12 / PFX",
            ImportKind::PemPair => "PEM certificate + key",
            ImportKind::DerPair => "DER certificate + key",
            ImportKind::Pkcs11 => "PKCS#11 token (smart card, YubiKey, HSM)",
            ImportKind::Collection => "a collection: Postman, Insomnia, Bruno, .http, HAR",
        }
    }

    /// The kind above or below this one in the list (`down`), staying at the ends.
    pub fn moved(self, down: bool) -> ImportKind {
        use strum::IntoEnumIterator;
        let all: Vec<ImportKind> = ImportKind::iter().collect();
        let at = all.iter().position(|k| *k == self).unwrap_or(0);
        let to = if down {
            (at + 1).min(all.len() - 1)
        } else {
            at.saturating_sub(1)
        };
        all[to]
    }
}

/// The wizard's steps, in order: kind, file path, password, name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ImportStep {
    Kind,
    Path,
    Password,
    Name,
}

impl ImportStep {
    pub fn next(self) -> ImportStep {
        match self {
            ImportStep::Kind => ImportStep::Path,
            ImportStep::Path => ImportStep::Password,
            ImportStep::Password | ImportStep::Name => ImportStep::Name,
        }
    }
}

/// Why an import failed, and the step whose input it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportFailed {
    pub step: ImportStep,
    pub message: String,
}

impl ImportWizard {
    pub fn new() -> ImportWizard {
        let mut password = TextArea::default();
        password.set_mask_char('*');
        ImportWizard {
            step: ImportStep::Kind,
            kind: ImportKind::Pkcs12,
            path: TextArea::default(),
            password,
            name: TextArea::default(),
            error: None,
            busy: false,
            candidates: Vec::new(),
            matches: Vec::new(),
        }
    }
}

impl Default for ImportWizard {
    fn default() -> Self {
        ImportWizard::new()
    }
}

/// Where the user asked to go from a form with unsaved edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leave {
    Quit,
    /// Open the profile of this name.
    Open(String),
    /// Start a new profile.
    New,
}

#[derive(Debug)]
pub enum Popup {
    Help,
    Keys {
        selected: usize,
        inspect: bool,
        confirm_delete: bool,
    },
    Import(Box<ImportWizard>),
    /// The form has unsaved edits and the user asked to leave it: save, discard or stay.
    Unsaved(Leave),
    /// The form's file changed on disk since it was opened: reload, overwrite or stay.
    Conflict,
    ConfirmDeleteProfile,
    RawError,
    /// A failed send's whole story (`!`): the cause, what the server said, the fix; scrolled.
    Problem {
        scroll: usize,
    },
    Compare(Box<CompareView>),
    ConfirmDeleteEntry(i64),
    ConfirmClearHistory,
    RenameProfile(Box<TextArea<'static>>),
    /// Every variable with its source: Enter sets one for the session, `x` forgets captures.
    Variables {
        selected: usize,
        editing: Option<Box<VarEdit>>,
    },
    /// A token's PIN, typed masked; it goes to the send that asked and is kept in memory only.
    Pin {
        token: String,
        input: Box<TextArea<'static>>,
    },
    /// The trusted certificates (`T`): add to the form's trust, add from a file or a server, delete.
    Trust(Box<crate::trust_picker::TrustPicker>),
    /// A text option (proxy, pin, resolve, connect-to, max body) being typed.
    OptionText {
        row: crate::options::OptionRow,
        input: Box<TextArea<'static>>,
    },
    /// Every action with its key (Ctrl-P), filtered by what is typed; Enter does it.
    Palette(crate::palette::Palette),
    /// A gRPC server's methods, asked of it (None while asking), filtered by what is typed.
    GrpcMethods(Box<MethodPicker>),
    /// A handshake probe of one key against the form's URL: running (lines empty) or its report.
    KeyCheck {
        name: String,
        url: String,
        accepted: Option<bool>,
        lines: Vec<String>,
    },
}

/// A line being typed in the variables popup: the value of the variable named, or (no name) a
/// new one as `NAME=VALUE`.
#[derive(Debug)]
pub struct VarEdit {
    pub input: TextArea<'static>,
    pub name: Option<String>,
}

/// The gRPC method picker: the server's methods (or why there are none), a filter, a row.
#[derive(Debug, Default)]
pub struct MethodPicker {
    pub methods: Option<Result<Vec<engine::net::grpc::describe::MethodInfo>, String>>,
    pub filter: String,
    pub selected: usize,
}

impl MethodPicker {
    /// The methods whose name holds the filter (any case), in the server's order.
    pub fn shown(&self) -> Vec<&engine::net::grpc::describe::MethodInfo> {
        let needle = self.filter.to_ascii_lowercase();
        match &self.methods {
            Some(Ok(all)) => all
                .iter()
                .filter(|m| m.method.to_ascii_lowercase().contains(&needle))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Everything the screen shows; changed only by `update`.
#[derive(Debug)]
pub struct State {
    pub profiles_dir: PathBuf,
    pub vars: Vars,
    pub profiles: ProfilesPane,
    /// Where to go once the save under way has landed (a failed save stays, edits kept).
    pub after_save: Option<Leave>,
    pub keys: Vec<(String, Result<KeyInfo, String>)>,
    pub form: Form,
    pub focus: Pane,
    pub field: Field,
    /// The form is focused but no field takes keys (after Esc): keys are commands, never text.
    pub form_idle: bool,
    pub form_tab: FormTab,
    pub option_row: crate::options::OptionRow,
    pub resp_tab: RespTab,
    pub scroll: usize,
    pub history: HistoryPane,
    pub shown: Option<Box<Shown>>,
    /// Body view switches: raw bytes as text instead of pretty, and soft wrap.
    pub raw: bool,
    pub wrap: bool,
    /// The body search being typed (`/`) and the term applied (n / N).
    pub body_search: Option<TextArea<'static>>,
    pub search_term: String,
    /// The terminal's size, for mouse hit-testing.
    pub size: (u16, u16),
    pub in_flight: Option<InFlight>,
    /// The form's request as it would be sent now (Request tab), or why it would not go,
    /// and the profile it was prepared from (asked again only when the form changes).
    pub preview: Option<Result<Box<RequestSeen>, String>>,
    pub previewed: Option<Profile>,
    /// The form changed since the shown response: the Request tab shows the preview.
    pub preview_over: bool,
    /// A profile edited in the editor that did not read back: Ctrl-E opens it again, never lost.
    pub unread_edit: Option<String>,
    /// Keys typed before the profiles were read, replayed once they are.
    pub early_keys: Vec<crossterm::event::KeyEvent>,
    pub next_id: u64,
    pub popup: Option<Popup>,
    /// The time as the event loop last read it.
    pub now: crate::clock::Now,
    /// The environment in use (`e` cycles through them).
    pub env: EnvView,
    pub envs: Vec<String>,
    /// The home's key bindings, to show which key a profile naming none will use.
    pub bindings: Option<engine::keys::bindings::Bindings>,
    /// Every variable with its source (`v` shows them).
    pub variables: Vec<engine::request::variables::VarSeen>,
    /// The status line's message of the moment, and since when it is shown (it expires).
    pub message: Option<Note>,
    pub message_since: Option<(Note, std::time::Instant)>,
    pub banner: Option<String>,
    /// A key with fewer days left (or, short-lived, under a third of its life) is flagged.
    pub expiry_days: i64,
    pub quit: bool,
    pub spinner: usize,
    pub no_color: bool,
}

impl State {
    /// The key a send of the form will present when the profile names none, and why: the
    /// environment's, else a host binding's (matched on the URL with the variables known here).
    pub fn implied_key(&self) -> Option<(String, String)> {
        if self.form.base.credential.is_some() || self.form.base.options.mutual_tls == Some(false) {
            return None;
        }
        if let (Some(env), Some(key)) = (&self.env.name, &self.env.credential) {
            return Some((key.clone(), format!("from env {env}")));
        }
        let url = self.vars.expand(&self.form.base.url).ok()?;
        let bound = self
            .bindings
            .as_ref()?
            .for_url(&url::Url::parse(&url).ok()?)?;
        Some((bound.key, format!("bound to {}", bound.pattern)))
    }

    /// What the form's options come to with the environment and the bindings.
    pub fn effective(&self) -> crate::options::Effective {
        crate::options::Effective {
            implied_key: self.implied_key(),
            env: self.env.name.clone(),
            env_trust: self.env.trust.clone(),
            env_proxy: self.env.proxy.clone(),
        }
    }

    /// Whether something on screen moves by itself: the spinner of a send in flight, or a
    /// message that will expire.
    pub fn animates(&self) -> bool {
        self.in_flight.is_some() || self.message.is_some()
    }

    pub fn new(profiles_dir: PathBuf, vars: Vars) -> State {
        State {
            expiry_days: engine::keys::certinfo::RENEW_WARNING_DAYS,
            env: EnvView::default(),
            envs: Vec::new(),
            bindings: None,
            variables: Vec::new(),
            now: Default::default(),
            profiles_dir,
            vars,
            profiles: ProfilesPane::default(),
            after_save: None,
            keys: Vec::new(),
            form: Form::from_profile(&Profile {
                name: "new".into(),
                ..Profile::default()
            }),
            focus: Pane::Profiles,
            field: Field::Url,
            form_idle: false,
            form_tab: FormTab::Headers,
            option_row: Default::default(),
            resp_tab: RespTab::Body,
            scroll: 0,
            history: HistoryPane::default(),
            shown: None,
            raw: false,
            wrap: false,
            body_search: None,
            search_term: String::new(),
            size: (80, 24),
            in_flight: None,
            preview: None,
            previewed: None,
            preview_over: false,
            unread_edit: None,
            early_keys: Vec::new(),
            next_id: 1,
            popup: None,
            message: None,
            message_since: None,
            banner: None,
            quit: false,
            spinner: 0,
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }

    /// Whether keys go to a text field (so `q` types a q instead of quitting).
    pub fn typing(&self) -> bool {
        match &self.popup {
            Some(Popup::Import(w)) => w.step > ImportStep::Kind,
            Some(Popup::Compare(v)) => v.input.is_some(),
            Some(Popup::RenameProfile(_) | Popup::Palette(_) | Popup::OptionText { .. }) => true,
            Some(Popup::Variables { editing, .. }) => editing.is_some(),
            Some(Popup::Trust(t)) => matches!(t.mode, crate::trust_picker::TrustMode::AddFile(_)),
            Some(_) => false,
            None if self.history.filter().is_typing()
                || self.body_search.is_some()
                || self.profiles.filter().is_typing() =>
            {
                true
            }
            None if self.in_flight.as_ref().is_some_and(|f| f.input.is_some()) => true,
            None => {
                self.focus == Pane::Form
                    && !self.form_idle
                    && (self.field == Field::Url
                        || (self.field == Field::Tab && self.form_tab != FormTab::Options))
            }
        }
    }

    pub fn shown(&self) -> Option<&Shown> {
        self.shown.as_deref()
    }

    /// The body lines on screen: raw or pretty.
    pub fn body_lines(&self) -> Option<&BodyLines> {
        let sh = self.shown()?;
        Some(match (&sh.raw_lines, self.raw) {
            (Some(raw), true) => raw,
            _ => &sh.lines,
        })
    }

    pub fn key_info(&self, name: &str) -> Option<&KeyInfo> {
        self.keys
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, k)| k.as_ref().ok())
    }
}
