//! The history pane.

use super::*;

pub(super) fn draw_history(f: &mut Frame, s: &State, t: &Theme, area: Rect) {
    let today = engine::history::format_time(s.now.unix_ms);
    let list_area = filtered_pane(
        f,
        t,
        area,
        ("History", s.history.filter().applied()),
        s.history.filter().typing(),
        s.focus == Pane::History,
    );
    if s.history.rows().is_empty() {
        let empty = if s.history.filter().applied().is_empty() {
            "no sends yet"
        } else {
            "nothing matches; / changes the filter"
        };
        f.render_widget(
            Paragraph::new(Span::styled(empty, t.dim())).wrap(Wrap { trim: true }),
            list_area,
        );
        return;
    }
    // Only the rows that fit are built: the same window the list would scroll to (selection at
    // the bottom once it passes the last row), without formatting 500 rows every frame.
    let rows = list_area.height as usize;
    let start = list_start(s.history.selected(), rows);
    let items: Vec<ListItem> = s
        .history
        .rows()
        .iter()
        .skip(start)
        .take(rows)
        .map(|h| {
            let r = &h.summary;
            let (code, style) = match r.status {
                Some(code) => (code.to_string(), t.status(code)),
                None => ("ERR".to_string(), t.fg(Color::Red)),
            };
            let when = r.when();
            // Today's entries by time, older ones by date.
            let when = if when.get(..10) == today.get(..10) {
                when.get(11..16).unwrap_or("").to_string()
            } else {
                when.get(5..10).unwrap_or("").to_string()
            };
            let mark = if s.history.marked().contains(&h.entry) {
                "*"
            } else {
                " "
            };
            ListItem::new(Line::from(vec![
                Span::styled(mark, t.fg(Color::Magenta).add_modifier(Modifier::BOLD)),
                Span::raw(format!("{when} ")),
                Span::styled(code, style),
                Span::raw(format!(
                    " {} {} {} {:.0}ms",
                    r.method,
                    r.profile,
                    r.key.as_deref().unwrap_or("-"),
                    r.duration_ms
                )),
            ]))
        })
        .collect();
    let mut state = ListState::default().with_selected(Some(s.history.selected() - start));
    let list = List::new(items)
        .highlight_symbol(">")
        .highlight_style(t.focus(true));
    f.render_stateful_widget(list, list_area, &mut state);
}
