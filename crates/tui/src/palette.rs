//! The command palette's actions: each one a label, the key that does it, and the pane it needs.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::pane::Pane;

/// One action the palette lists: run by focusing `pane` (if any) and pressing `keys` in turn,
/// so it does exactly what its key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    pub label: &'static str,
    /// The key as the help and the key bars name it.
    pub key: &'static str,
    pub pane: Option<Pane>,
    keys: &'static [(KeyCode, bool)],
}

impl Action {
    /// The key events that do the action (a `true` means with Ctrl).
    pub fn keys(&self) -> impl Iterator<Item = KeyEvent> + '_ {
        self.keys.iter().map(|(code, with_ctrl)| {
            let mods = if *with_ctrl {
                KeyModifiers::CONTROL
            } else {
                KeyModifiers::NONE
            };
            KeyEvent::new(*code, mods)
        })
    }
}

const fn act(
    label: &'static str,
    key: &'static str,
    pane: Option<Pane>,
    keys: &'static [(KeyCode, bool)],
) -> Action {
    Action {
        label,
        key,
        pane,
        keys,
    }
}

const P: Option<Pane> = Some(Pane::Profiles);
const R: Option<Pane> = Some(Pane::Response);
const H: Option<Pane> = Some(Pane::History);

/// Every action, in the order the palette lists them before a filter is typed.
pub const ACTIONS: &[Action] = &[
    act(
        "Send the request",
        "Ctrl-R",
        None,
        &[(KeyCode::Char('r'), true)],
    ),
    act(
        "Save the profile",
        "Ctrl-S",
        None,
        &[(KeyCode::Char('s'), true)],
    ),
    act(
        "Show the request as it would be sent",
        "p",
        P,
        &[(KeyCode::Char('p'), false)],
    ),
    act(
        "Keys: pick, inspect, check, export",
        "Ctrl-K",
        None,
        &[(KeyCode::Char('k'), true)],
    ),
    act(
        "Trusted certificates: add from a file or the server",
        "T",
        P,
        &[(KeyCode::Char('T'), false)],
    ),
    act(
        "Import a key or a collection (Postman, Insomnia, Bruno...)",
        "Ctrl-K a",
        None,
        &[(KeyCode::Char('k'), true), (KeyCode::Char('a'), false)],
    ),
    act(
        "Edit the body (Body tab) or the whole profile in $EDITOR",
        "Ctrl-E",
        None,
        &[(KeyCode::Char('e'), true)],
    ),
    act("New request", "n", P, &[(KeyCode::Char('n'), false)]),
    act(
        "Filter the profiles by name or URL",
        "/",
        P,
        &[(KeyCode::Char('/'), false)],
    ),
    act(
        "Duplicate the profile",
        "c",
        P,
        &[(KeyCode::Char('c'), false)],
    ),
    act("Rename the profile", "r", P, &[(KeyCode::Char('r'), false)]),
    act("Delete the profile", "d", P, &[(KeyCode::Char('d'), false)]),
    act("Next environment", "e", P, &[(KeyCode::Char('e'), false)]),
    act(
        "Compare with the next environment",
        "E",
        P,
        &[(KeyCode::Char('E'), false)],
    ),
    act(
        "Variables: every source; set one for the session",
        "v",
        P,
        &[(KeyCode::Char('v'), false)],
    ),
    act(
        "gRPC: pick a method of the server",
        "Ctrl-G",
        None,
        &[(KeyCode::Char('g'), true)],
    ),
    act(
        "The whole story of a failure",
        "!",
        R,
        &[(KeyCode::Char('!'), false)],
    ),
    act("Search the body", "/", R, &[(KeyCode::Char('/'), false)]),
    act("Body raw or pretty", "r", R, &[(KeyCode::Char('r'), false)]),
    act("Wrap long lines", "z", R, &[(KeyCode::Char('z'), false)]),
    act(
        "Copy the body (OSC 52)",
        "y",
        R,
        &[(KeyCode::Char('y'), false)],
    ),
    act(
        "Save the body to a file",
        "w",
        R,
        &[(KeyCode::Char('w'), false)],
    ),
    act("Filter the history", "/", H, &[(KeyCode::Char('/'), false)]),
    act(
        "Run the history entry again",
        "r",
        H,
        &[(KeyCode::Char('r'), false)],
    ),
    act(
        "Open the history entry in the form",
        "o",
        H,
        &[(KeyCode::Char('o'), false)],
    ),
    act(
        "Compare the marked entries",
        "c",
        H,
        &[(KeyCode::Char('c'), false)],
    ),
    act(
        "Delete every history entry",
        "D",
        H,
        &[(KeyCode::Char('D'), false)],
    ),
    act("Help: every key", "? / F1", None, &[(KeyCode::F(1), false)]),
    act("Quit", "q / Ctrl-C", None, &[(KeyCode::Char('c'), true)]),
];

/// The palette: what is typed, and the row chosen among the actions that match it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Palette {
    pub filter: String,
    pub selected: usize,
}

impl Palette {
    /// The actions whose label or key holds every word typed (any case).
    pub fn shown(&self) -> Vec<&'static Action> {
        let words: Vec<String> = self
            .filter
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        ACTIONS
            .iter()
            .filter(|a| {
                let hay = format!("{} {}", a.label, a.key).to_lowercase();
                words.iter().all(|w| hay.contains(w))
            })
            .collect()
    }
}
