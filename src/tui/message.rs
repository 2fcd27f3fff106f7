//! The one Message type: terminal input, ticks, and reports from background work.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::core::diagnose::Failure;
use crate::core::exchange::Exchange;
use crate::core::keystore::KeyInfo;
use crate::core::profile::LoadedProfile;

use super::state::BodyLines;

#[derive(Debug)]
pub enum Message {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize,
    Tick,
    /// SIGTERM or a dead input stream: leave now, restoring the terminal.
    Quit,
    /// A send finished; `id` says which, so a stale or cancelled result is dropped.
    SendDone {
        id: u64,
        result: Box<Result<(Exchange, BodyLines), Failure>>,
    },
    ProfilesLoaded(Vec<LoadedProfile>),
    KeysLoaded(Vec<(String, Result<KeyInfo, String>)>),
    Saved(Result<String, String>),
    Imported(Result<String, String>),
    Deleted(Result<String, String>),
    Wrote(Result<String, String>),
}
