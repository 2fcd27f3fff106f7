//! The workbench without a terminal: keys as messages, and the screen drawn into a TestBackend.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use engine::request::profile::Profile;
use engine::request::profile_dir::LoadedProfile;
use tui::message::Message;
use tui::state::State;
use tui::update::update;

pub fn key(c: KeyCode) -> Message {
    Message::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Message {
    Message::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Each character of `text` as a key press.
pub fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        update(s, key(KeyCode::Char(c)));
    }
}

/// The profiles as read from a folder, each with its URL.
pub fn loaded(s: &mut State, profiles: &[(&str, &str)]) {
    let list = profiles
        .iter()
        .map(|(name, url)| LoadedProfile {
            stamp: None,
            name: name.to_string(),
            path: format!("{name}.toml").into(),
            result: Ok(Profile {
                name: name.to_string(),
                url: url.to_string(),
                ..Profile::default()
            }),
        })
        .collect();
    update(s, Message::ProfilesLoaded(list));
}

/// The screen as text, one line per row.
pub fn screen(s: &State, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| tui::view::draw(f, s)).unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                + "\n"
        })
        .collect()
}
