//! The one Message type: terminal input, ticks, and reports from background work.

use std::sync::Arc;

use crossterm::event::{KeyEvent, MouseEvent};

use engine::diagnose::Failure;
use engine::exchange::Exchange;
use engine::history::Summary;
use engine::keys::keystore::KeyInfo;
use engine::request::profile_dir::LoadedProfile;

use super::state::{BodyLines, CompareView, EnvView, SendExtras, Shown};

#[derive(Debug)]
pub enum Message {
    Key(KeyEvent),
    Mouse(MouseEvent),
    /// Text pasted into the terminal (bracketed paste): it goes into the focused text field,
    /// never runs as keys.
    Paste(String),
    Resize(u16, u16),
    /// A redraw while something animates, with the time it was sent.
    Tick(crate::clock::Now),
    /// SIGTERM, SIGHUP (an SSH drop) or a dead input stream: stop all work and leave now,
    /// restoring the terminal; `code` is the exit status (128 + the signal).
    Quit {
        code: i32,
    },
    /// A send finished; `id` says which, so a stale or cancelled result is dropped.
    SendDone {
        id: u64,
        result: Arc<Result<Exchange, Failure>>,
        /// The body's display lines, built off the draw path.
        lines: BodyLines,
        /// The history line for it: `id` > 0 when recorded, 0 when not.
        summary: Box<Summary>,
        /// Its expectations, and what was sent first because it required it.
        extras: SendExtras,
    },
    /// The environment now in use (None: none), and the key it names for profiles naming none.
    EnvSwitched(Result<EnvView, String>),
    /// The environments the profiles folder has, and the home's key bindings.
    Surroundings {
        envs: Vec<String>,
        bindings: Option<engine::keys::bindings::Bindings>,
    },
    /// Every variable with its value (masked when secret) and source.
    Variables(Vec<engine::request::variables::VarSeen>),
    /// The keystore changed outside the key picker: read the keys again.
    KeysChanged,
    /// The `pkcs11:` URIs of the keys found on the tokens, for the import wizard.
    TokensFound(Result<Vec<String>, String>),
    /// A send needs the PIN of this token (a key on a PKCS#11 token).
    PinNeeded {
        token: String,
    },
    /// Both sends of a two-key comparison, and the comparison.
    PairDone {
        id: u64,
        /// What differs between the two sends: the key, or the environment.
        of: Pair,
        sends: Vec<(Summary, Shown)>,
        compare: Box<CompareView>,
    },
    HistoryLoaded(Result<Vec<Summary>, String>),
    /// A stored entry, read for `then`.
    EntryLoaded {
        then: After,
        result: Result<Box<Shown>, String>,
    },
    Compared(Result<Box<CompareView>, String>),
    /// A key probe's outcome: accepted or not, and the story and diagnosis in lines.
    KeyChecked {
        name: String,
        accepted: bool,
        lines: Vec<String>,
    },
    /// A gRPC server's methods for the picker, or why they could not be read.
    GrpcMethods(Result<Vec<engine::net::grpc::describe::MethodInfo>, String>),
    /// The form's request prepared for the Request tab, or why it would not go.
    Previewed(Result<Box<crate::state::RequestSeen>, String>),
    /// What the editor of Ctrl-E left (or why nothing changed).
    Edited {
        target: crate::editor::EditTarget,
        result: Result<String, String>,
    },
    /// The trusted certificates, for the trust picker.
    TrustedLoaded(Vec<crate::trust_picker::Trusted>),
    /// The certificates the form's server presented (not trusted), or why none were read.
    ChainPresented(Result<Vec<crate::trust_picker::Presented>, String>),
    /// A trusted certificate added or deleted (or why not); `added` names one to add to the
    /// form's trust.
    TrustChanged {
        result: Result<String, String>,
        added: Option<String>,
    },
    /// Said once: history set aside or unavailable.
    HistoryNote(String),
    /// A message typed for a WebSocket could not be handed to it.
    MessageNotSent(String),
    /// The profile files' names, listed before they are read: the first frame shows them.
    ProfilesListed(Vec<String>),
    ProfilesLoaded(Vec<LoadedProfile>),
    KeysLoaded(Vec<(String, Result<KeyInfo, String>)>),
    Saved(Result<String, String>),
    /// The form's profile file changed on disk since it was opened: nothing was written.
    SaveConflict,
    /// The terminal window came back into focus: files may have changed meanwhile.
    FocusGained,
    /// An event stream (or a WebSocket) of send `id` has brought `received` events (or
    /// messages received) so far; `entries` are those that passed since the last batch (at most
    /// the live log's ring), `websocket` whether it is a WebSocket conversation.
    StreamBatch {
        id: u64,
        received: u64,
        websocket: bool,
        entries: Vec<crate::live::LiveEntry>,
    },
    Imported(Result<String, crate::state::ImportFailed>),
    /// The import wizard's path `typed`, completed from the folder listing.
    PathCompleted {
        typed: String,
        completed: String,
        /// The names that still match, when there are several.
        matches: Vec<String>,
    },
    Deleted(Result<String, String>),
    Wrote(Result<String, String>),
    /// A pasted curl command's files, placed in the keystore by content: the names the form
    /// must use (None where a file was not imported), and what happened in words.
    CurlFilesPlaced {
        key: Option<String>,
        trust: Option<String>,
        said: String,
    },
}

/// What a comparison of two sends varied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pair {
    Keys,
    Environments,
}

/// What to do with a history entry once it is read from the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    Show,
    /// Open its request in the form.
    Form,
    /// Send it again.
    Rerun,
}
