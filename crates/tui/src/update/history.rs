//! The history pane: rows as sends finish, and its keys (show, re-run, mark, compare, delete).

use super::*;
use crate::state::{EntryRef, FilterKey};

/// Puts a finished send at the top of history and in the response pane.
pub(super) fn add_row(s: &mut State, summary: engine::history::Summary, mut shown: Shown) {
    shown.id = s.history.add(summary, &shown);
    // The Request tab shows this send's request unless the form moved on while it ran.
    s.preview_over = s.form.to_profile().ok().as_ref() != Some(&shown.profile);
    s.shown = Some(Box::new(shown));
    s.scroll = 0;
}

pub(super) fn history_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    if s.history.filter().is_typing() {
        return match s.history.filter_mut().key(k) {
            FilterKey::Applied => {
                s.history.select_first();
                vec![Effect::LoadHistory(
                    s.history.filter().applied().to_string(),
                )]
            }
            _ => Vec::new(),
        };
    }
    let n = s.history.rows().len();
    let selected = s.history.selected_row().map(|r| r.entry);
    let open = |s: &mut State, then: After| -> Vec<Effect> {
        let Some(row) = s.history.selected_row() else {
            return Vec::new();
        };
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
        KeyCode::Down | KeyCode::Char('j') => s.history.step(true),
        KeyCode::Up | KeyCode::Char('k') => s.history.step(false),
        KeyCode::Enter if n > 0 => return open(s, After::Show),
        KeyCode::Char('o') if n > 0 => return open(s, After::Form),
        KeyCode::Char('r') if n > 0 => return open(s, After::Rerun),
        KeyCode::Char('/') => s.history.filter_mut().start(),
        KeyCode::Char('m') => s.history.toggle_mark(),
        KeyCode::Char('c') => return compare_marked(s),
        KeyCode::Char('d') => match selected {
            Some(EntryRef::Local(_)) => s.history.remove_selected_local(),
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
        let row = s.history.row_of(entry);
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
    let pair = match (s.history.marked(), s.shown()) {
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
