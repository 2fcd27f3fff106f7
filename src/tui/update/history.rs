//! The history pane: rows as sends finish, and its keys (show, re-run, mark, compare, delete).

use super::*;

/// Puts a finished send at the top of history and in the response pane.
pub(super) fn add_row(s: &mut State, mut summary: crate::core::history::Summary, mut shown: Shown) {
    let held = if summary.id > 0 {
        None
    } else {
        summary.id = s.next_local_id;
        shown.id = s.next_local_id;
        s.next_local_id -= 1;
        Some(Box::new(shown.clone()))
    };
    s.history.insert(0, HistoryRow { summary, held });
    s.shown = Some(Box::new(shown));
    s.history_selected = 0;
    s.scroll = 0;
}

pub(super) fn history_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    if let Some(mut input) = s.history_filter.take() {
        match k.code {
            KeyCode::Esc => {}
            KeyCode::Enter => {
                s.history_query = input.lines().join(" ");
                s.history_selected = 0;
                return vec![Effect::LoadHistory(s.history_query.clone())];
            }
            _ => {
                input.input(k);
                s.history_filter = Some(input);
            }
        }
        return Vec::new();
    }
    let n = s.history.len();
    let selected = s.history.get(s.history_selected).map(|r| r.summary.id);
    let open = |s: &mut State, then: After| -> Vec<Effect> {
        let row = &s.history[s.history_selected];
        match &row.held {
            Some(shown) => {
                let shown = shown.clone();
                update(
                    s,
                    Message::EntryLoaded {
                        then,
                        result: Ok(shown),
                    },
                )
            }
            None => vec![Effect::OpenEntry {
                id: row.summary.id,
                then,
            }],
        }
    };
    match k.code {
        KeyCode::Down | KeyCode::Char('j') if n > 0 => {
            s.history_selected = (s.history_selected + 1).min(n - 1)
        }
        KeyCode::Up | KeyCode::Char('k') => {
            s.history_selected = s.history_selected.saturating_sub(1)
        }
        KeyCode::Enter if n > 0 => return open(s, After::Show),
        KeyCode::Char('o') if n > 0 => return open(s, After::Form),
        KeyCode::Char('r') if n > 0 => return open(s, After::Rerun),
        KeyCode::Char('/') => {
            let mut input = TextArea::new(vec![s.history_query.clone()]);
            input.move_cursor(ratatui_textarea::CursorMove::End);
            s.history_filter = Some(input);
        }
        KeyCode::Char('m') => {
            if let Some(id) = selected {
                if let Some(i) = s.marked.iter().position(|m| *m == id) {
                    s.marked.remove(i);
                } else {
                    s.marked.push(id);
                    if s.marked.len() > 2 {
                        s.marked.remove(0);
                    }
                }
            }
        }
        KeyCode::Char('c') => return compare_marked(s),
        KeyCode::Char('d') => {
            if let Some(id) = selected {
                if id < 0 {
                    s.history.remove(s.history_selected);
                    s.history_selected = s.history_selected.min(s.history.len().saturating_sub(1));
                } else {
                    s.popup = Some(Popup::ConfirmDeleteEntry(id));
                }
            }
        }
        KeyCode::Char('D') if n > 0 => s.popup = Some(Popup::ConfirmClearHistory),
        _ => {}
    }
    Vec::new()
}

/// `c`: the two marked entries, or the one marked and the response on screen.
pub(super) fn compare_marked(s: &mut State) -> Vec<Effect> {
    let side = |s: &State, id: i64| -> (Side, String) {
        let row = s.history.iter().find(|r| r.summary.id == id);
        let label = row
            .map(|r| r.summary.label())
            .unwrap_or_else(|| format!("#{id}"));
        match row.and_then(|r| r.held.as_ref()) {
            Some(h) => (Side::Held(h.result.clone()), label),
            None => (Side::Stored(id), label),
        }
    };
    let (a, b) = match (s.marked.as_slice(), s.shown()) {
        ([x, y], _) => (side(s, *x), side(s, *y)),
        ([x], Some(shown)) if shown.id != *x => (
            side(s, *x),
            (
                Side::Held(shown.result.clone()),
                format!("response on screen ({})", shown.profile.name),
            ),
        ),
        _ => {
            s.message = Some(Note::Problem("mark two entries with m (or one, to compare it with the response on screen), then c".into()));
            return Vec::new();
        }
    };
    s.message = Some(Note::Info("comparing...".into()));
    vec![Effect::Compare {
        a: a.0,
        b: b.0,
        labels: (a.1, b.1),
        ignore: s.form.base.compare_ignore.clone(),
    }]
}
