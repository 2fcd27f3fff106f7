//! The gRPC method picker: the filter typed so far, and the methods that hold it, each with its
//! input and output types (`stream` where it streams).

use super::*;
use crate::layout::centered;
use crate::state::MethodPicker;

pub(super) fn draw_picker(f: &mut Frame, t: &Theme, picker: &MethodPicker, area: Rect) {
    let r = centered(
        area,
        area.width.saturating_sub(4).min(100),
        area.height.saturating_sub(4).min(20),
    );
    f.render_widget(Clear, r);
    let mut lines = vec![typed_line(t, "filter: ", picker.filter.clone())];
    match &picker.methods {
        None => lines.push(Line::from(Span::styled(
            "asking the server for its methods...",
            t.fg(Color::Yellow),
        ))),
        Some(Err(e)) => lines.push(Line::from(Span::styled(e.clone(), t.fg(Color::Red)))),
        Some(Ok(_)) => {
            let shown = picker.shown();
            if shown.is_empty() {
                lines.push(Line::from(Span::styled(
                    "no method holds what is typed",
                    t.fg(Color::DarkGray),
                )));
            }
            // The rows around the selected one, so it stays in view.
            let room = usize::from(r.height.saturating_sub(3)).max(1);
            let first = picker.selected.saturating_sub(room.saturating_sub(1));
            for (i, m) in shown.iter().enumerate().skip(first).take(room) {
                let stream = |yes: bool| if yes { "stream " } else { "" };
                let text = format!(
                    "{} ({}{} -> {}{})",
                    m.method,
                    stream(m.client_streaming),
                    m.input,
                    stream(m.server_streaming),
                    m.output
                );
                let style = if i == picker.selected {
                    t.focus(true)
                } else {
                    Style::default()
                };
                let marker = if i == picker.selected { "> " } else { "  " };
                lines.push(Line::from(Span::styled(format!("{marker}{text}"), style)));
            }
        }
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(
                t,
                "gRPC methods (type to filter, Enter picks, Esc closes)",
                true,
            )),
        r,
    );
}
