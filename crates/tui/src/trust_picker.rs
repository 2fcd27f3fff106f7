//! The trust picker's state (`T`): the trusted certificates, and adding one from a file or from
//! what a server presents.

use ratatui_textarea::TextArea;

/// One trusted certificate as listed: its name and a line about it (or why it cannot be read).
#[derive(Debug, Clone, PartialEq)]
pub struct Trusted {
    pub name: String,
    pub about: Result<String, String>,
}

/// One certificate a server presented, for a person to check before trusting it.
#[derive(Debug, Clone, PartialEq)]
pub struct Presented {
    pub subject: String,
    pub issuer: String,
    pub sha256: String,
    pub expiry: String,
    pub is_ca: bool,
    /// The name it would be stored under (from its common name, unused in the keystore).
    pub name: String,
    pub der: Vec<u8>,
}

/// What the picker is doing.
#[derive(Debug)]
pub enum TrustMode {
    /// The list: Enter adds (or takes away) the selected one in the form's trust.
    List,
    /// A file's path being typed (Tab completes it).
    AddFile(Box<TextArea<'static>>),
    /// The certificates the form's server presents: asked (None), or read, one selected.
    FromUrl {
        chain: Option<Result<Vec<Presented>, String>>,
        selected: usize,
    },
    /// `d` asked whether to delete the selected one.
    ConfirmDelete,
}

#[derive(Debug)]
pub struct TrustPicker {
    /// None until the keystore is read.
    pub trusted: Option<Vec<Trusted>>,
    pub selected: usize,
    pub mode: TrustMode,
    /// What the last action did, or why it failed.
    pub said: Option<Result<String, String>>,
}

impl TrustPicker {
    pub fn new() -> TrustPicker {
        TrustPicker {
            trusted: None,
            selected: 0,
            mode: TrustMode::List,
            said: None,
        }
    }

    /// The name of the selected trusted certificate.
    pub fn selected_name(&self) -> Option<&str> {
        self.trusted
            .as_ref()?
            .get(self.selected)
            .map(|t| t.name.as_str())
    }
}

impl Default for TrustPicker {
    fn default() -> Self {
        TrustPicker::new()
    }
}
