//! Mouse: a click focuses the pane or row under it, the wheel scrolls.

use super::*;

/// Clicks focus the pane under the pointer and pick list rows; the wheel scrolls what it is over.
pub(super) fn mouse(s: &mut State, m: crossterm::event::MouseEvent) -> Vec<Effect> {
    use ratatui::layout::Position;
    if s.popup.is_some() {
        return Vec::new();
    }
    let area = ratatui::layout::Rect::new(0, 0, s.size.0, s.size.1);
    let a = crate::layout::areas(area, s.banner.is_some(), s.focus == Pane::History);
    let at = Position::new(m.column, m.row);
    let pane = [
        (a.profiles, Pane::Profiles),
        (a.history, Pane::History),
        (a.form, Pane::Form),
        (a.response, Pane::Response),
    ]
    .into_iter()
    .find(|(r, _)| r.contains(at));
    let Some((rect, pane)) = pane else {
        return Vec::new();
    };
    // The row inside the bordered list (history has its filter line first when typing).
    let row = (m.row.saturating_sub(rect.y + 1)) as usize;
    match m.kind {
        MouseEventKind::Down(crossterm::event::MouseButton::Left) => {
            s.focus = pane;
            match pane {
                Pane::Profiles => {
                    // The row on screen plus the rows scrolled away above it, as drawn.
                    let filter = usize::from(s.profiles.filter().is_typing());
                    let rows = (rect.height as usize).saturating_sub(2 + filter);
                    let shown = row >= filter && row - filter < rows;
                    let row = row.saturating_sub(filter)
                        + crate::layout::list_start(s.profiles.selected_row().unwrap_or(0), rows);
                    if shown && s.profiles.select_row(row) {
                        super::profiles::show_selected(s);
                    }
                }
                Pane::History => {
                    let filter = usize::from(s.history.filter().is_typing());
                    let rows = (rect.height as usize).saturating_sub(2 + filter);
                    let row = row.saturating_sub(filter)
                        + crate::layout::list_start(s.history.selected(), rows);
                    s.history.select(row);
                }
                _ => {}
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let down = m.kind == MouseEventKind::ScrollDown;
            match pane {
                Pane::History => s.history.step(down),
                Pane::Profiles => super::profiles::step(s, down),
                _ if down => s.scroll = s.scroll.saturating_add(3),
                _ => s.scroll = s.scroll.saturating_sub(3),
            }
        }
        _ => {}
    }
    Vec::new()
}
