//! The command palette: what is typed, and every action that matches it with its key.

use super::*;
use crate::layout::centered;
use crate::palette::Palette;

pub(super) fn draw_palette(f: &mut Frame, t: &Theme, p: &Palette, area: Rect) {
    let r = centered(
        area,
        area.width.saturating_sub(4).min(72),
        area.height.saturating_sub(2).min(22),
    );
    f.render_widget(Clear, r);
    let mut lines = vec![typed_line(t, "> ", p.filter.clone())];
    let shown = p.shown();
    if shown.is_empty() {
        lines.push(Line::from(Span::styled(
            "no action holds what is typed",
            t.fg(Color::DarkGray),
        )));
    }
    let width = usize::from(r.width.saturating_sub(2));
    // The rows around the selected one, so it stays in view.
    let room = usize::from(r.height.saturating_sub(3)).max(1);
    let first = p.selected.saturating_sub(room.saturating_sub(1));
    for (i, a) in shown.iter().enumerate().skip(first).take(room) {
        let chosen = i == p.selected;
        let marker = if chosen { "> " } else { "  " };
        let key = a.key;
        let pad =
            width.saturating_sub(marker.len() + a.label.chars().count() + key.chars().count());
        let style = if chosen {
            t.focus(true)
        } else {
            Style::default()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{marker}{}{}", a.label, " ".repeat(pad)), style),
            Span::styled(key.to_string(), t.fg(Color::Cyan)),
        ]));
    }
    f.render_widget(
        Paragraph::new(lines).block(block(
            t,
            "Actions (type to filter, Enter does it, Esc closes)",
            true,
        )),
        r,
    );
}
