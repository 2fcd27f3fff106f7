//! The effects the workbench asks for: sends, saves, imports, reads; the runner does each.

use std::path::PathBuf;

use engine::request::profile::Profile;

use super::Side;
use crate::message::After;
use crate::state::ImportKind;

/// Work for the effects runner; results come back as Messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Send {
        id: u64,
        profile: Box<Profile>,
        /// Stream the body into this file instead of holding it (`w` on a body over the cap).
        save_to: Option<String>,
    },
    Cancel {
        id: u64,
    },
    /// End an event stream in flight as a normal end: what arrived is kept and shown.
    StopStream {
        id: u64,
    },
    /// Send a message on the WebSocket of send `id`.
    SendMessage {
        id: u64,
        out: engine::body::messages::Outgoing,
    },
    LoadProfiles,
    LoadKeys,
    /// Save the profile; `over`: only over the file as it was loaded (None: whatever is there).
    SaveProfile {
        profile: Box<Profile>,
        over: Option<engine::request::profile::FileStamp>,
    },
    DeleteProfile(String),
    Import {
        kind: ImportKind,
        path: String,
        password: String,
        name: String,
    },
    DeleteKey(String),
    /// Complete the import wizard's path from the folder listing.
    CompletePath(String),
    Copy(String),
    WriteBody {
        name: String,
        bytes: bytes::Bytes,
    },
    ExportKey(String),
    /// Read the history list with this filter line.
    LoadHistory(String),
    OpenEntry {
        id: i64,
        then: After,
    },
    DeleteEntry(i64),
    ClearHistory,
    Compare {
        a: Side,
        b: Side,
        labels: (String, String),
        ignore: Vec<String>,
    },
    /// The same request with the profile's key and with `other`, then compared.
    SendPair {
        id: u64,
        profile: Box<Profile>,
        other: String,
    },
    RenameProfile {
        from: String,
        to: String,
    },
    /// A key check of the profile's key: a handshake and one GET (`keys check` from the picker).
    CheckKey(Box<Profile>),
    /// Ask the profile's gRPC server for its methods (reflection, or the profile's proto files).
    ListGrpcMethods(Box<Profile>),
    /// Use this environment from now on (None: none).
    SwitchEnv(Option<String>),
    /// The same profile in the current environment and in `other`, then compared.
    SendEnvPair {
        id: u64,
        profile: Box<Profile>,
        other: String,
    },
    /// Forget the session's captured variables.
    ClearSession,
    /// Read every variable with its source, for the variables popup.
    LoadVariables,
    /// Set a variable for the rest of the session, above every other source.
    SetVariable {
        name: String,
        value: String,
    },
    /// Import the certificate and CA files a pasted curl command names.
    ImportCurlFiles {
        cert: Option<engine::interop::curl::CertFiles>,
        cacert: Option<PathBuf>,
    },
    /// List the environments and read the key bindings.
    LoadSurroundings,
    /// The PIN typed for the token a send is waiting on (None: cancelled).
    PinEntered(Option<String>),
    /// List the keys on the module's tokens (the import wizard's Tab).
    DiscoverTokens,
    /// Prepare the form's request without sending it, for the Request tab.
    Preview(Box<Profile>),
    /// Open `text` in the person's editor (the event loop runs it, with the terminal).
    ExternalEdit {
        target: crate::editor::EditTarget,
        text: String,
        /// The file's ending, so the editor colours it (".json", ".toml").
        suffix: &'static str,
    },
    /// List the trusted certificates (the trust picker).
    LoadTrusted,
    /// Trust the certificate(s) in this file, under a name from its stem.
    AddTrustedFile(String),
    /// Read the certificates the profile's server presents, without trusting them.
    FetchPresented(Box<Profile>),
    /// Trust this certificate (DER) under this name.
    AddTrustedDer {
        name: String,
        der: Vec<u8>,
    },
    DeleteTrusted(String),
}
