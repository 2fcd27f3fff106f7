//! Keys in the comparison popup.

use super::*;

pub(super) fn compare_popup(
    s: &mut State,
    k: KeyEvent,
    mut v: Box<crate::state::CompareView>,
) -> Vec<Effect> {
    if let Some(mut input) = v.input.take() {
        match k.code {
            KeyCode::Esc => {}
            KeyCode::Enter => {
                let rule = input.lines().join("").trim().to_string();
                if rule.starts_with('$') && !engine::history::compare::is_valid_path(&rule) {
                    s.message = Some(Note::Problem(format!(
                        "{rule} is not a JSON path; write $.field, $.list[*].field or $..field"
                    )));
                    v.input = Some(input);
                } else if !rule.is_empty() {
                    let mut ignore = v.ignore.clone();
                    ignore.push(rule);
                    let effect = Effect::Compare {
                        a: Side::Held(v.a.clone()),
                        b: Side::Held(v.b.clone()),
                        labels: v.labels.clone(),
                        ignore,
                    };
                    s.popup = Some(Popup::Compare(v));
                    return vec![effect];
                }
            }
            _ => {
                input.input(k);
                v.input = Some(input);
            }
        }
        s.popup = Some(Popup::Compare(v));
        return Vec::new();
    }
    let starts = v.cmp.change_starts();
    match k.code {
        KeyCode::Esc | KeyCode::Char('q') => return Vec::new(),
        KeyCode::Down | KeyCode::Char('j') => v.scroll = v.scroll.saturating_add(1),
        KeyCode::Up | KeyCode::Char('k') => v.scroll = v.scroll.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => v.scroll = v.scroll.saturating_add(20),
        KeyCode::PageUp => v.scroll = v.scroll.saturating_sub(20),
        KeyCode::Home | KeyCode::Char('g') => v.scroll = 0,
        KeyCode::Char('n') => {
            if let Some(next) = starts.iter().find(|i| **i > v.scroll) {
                v.scroll = *next;
            }
        }
        KeyCode::Char('N') => {
            if let Some(prev) = starts.iter().rev().find(|i| **i < v.scroll) {
                v.scroll = *prev;
            }
        }
        KeyCode::Char('i') => v.input = Some(TextArea::new(vec!["$.".into()])),
        KeyCode::Char('y') => {
            let text = v.cmp.to_text((&v.labels.0, &v.labels.1), 3);
            s.popup = Some(Popup::Compare(v));
            return vec![Effect::Copy(text)];
        }
        _ => {}
    }
    if let Some(input) = v.input.as_mut() {
        input.move_cursor(ratatui_textarea::CursorMove::End);
    }
    s.popup = Some(Popup::Compare(v));
    Vec::new()
}
