//! Where each pane goes on screen; shared by drawing and by mouse hit-testing.

use ratatui::layout::{Constraint, Direction, Layout, Rect};

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
    let [_top, main, bar] = split(
        Direction::Vertical,
        [
            Constraint::Length(u16::from(banner)),
            Constraint::Min(5),
            Constraint::Length(1),
        ],
        area,
    );
    let left_w = match (area.width, history_focused) {
        (120.., _) => 34,
        (_, true) => (area.width / 2).max(22),
        _ => 22,
    };
    let [left, right] = split(
        Direction::Horizontal,
        [Constraint::Length(left_w), Constraint::Min(30)],
        main,
    );
    let [profiles, history] =
        Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(left);
    let form_h = match main.height {
        40.. => 18,
        30.. => 14,
        _ => 9,
    };
    let [form, response] = split(
        Direction::Vertical,
        [Constraint::Length(form_h), Constraint::Min(3)],
        right,
    );
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

/// `area` cut as `Layout::new(direction, constraints).areas(area)` cuts it. Lengths with one
/// `Min` that fit are summed here; anything else goes to ratatui's solver, which took 240,000
/// instructions a split (1.9 million of the workbench's first frame for eight splits).
pub fn split<const N: usize>(
    direction: Direction,
    constraints: [Constraint; N],
    area: Rect,
) -> [Rect; N] {
    let vertical = direction == Direction::Vertical;
    let size = if vertical { area.height } else { area.width };
    let mut wanted: u32 = 0;
    let mut mins = 0;
    for c in &constraints {
        match *c {
            Constraint::Length(n) => wanted += u32::from(n),
            Constraint::Min(n) => {
                wanted += u32::from(n);
                mins += 1;
            }
            _ => mins = 2,
        }
    }
    let extra = u32::from(size)
        .checked_sub(wanted)
        .and_then(|e| u16::try_from(e).ok());
    let Some(extra) = extra.filter(|_| mins == 1) else {
        return Layout::new(direction, constraints).areas(area);
    };
    let mut at = if vertical { area.y } else { area.x };
    constraints.map(|c| {
        let n = match c {
            Constraint::Min(n) => n + extra,
            Constraint::Length(n) => n,
            _ => 0,
        };
        let rect = if vertical {
            Rect::new(area.x, at, area.width, n)
        } else {
            Rect::new(at, area.y, n, area.height)
        };
        at = at.saturating_add(n);
        rect
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Constraint::{Length, Min, Percentage};

    /// The sums cut every size the way ratatui's solver does, for the cuts the panes use and
    /// their neighbours (a Min first, in the middle, last; lengths of 0).
    #[test]
    fn split_cuts_as_the_solver_does() {
        fn check<const N: usize>(cs: [Constraint; N]) {
            for size in 0..=300u16 {
                for (x, y) in [(0, 0), (7, 3)] {
                    for dir in [Direction::Vertical, Direction::Horizontal] {
                        let area = match dir {
                            Direction::Vertical => Rect::new(x, y, size / 2 + 1, size),
                            Direction::Horizontal => Rect::new(x, y, size, size / 2 + 1),
                        };
                        let ours = split(dir, cs, area);
                        let theirs = Layout::new(dir, cs).areas(area);
                        assert_eq!(ours, theirs, "{cs:?} {dir:?} {area:?}");
                    }
                }
            }
        }
        check([Length(1), Min(5), Length(1)]);
        check([Length(0), Min(5), Length(1)]);
        check([Length(34), Min(30)]);
        check([Length(22), Min(30)]);
        check([Length(18), Min(3)]);
        check([Length(9), Min(3)]);
        check([Length(1), Length(1), Length(1), Min(1)]);
        check([Length(9), Min(10)]);
        check([Min(1), Length(1)]);
        check([Min(1), Length(0)]);
        check([Length(1), Length(1), Min(1)]);
        check([Length(1), Min(0)]);
        // Not summed here: handed to the solver as they are.
        check([Percentage(45), Percentage(55)]);
        check([Min(1), Min(2)]);
        check([Length(3), Length(4)]);
    }
}
