//! A stream in flight: the newest events or messages at the bottom (or where a pause left the
//! view), sent ones apart from received ones, and on a WebSocket the input line and its keys.

use super::*;
use crate::live::Flow;
use crate::state::InFlight;

/// Draws the live log of `fl` in `area`; `focused`: the response pane has the keys.
pub(super) fn draw_live(f: &mut Frame, area: Rect, fl: &InFlight, t: &Theme, focused: bool) {
    if area.height == 0 {
        return;
    }
    let footer = if let Some(text) = &fl.input {
        let prompt = match fl.input_filters {
            true => "filter> ",
            false => "message> ",
        };
        Line::from(vec![
            Span::styled(prompt, t.fg(Color::Cyan)),
            Span::raw(text.clone()),
            Span::styled("_", t.fg(Color::Cyan)),
            Span::styled("  Enter sends, Esc leaves", t.fg(Color::DarkGray)),
        ])
    } else {
        let keys = match (focused, fl.websocket) {
            (false, _) => "Tab to here for keys".to_string(),
            (true, true) => {
                let saved = match fl.profile.websocket.messages.len() {
                    0 => String::new(),
                    1 => " 1 saved".to_string(),
                    n => format!(" 1-{} saved", n.min(9)),
                };
                format!("i type{saved} p ping x close / filter")
            }
            (true, false) => "f pause/follow  j/k scroll  / filter".to_string(),
        };
        let keys = match &fl.live.filter {
            Some(f) => format!("filter {f:?} · {keys}"),
            None => keys,
        };
        let state = if fl.live.paused {
            "paused"
        } else {
            "following"
        };
        let dropped = match fl.live.dropped {
            0 => String::new(),
            n => format!(", {n} older out of view"),
        };
        Line::styled(format!("{state}{dropped} · {keys}"), t.fg(Color::DarkGray))
    };
    let rows = usize::from(area.height.saturating_sub(1));
    // From the end of the view backwards, entry by entry, until the rows are full.
    let mut lines: Vec<Line> = Vec::new();
    for entry in fl.live.visible().into_iter().rev() {
        let style = match entry.flow {
            Flow::Sent => t.fg(Color::Cyan),
            Flow::Received => t.fg(Color::Green),
            Flow::Event => t.fg(Color::Yellow),
        };
        let mut block = vec![Line::styled(entry.head.clone(), style)];
        block.extend(entry.lines.iter().map(|l| Line::raw(format!("  {l}"))));
        for line in block.into_iter().rev() {
            lines.push(line);
        }
        if lines.len() >= rows {
            break;
        }
    }
    lines.truncate(rows);
    lines.reverse();
    while lines.len() < rows {
        lines.insert(0, Line::raw(""));
    }
    lines.push(footer);
    f.render_widget(Paragraph::new(lines), area);
}
