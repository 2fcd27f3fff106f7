//! The comparison popup: status, certificates, headers and body side by side.

use super::*;
use crate::layout::centered;

/// The comparison: what differs at the top, then the body diff (side by side when wide).
pub(super) fn draw_compare(f: &mut Frame, t: &Theme, v: &CompareView, area: Rect) {
    use engine::history::compare::{HeaderChange, Tag};
    let r = centered(
        area,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    f.render_widget(Clear, r);
    let cmp = &v.cmp;
    let title = format!(
        "Compare: {}  (n/N change  i ignore path  y copy  Esc close)",
        if cmp.is_equal() { "EQUAL" } else { "DIFFERENT" }
    );
    let outer = block(t, &title, true);
    let inner = outer.inner(r);
    f.render_widget(outer, r);
    let red = t.fg(Color::Red);
    let green = t.fg(Color::Green);
    let mut head: Vec<Line> = vec![
        Line::from(vec![Span::styled("- ", red), Span::raw(v.labels.0.clone())]),
        Line::from(vec![
            Span::styled("+ ", green),
            Span::raw(v.labels.1.clone()),
        ]),
    ];
    let status_style = if cmp.status_differs() {
        t.fg(Color::Yellow)
    } else {
        t.dim()
    };
    head.push(Line::from(Span::styled(
        format!("status: {} -> {}", cmp.status.0, cmp.status.1),
        status_style,
    )));
    if let Some((x, y)) = &cmp.client_cert {
        head.push(Line::from(Span::styled(
            format!("client certificate: {x} -> {y}"),
            t.fg(Color::Yellow),
        )));
    }
    for h in &cmp.headers {
        head.push(match h {
            HeaderChange::Added { name, value } => {
                Line::from(Span::styled(format!("+ header {name}: {value}"), green))
            }
            HeaderChange::Removed { name, value } => {
                Line::from(Span::styled(format!("- header {name}: {value}"), red))
            }
            HeaderChange::Changed { name, old, new } => Line::from(Span::styled(
                format!("~ header {name}: {old} -> {new}"),
                t.fg(Color::Yellow),
            )),
        });
    }
    head.push(Line::from(Span::styled(
        format!(
            "body ({}): {}   ignored: {}",
            cmp.body_kind,
            if cmp.body_differs() {
                "differs"
            } else {
                "same"
            },
            if cmp.ignored.is_empty() {
                "-".to_string()
            } else {
                cmp.ignored.join(", ")
            }
        ),
        t.dim(),
    )));
    if let Some(input) = &v.input {
        head.push(Line::from(vec![
            Span::styled("ignore path: ", t.fg(Color::Cyan)),
            Span::raw(input.lines().join("")),
            Span::styled("_ (Enter adds, Esc cancels)", t.fg(Color::Cyan)),
        ]));
    }
    let head_h = (head.len() as u16).min(inner.height / 2);
    let [top, body] =
        Layout::vertical([Constraint::Length(head_h), Constraint::Min(0)]).areas(inner);
    f.render_widget(Paragraph::new(head), top);
    let rows = body.height as usize;
    let start = v.scroll.min(cmp.body.len().saturating_sub(1));
    let style = |tag: Tag| match tag {
        Tag::Same => Style::default(),
        Tag::Removed => red,
        Tag::Added => green,
    };
    let num = |n: Option<usize>| {
        n.map(|n| format!("{n:>5} "))
            .unwrap_or_else(|| "      ".into())
    };
    if body.width >= 120 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(body);
        let mut l = Vec::new();
        let mut rr = Vec::new();
        let rows_wanted = rows;
        let mut i = start;
        let body_lines = &cmp.body;
        // A run of removed lines and the added run after it share rows, so changes line up.
        while i < body_lines.len() && l.len() < rows_wanted {
            let d = &body_lines[i];
            if d.tag == Tag::Same {
                l.push(Line::from(vec![
                    Span::styled(num(d.old), t.dim()),
                    Span::raw(d.text.clone()),
                ]));
                rr.push(Line::from(vec![
                    Span::styled(num(d.new), t.dim()),
                    Span::raw(d.text.clone()),
                ]));
                i += 1;
                continue;
            }
            let del_end = (i..body_lines.len())
                .find(|j| body_lines[*j].tag != Tag::Removed)
                .unwrap_or(body_lines.len());
            let add_end = (del_end..body_lines.len())
                .find(|j| body_lines[*j].tag != Tag::Added)
                .unwrap_or(body_lines.len());
            let (dels, adds) = (&body_lines[i..del_end], &body_lines[del_end..add_end]);
            for k in 0..dels.len().max(adds.len()) {
                let side = |x: Option<&engine::history::compare::DiffLine>,
                            old: bool,
                            st: Style| match x {
                    Some(x) => Line::from(vec![
                        Span::styled(num(if old { x.old } else { x.new }), t.dim()),
                        Span::styled(x.text.clone(), st),
                    ]),
                    None => Line::from(""),
                };
                l.push(side(dels.get(k), true, red));
                rr.push(side(adds.get(k), false, green));
            }
            i = add_end;
        }
        f.render_widget(Paragraph::new(l), left);
        f.render_widget(Paragraph::new(rr), right);
    } else {
        let lines: Vec<Line> = cmp
            .body
            .iter()
            .skip(start)
            .take(rows)
            .map(|d| {
                let mark = match d.tag {
                    Tag::Same => "  ",
                    Tag::Removed => "- ",
                    Tag::Added => "+ ",
                };
                Line::from(vec![
                    Span::styled(num(d.old.or(d.new)), t.dim()),
                    Span::styled(format!("{mark}{}", d.text), style(d.tag)),
                ])
            })
            .collect();
        f.render_widget(Paragraph::new(lines), body);
    }
}
