//! Where each pane goes on screen; shared by drawing and by mouse hit-testing.

use ratatui::layout::{Constraint, Layout, Rect};

/// Where each pane goes; shared with mouse hit-testing in `update`.
pub struct Areas {
    pub profiles: Rect,
    pub history: Rect,
    pub form: Rect,
    pub response: Rect,
    pub bar: Rect,
}

/// The panes for a screen of `area`; `history_focused` widens the left column on a narrow
/// screen so a history line shows its time, status, method and name whole.
pub fn areas(area: Rect, banner: bool, history_focused: bool) -> Areas {
    let [_top, main, bar] = Layout::vertical([
        Constraint::Length(u16::from(banner)),
        Constraint::Min(5),
        Constraint::Length(1),
    ])
    .areas(area);
    let left_w = match (area.width, history_focused) {
        (120.., _) => 34,
        (_, true) => (area.width / 2).max(22),
        _ => 22,
    };
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(30)]).areas(main);
    let [profiles, history] =
        Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(left);
    let form_h = match main.height {
        40.. => 18,
        30.. => 14,
        _ => 9,
    };
    let [form, response] =
        Layout::vertical([Constraint::Length(form_h), Constraint::Min(3)]).areas(right);
    Areas {
        profiles,
        history,
        form,
        response,
        bar,
    }
}

/// The first row shown of a list of `rows` lines with `selected` picked (also used for mouse hits).
pub fn list_start(selected: usize, rows: usize) -> usize {
    (selected + 1).saturating_sub(rows)
}

/// A `w` by `h` box in the middle of `area` (cut to fit): where a popup goes.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
