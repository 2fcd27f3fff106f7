//! A list's filter: the text being typed (after `/`) and the filter applied, as one value.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui_textarea::{CursorMove, TextArea};

/// When typing changes the list: at every key (a list in memory), or on Enter (a query to run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    AsTyped,
    OnEnter,
}

/// What a key did to a filter being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterKey {
    /// Still typing; for `Applies::AsTyped`, the applied filter is now the text.
    Typed,
    /// Typing ended with the filter kept (Enter: for `Applies::OnEnter`, the text is now applied).
    Applied,
    /// Typing ended with Esc: dropped for `Applies::AsTyped`, the earlier one kept for `OnEnter`.
    Left,
    /// A key the filter does not take (↑/↓ while typing in a list applied as typed).
    Passed,
}

#[derive(Debug)]
pub struct ListFilter {
    applies: Applies,
    typing: Option<TextArea<'static>>,
    applied: String,
}

impl ListFilter {
    pub fn new(applies: Applies) -> ListFilter {
        ListFilter {
            applies,
            typing: None,
            applied: String::new(),
        }
    }

    /// The filter in use ("" for none).
    pub fn applied(&self) -> &str {
        &self.applied
    }

    /// The field being typed in, if any.
    pub fn typing(&self) -> Option<&TextArea<'static>> {
        self.typing.as_ref()
    }

    pub fn is_typing(&self) -> bool {
        self.typing.is_some()
    }

    /// `/`: typing starts from the filter applied, cursor at its end.
    pub fn start(&mut self) {
        let mut input = TextArea::new(vec![self.applied.clone()]);
        input.move_cursor(CursorMove::End);
        self.typing = Some(input);
    }

    /// No filter: every row listed.
    pub fn clear(&mut self) {
        self.applied.clear();
        self.typing = None;
    }

    /// A key while typing (the caller asks only when `is_typing`).
    pub fn key(&mut self, k: KeyEvent) -> FilterKey {
        let Some(input) = self.typing.as_mut() else {
            return FilterKey::Passed;
        };
        match (k.code, self.applies) {
            (KeyCode::Esc, Applies::AsTyped) => {
                self.clear();
                FilterKey::Left
            }
            (KeyCode::Esc, Applies::OnEnter) => {
                self.typing = None;
                FilterKey::Left
            }
            (KeyCode::Enter, _) => {
                self.applied = input.lines().join(" ");
                self.typing = None;
                FilterKey::Applied
            }
            (KeyCode::Up | KeyCode::Down, Applies::AsTyped) => FilterKey::Passed,
            _ => {
                input.input(k);
                if self.applies == Applies::AsTyped {
                    self.applied = input.lines().join(" ");
                }
                FilterKey::Typed
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn typed(f: &mut ListFilter, text: &str) {
        for c in text.chars() {
            assert_eq!(f.key(key(KeyCode::Char(c))), FilterKey::Typed);
        }
    }

    #[test]
    fn as_typed_applies_each_key_and_esc_drops_it() {
        let mut f = ListFilter::new(Applies::AsTyped);
        f.start();
        typed(&mut f, "ord");
        assert_eq!(f.applied(), "ord");
        assert_eq!(f.key(key(KeyCode::Down)), FilterKey::Passed);
        assert_eq!(f.key(key(KeyCode::Enter)), FilterKey::Applied);
        assert!(!f.is_typing());
        assert_eq!(f.applied(), "ord");
        f.start();
        assert_eq!(f.key(key(KeyCode::Esc)), FilterKey::Left);
        assert_eq!(f.applied(), "");
    }

    #[test]
    fn on_enter_keeps_the_earlier_filter_until_enter() {
        let mut f = ListFilter::new(Applies::OnEnter);
        f.start();
        typed(&mut f, "4xx");
        assert_eq!(f.applied(), "");
        assert_eq!(f.key(key(KeyCode::Enter)), FilterKey::Applied);
        assert_eq!(f.applied(), "4xx");
        f.start();
        assert_eq!(f.typing().map(|t| t.lines().join("")), Some("4xx".into()));
        typed(&mut f, " orders");
        assert_eq!(f.key(key(KeyCode::Esc)), FilterKey::Left);
        assert_eq!(f.applied(), "4xx");
    }
}
