//! The Problem view (`!`): a failed send's whole story, wrapped to the screen and scrolled.

use super::*;
use crate::layout::centered;

pub(super) fn draw_problem(f: &mut Frame, s: &State, t: &Theme, scroll: usize, area: Rect) {
    let Some(Err(fail)) = s.shown().map(|sh| &*sh.result) else {
        return;
    };
    let d = &fail.diagnosis;
    let head = |text: &str| Line::from(Span::styled(text.to_string(), t.fg(Color::Cyan)));
    let mut lines = vec![
        head("What happened"),
        Line::from(Span::styled(d.message.clone(), t.fg(Color::Red))),
        Line::from(""),
        head("The fix"),
        Line::from(crate::fixes::hint(d)),
    ];
    if let Some(answer) = fail.probe.as_ref().and_then(|p| p.http.as_ref()) {
        lines.push(Line::from(""));
        lines.push(head("What the server said over HTTP"));
        lines.push(Line::from(format!("{} {}", answer.status, answer.reason)));
        lines.extend(
            answer
                .body
                .lines()
                .take(12)
                .map(|l| Line::from(l.to_string())),
        );
    }
    if let Some(tls) = &fail.tls {
        lines.push(Line::from(""));
        lines.push(head("The handshake"));
        lines.extend(tls.story().into_iter().map(Line::from));
    }
    if !fail.warnings.is_empty() {
        lines.push(Line::from(""));
        lines.push(head("Also"));
        lines.extend(
            fail.warnings
                .iter()
                .map(|w| Line::from(Span::styled(w.message.clone(), t.fg(Color::Yellow)))),
        );
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        format!(
            "kind: {} (as --json and the history name it); r in the response pane: the raw error chain",
            d.kind
        ),
        t.fg(Color::DarkGray),
    )));
    let r = centered(
        area,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(block(
                t,
                &format!(
                    "Problem: {} (j/k scroll, Esc closes)",
                    crate::headline::headline(d.kind)
                ),
                true,
            )),
        r,
    );
}
