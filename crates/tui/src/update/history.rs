//! The history pane: rows as sends finish, and its keys (show, re-run, mark, compare, delete).

use super::*;
use crate::state::EntryRef;

/// Puts a finished send at the top of history and in the response pane.
pub(super) fn add_row(s: &mut State, summary: engine::history::Summary, mut shown: Shown) {
    let entry = match summary.id {
        Some(id) => EntryRef::Stored(id),
        None => {
            s.next_local_id += 1;
            EntryRef::Local(s.next_local_id - 1)
        }
    };
    shown.id = entry;
    let held = matches!(entry, EntryRef::Local(_)).then(|| Box::new(shown.clone()));
    s.history.insert(
        0,
        HistoryRow {
            entry,
            summary,
            held,
        },
    );
    // The Request tab shows this send's request unless the form moved on while it ran.
    s.preview_over = s.form.to_profile().ok().as_ref() != Some(&shown.profile);
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
    let selected = s.history.get(s.history_selected).map(|r| r.entry);
    let open = |s: &mut State, then: After| -> Vec<Effect> {
        let row = &s.history[s.history_selected];
        match (&row.held, row.entry) {
            (Some(shown), _) => {
                let shown = shown.clone();
                update(
                    s,
                    Message::EntryLoaded {
                        then,
                        result: Ok(shown),
                    },
                )
            }
            (None, EntryRef::Stored(id)) => vec![Effect::OpenEntry { id, then }],
            (None, EntryRef::Local(_)) => Vec::new(),
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
        KeyCode::Char('d') => match selected {
            Some(EntryRef::Local(_)) => {
                s.history.remove(s.history_selected);
                s.history_selected = s.history_selected.min(s.history.len().saturating_sub(1));
            }
            Some(EntryRef::Stored(id)) => s.popup = Some(Popup::ConfirmDeleteEntry(id)),
            None => {}
        },
        KeyCode::Char('D') if n > 0 => s.popup = Some(Popup::ConfirmClearHistory),
        _ => {}
    }
    Vec::new()
}

/// `c`: the two marked entries, or the one marked and the response on screen.
pub(super) fn compare_marked(s: &mut State) -> Vec<Effect> {
    // None for an unrecorded send whose row is gone (deleted with d): nothing to compare.
    let side = |s: &State, entry: EntryRef| -> Option<(Side, String)> {
        let row = s.history.iter().find(|r| r.entry == entry);
        match (row, entry) {
            (Some(r), _) if r.held.is_some() => Some((
                Side::Held(r.held.as_ref()?.result.clone()),
                r.summary.label(),
            )),
            (row, EntryRef::Stored(id)) => Some((
                Side::Stored(id),
                row.map_or_else(|| format!("#{id}"), |r| r.summary.label()),
            )),
            (_, EntryRef::Local(_)) => None,
        }
    };
    let pair = match (s.marked.as_slice(), s.shown()) {
        ([x, y], _) => side(s, *x).zip(side(s, *y)),
        ([x], Some(shown)) if shown.id != *x => side(s, *x).map(|a| {
            (
                a,
                (
                    Side::Held(shown.result.clone()),
                    format!("response on screen ({})", shown.profile.name),
                ),
            )
        }),
        _ => None,
    };
    let Some((a, b)) = pair else {
        s.message = Some(Note::Problem(
            "mark two entries with m (or one, to compare it with the response on screen), then c"
                .into(),
        ));
        return Vec::new();
    };
    s.message = Some(Note::Info("comparing...".into()));
    vec![Effect::Compare {
        a: a.0,
        b: b.0,
        labels: (a.1, b.1),
        ignore: s.form.base.compare_ignore.clone(),
    }]
}
