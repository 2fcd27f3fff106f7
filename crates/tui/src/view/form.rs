//! The request form: method and URL, key line, tabs, and the tab's editor or option rows.

use super::*;

pub(super) fn draw_form(f: &mut Frame, s: &State, t: &Theme, area: Rect) {
    let focused = s.focus == Pane::Form;
    let title = format!(
        "Request: {}{}{}",
        s.form.base.name,
        if s.form.dirty { " *" } else { "" },
        s.env
            .name
            .as_deref()
            .map(|e| format!(" [env {e}]"))
            .unwrap_or_default()
    );
    let outer = block(t, &title, focused);
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let [line1, line2, tabs, content] = split(
        Direction::Vertical,
        [
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
        ],
        inner,
    );
    let [method, url] = split(
        Direction::Horizontal,
        [Constraint::Length(9), Constraint::Min(10)],
        line1,
    );
    let method_style = t
        .focus(focused && s.field == Field::Method)
        .add_modifier(Modifier::REVERSED);
    f.render_widget(
        Paragraph::new(format!("{:<7}", s.form.base.method)).style(
            if focused && s.field == Field::Method {
                method_style
            } else {
                t.fg(Color::Magenta)
            },
        ),
        method,
    );
    let url_err = s.form.error_for(Field::Url, None);
    if focused && s.field == Field::Url {
        let mut ta = s.form.url.clone();
        ta.set_cursor_line_style(Style::default());
        f.render_widget(&ta, url);
    } else {
        f.render_widget(Paragraph::new(s.form.url.lines().join("")), url);
    }
    let key_line = match &s.form.base.credential {
        Some(name) => match s.key_info(name) {
            Some(info) => {
                let style = match info.leaf.validity() {
                    Validity::Expired { .. } | Validity::NotYetValid => t.fg(Color::Red),
                    _ if info.leaf.renew_soon(s.expiry_days) => t.fg(Color::Yellow),
                    _ => t.fg(Color::Green),
                };
                let mtls = if s.form.base.mutual_tls() {
                    ""
                } else {
                    "  (Mutual TLS OFF)"
                };
                Line::from(vec![
                    Span::raw(format!("key: {name}  CN={}  ", info.leaf.subject_cn)),
                    Span::styled(info.leaf.expiry_words(), style),
                    Span::raw(mtls),
                ])
            }
            None => Line::from(Span::styled(
                format!("key: {name} (not in the keystore: Ctrl-K)"),
                t.fg(Color::Red),
            )),
        },
        None => match s.implied_key() {
            Some((key, why)) => Line::from(Span::styled(
                format!("key: {key} ({why})"),
                t.fg(Color::Cyan),
            )),
            None => Line::from(Span::styled(
                "key: none (Ctrl-K to pick one)",
                t.fg(Color::DarkGray),
            )),
        },
    };
    let key_line = match url_err {
        Some(e) => Line::from(Span::styled(format!("URL: {e}"), t.fg(Color::Red))),
        None => key_line,
    };
    f.render_widget(Paragraph::new(key_line), line2);
    let titles: Vec<String> = FormTab::ALL
        .iter()
        .map(|tab| match tab {
            FormTab::Body => format!("Body ({})", s.form.base.body.kind.label()),
            other => other.label().to_string(),
        })
        .collect();
    let selected = FormTab::ALL
        .iter()
        .position(|x| *x == s.form_tab)
        .unwrap_or(0);
    f.render_widget(
        Tabs::new(titles)
            .select(selected)
            .highlight_style(t.focus(true).add_modifier(Modifier::UNDERLINED)),
        tabs,
    );
    let editing = focused && s.field == Field::Tab;
    let err = s.form.error_for(Field::Tab, Some(s.form_tab));
    let [content, err_line] = split(
        Direction::Vertical,
        [
            Constraint::Min(1),
            Constraint::Length(u16::from(err.is_some())),
        ],
        content,
    );
    if let Some(e) = err {
        f.render_widget(Paragraph::new(Span::styled(e, t.fg(Color::Red))), err_line);
    }
    let text_area = match s.form_tab {
        FormTab::Headers => Some(&s.form.headers),
        FormTab::Query => Some(&s.form.query),
        FormTab::Body if s.form.base.body.kind != BodyType::None => Some(&s.form.body),
        FormTab::Body => {
            f.render_widget(
                Paragraph::new("no body (Ctrl-B: raw, form, multipart)")
                    .style(t.fg(Color::DarkGray)),
                content,
            );
            None
        }
        FormTab::Options => {
            let first = s
                .option_row
                .index()
                .saturating_sub(content.height.saturating_sub(1) as usize);
            let effective = s.effective();
            let lines: Vec<Line> = OptionRow::iter()
                .skip(first)
                .take(content.height as usize)
                .map(|row| {
                    let (label, value) = (row.label(), row.value(&s.form.base));
                    let style = if editing && row == s.option_row {
                        t.focus(true).add_modifier(Modifier::REVERSED)
                    } else {
                        Style::default()
                    };
                    // What it does in effect, and where that comes from, after the label.
                    let note = row
                        .note(&s.form.base, &effective)
                        .map(|n| Span::styled(format!("  {n}"), t.fg(Color::DarkGray)));
                    let mut spans = vec![Span::styled(format!("{value:<5} {label}"), style)];
                    spans.extend(note);
                    Line::from(spans)
                })
                .collect();
            f.render_widget(Paragraph::new(lines), content);
            None
        }
    };
    if let Some(ta) = text_area {
        if editing {
            f.render_widget(ta, content);
        } else {
            let lines: Vec<Line> = ta
                .lines()
                .iter()
                .take(content.height as usize)
                .map(|l| Line::from(l.as_str()))
                .collect();
            f.render_widget(Paragraph::new(lines), content);
        }
    }
}
