//! Drawing: profiles, form, response, history, popups and the status bar; touches only visible lines.

use crate::core::kind::DiagnosisKind;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Tabs, Wrap};

use crate::core::certinfo::Validity;
use crate::core::exchange::BodyView;
use crate::core::profile::BodyType;

use super::state::{Field, FormTab, IMPORT_KINDS, Pane, Popup, RespTab, State};
use super::update::option_rows;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

struct Theme {
    color: bool,
}

impl Theme {
    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }
    fn focus(&self, on: bool) -> Style {
        match (on, self.color) {
            (true, true) => Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            (true, false) => Style::default().add_modifier(Modifier::BOLD),
            _ => Style::default(),
        }
    }
    fn dim(&self) -> Style {
        self.fg(Color::DarkGray)
    }
    fn status(&self, code: u16) -> Style {
        let c = match code {
            200..=299 => Color::Green,
            300..=399 => Color::Yellow,
            _ => Color::Red,
        };
        self.fg(c).add_modifier(Modifier::BOLD)
    }
}

fn block<'a>(t: &Theme, title: &'a str, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, t.focus(focused)))
        .border_style(t.focus(focused))
}

/// Where each pane goes; shared with mouse hit-testing in `update`.
pub struct Areas {
    pub profiles: Rect,
    pub history: Rect,
    pub form: Rect,
    pub response: Rect,
    pub bar: Rect,
}

pub fn areas(area: Rect, banner: bool) -> Areas {
    let [_top, main, bar] = Layout::vertical([
        Constraint::Length(u16::from(banner)),
        Constraint::Min(5),
        Constraint::Length(1),
    ])
    .areas(area);
    let left_w = if area.width >= 120 { 34 } else { 22 };
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

pub fn draw(f: &mut Frame, s: &State) {
    let t = Theme { color: !s.no_color };
    let area = f.area();
    if let Some(b) = &s.banner {
        let top = Rect { height: 1, ..area };
        f.render_widget(
            Paragraph::new(format!(" ! {b}"))
                .style(t.fg(Color::Yellow).add_modifier(Modifier::BOLD)),
            top,
        );
    }
    let Areas {
        profiles,
        history,
        form,
        response,
        bar,
    } = areas(area, s.banner.is_some());
    draw_profiles(f, s, &t, profiles);
    draw_history(f, s, &t, history);
    draw_form(f, s, &t, form);
    draw_response(f, s, &t, response);
    draw_status_bar(f, s, &t, bar);
    if let Some(p) = &s.popup {
        draw_popup(f, s, &t, p, area);
    }
}

fn draw_profiles(f: &mut Frame, s: &State, t: &Theme, area: Rect) {
    let items: Vec<ListItem> = s
        .profiles
        .iter()
        .map(|p| match &p.result {
            Ok(_) => ListItem::new(p.name.clone()),
            Err(_) => ListItem::new(Span::styled(
                format!("{} (broken)", p.name),
                t.fg(Color::Red),
            )),
        })
        .collect();
    let mut state =
        ListState::default().with_selected((!s.profiles.is_empty()).then_some(s.selected_profile));
    let list = List::new(items)
        .block(block(t, "Profiles", s.focus == Pane::Profiles))
        .highlight_symbol("> ")
        .highlight_style(t.focus(true));
    f.render_stateful_widget(list, area, &mut state);
}

/// The first row shown of a list of `rows` lines with `selected` picked (also used for mouse hits).
pub fn list_start(selected: usize, rows: usize) -> usize {
    (selected + 1).saturating_sub(rows)
}

fn draw_history(f: &mut Frame, s: &State, t: &Theme, area: Rect) {
    let today = crate::core::history::format_time(crate::core::history::now_ms());
    let title = if s.history_query.is_empty() {
        "History".to_string()
    } else {
        format!("History [{}]", s.history_query)
    };
    let outer = block(t, &title, s.focus == Pane::History);
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let list_area = if let Some(input) = &s.history_filter {
        let [line, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("/", t.fg(Color::Cyan)),
                Span::raw(input.lines().join("")),
                Span::styled("_", t.fg(Color::Cyan)),
            ])),
            line,
        );
        rest
    } else {
        inner
    };
    if s.history.is_empty() {
        let empty = if s.history_query.is_empty() {
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
    let start = list_start(s.history_selected, rows);
    let items: Vec<ListItem> = s
        .history
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
            let mark = if s.marked.contains(&r.id) { "*" } else { " " };
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
    let mut state = ListState::default().with_selected(Some(s.history_selected - start));
    let list = List::new(items)
        .highlight_symbol(">")
        .highlight_style(t.focus(true));
    f.render_stateful_widget(list, list_area, &mut state);
}

fn draw_form(f: &mut Frame, s: &State, t: &Theme, area: Rect) {
    let focused = s.focus == Pane::Form;
    let title = format!(
        "Request: {}{}",
        s.form.base.name,
        if s.form.dirty { " *" } else { "" }
    );
    let outer = block(t, &title, focused);
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let [line1, line2, tabs, content] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    let [method, url] =
        Layout::horizontal([Constraint::Length(9), Constraint::Min(10)]).areas(line1);
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
                    Validity::Expiring { .. } => t.fg(Color::Yellow),
                    Validity::Valid { .. } => t.fg(Color::Green),
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
        None => Line::from(Span::styled(
            "key: none (Ctrl-K to pick one)",
            t.fg(Color::DarkGray),
        )),
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
    let [content, err_line] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(u16::from(err.is_some())),
    ])
    .areas(content);
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
            let rows = option_rows(&s.form.base);
            let first = s
                .option_row
                .saturating_sub(content.height.saturating_sub(1) as usize);
            let lines: Vec<Line> = rows
                .iter()
                .enumerate()
                .skip(first)
                .take(content.height as usize)
                .map(|(i, (label, value))| {
                    let style = if editing && i == s.option_row {
                        t.focus(true).add_modifier(Modifier::REVERSED)
                    } else {
                        Style::default()
                    };
                    Line::from(Span::styled(format!("{value:<5} {label}"), style))
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

/// Colours one visible line: JSON keys, strings, numbers and literals, XML tags; search hits reversed.
/// Runs only for the lines on screen, so its cost does not grow with the body.
fn highlight(t: &Theme, kind: &str, line: &str, term: &str) -> Vec<Span<'static>> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    if !t.color || !matches!(kind, "json" | "xml") || line.len() > 4096 {
        spans.push(Span::raw(line.to_string()));
    } else if kind == "json" {
        let b = line.as_bytes();
        let mut i = 0;
        let mut plain = 0;
        while i < b.len() {
            let (end, style) = match b[i] {
                b'"' => {
                    let mut j = i + 1;
                    while j < b.len() && b[j] != b'"' {
                        j += if b[j] == b'\\' { 2 } else { 1 };
                    }
                    let end = (j + 1).min(b.len());
                    let is_key = line[end..].trim_start().starts_with(':');
                    (end, t.fg(if is_key { Color::Cyan } else { Color::Green }))
                }
                b'-' | b'0'..=b'9' => {
                    let mut j = i + 1;
                    while j < b.len()
                        && matches!(b[j], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                    {
                        j += 1;
                    }
                    (j, t.fg(Color::Yellow))
                }
                b't' | b'f' | b'n'
                    if ["true", "false", "null"]
                        .iter()
                        .any(|w| line[i..].starts_with(w)) =>
                {
                    let w = if b[i] == b'f' { 5 } else { 4 };
                    (i + w, t.fg(Color::Magenta))
                }
                _ => {
                    i += 1;
                    continue;
                }
            };
            if plain < i {
                spans.push(Span::raw(line[plain..i].to_string()));
            }
            spans.push(Span::styled(line[i..end].to_string(), style));
            i = end;
            plain = end;
        }
        if plain < b.len() {
            spans.push(Span::raw(line[plain..].to_string()));
        }
    } else {
        // XML: tags in blue, text plain.
        let mut rest = line;
        while let Some(open) = rest.find('<') {
            if open > 0 {
                spans.push(Span::raw(rest[..open].to_string()));
            }
            let close = rest[open..].find('>').map_or(rest.len(), |c| open + c + 1);
            spans.push(Span::styled(
                rest[open..close].to_string(),
                t.fg(Color::Blue),
            ));
            rest = &rest[close..];
        }
        if !rest.is_empty() {
            spans.push(Span::raw(rest.to_string()));
        }
    }
    if term.is_empty()
        || !line
            .to_ascii_lowercase()
            .contains(&term.to_ascii_lowercase())
    {
        return spans;
    }
    mark_hits(spans, term)
}

/// Splits spans so every occurrence of `term` is shown reversed.
fn mark_hits<'a>(spans: Vec<Span<'a>>, term: &str) -> Vec<Span<'a>> {
    let needle = term.to_ascii_lowercase();
    let mut out = Vec::new();
    for span in spans {
        let text = span.content.clone();
        let lower = text.to_ascii_lowercase();
        let mut last = 0;
        for (i, _) in lower.match_indices(&needle) {
            if i < last {
                continue;
            }
            if i > last {
                out.push(Span::styled(text[last..i].to_string(), span.style));
            }
            out.push(Span::styled(
                text[i..i + needle.len()].to_string(),
                span.style.add_modifier(Modifier::REVERSED),
            ));
            last = i + needle.len();
        }
        if last == 0 {
            out.push(span);
        } else if last < text.len() {
            out.push(Span::styled(text[last..].to_string(), span.style));
        }
    }
    out
}

fn draw_response(f: &mut Frame, s: &State, t: &Theme, area: Rect) {
    let outer = block(t, "Response", s.focus == Pane::Response);
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let [status, tabs, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(inner);
    if let Some(fl) = &s.in_flight {
        let spin = SPINNER[s.spinner % SPINNER.len()];
        f.render_widget(
            Paragraph::new(format!(
                "{spin} sending {} {}  {:.1} s  (Esc cancels)",
                fl.profile.method,
                fl.profile.name,
                fl.started.elapsed().as_secs_f64()
            ))
            .style(t.fg(Color::Cyan)),
            status,
        );
    }
    let Some(shown) = s.shown() else {
        if s.in_flight.is_none() {
            f.render_widget(
                Paragraph::new("Ctrl-R sends the request. ? shows every key.")
                    .style(t.fg(Color::DarkGray)),
                status,
            );
        }
        return;
    };
    let titles: Vec<&str> = RespTab::ALL.iter().map(|r| r.label()).collect();
    let sel = RespTab::ALL
        .iter()
        .position(|r| *r == s.resp_tab)
        .unwrap_or(0);
    f.render_widget(
        Tabs::new(titles)
            .select(sel)
            .highlight_style(t.focus(true).add_modifier(Modifier::UNDERLINED)),
        tabs,
    );
    match &*shown.result {
        Ok(ex) => {
            if s.in_flight.is_none() {
                let tls = ex
                    .tls
                    .as_ref()
                    .and_then(|x| x.version.clone())
                    .unwrap_or_default();
                let size = match &ex.content_encoding {
                    Some(enc) => format!("{} / {} B {enc}", ex.decoded_size, ex.encoded_size),
                    None => format!("{} B", ex.decoded_size),
                };
                let mut spans = vec![
                    Span::styled(format!("{} {}", ex.status, ex.reason), t.status(ex.status)),
                    Span::raw(format!("  {:.0} ms  {size}  {tls}", ex.timing.total_ms)),
                ];
                if ex.tls.as_ref().is_some_and(|x| x.unverified) {
                    spans.push(Span::styled(
                        "  UNVERIFIED",
                        t.fg(Color::Red).add_modifier(Modifier::BOLD),
                    ));
                }
                if let Some(cut) = &ex.incomplete {
                    spans.push(Span::styled(
                        format!("  ! {} (w saves it all)", cut.message),
                        t.fg(Color::Red),
                    ));
                } else if let Some(w) = ex
                    .warnings
                    .iter()
                    .find(|w| w.kind != DiagnosisKind::Unverified)
                {
                    spans.push(Span::styled(
                        format!("  ! {}", w.message),
                        t.fg(Color::Yellow),
                    ));
                }
                f.render_widget(Paragraph::new(Line::from(spans)), status);
            }
            let lines = response_lines(s, t, ex, body.width as usize, body.height as usize);
            let para = Paragraph::new(lines);
            let para = if s.wrap && s.resp_tab == RespTab::Body {
                para.wrap(Wrap { trim: false })
            } else {
                para
            };
            f.render_widget(para, body);
        }
        Err(fail) => {
            if s.in_flight.is_none() {
                f.render_widget(
                    Paragraph::new(Span::styled(
                        format!("FAILED: {}", fail.diagnosis.kind),
                        t.fg(Color::Red).add_modifier(Modifier::BOLD),
                    )),
                    status,
                );
            }
            let mut text = vec![
                Line::from(Span::styled(
                    fail.diagnosis.message.clone(),
                    t.fg(Color::Red),
                )),
                Line::from(""),
                Line::from(format!("fix: {}", fail.diagnosis.hint)),
            ];
            for w in &fail.warnings {
                text.push(Line::from(Span::styled(
                    format!("warning: {}", w.message),
                    t.fg(Color::Yellow),
                )));
            }
            if let Some(tls) = &fail.tls {
                text.push(Line::from(""));
                text.extend(tls.story().into_iter().map(Line::from));
            }
            text.push(Line::from(Span::styled(
                "r: raw error chain",
                t.fg(Color::DarkGray),
            )));
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), body);
        }
    }
}

fn response_lines<'a>(
    s: &'a State,
    t: &Theme,
    ex: &'a crate::core::exchange::Exchange,
    width: usize,
    height: usize,
) -> Vec<Line<'a>> {
    let shown = s.shown().expect("called with a shown response");
    match s.resp_tab {
        RespTab::Body => {
            let lines = s.body_lines().unwrap_or(&shown.lines);
            let total = lines.len();
            let first = s.scroll.min(total.saturating_sub(1));
            let number_width = total.to_string().len();
            let kind = if s.raw { "" } else { ex.view.label() };
            // Only what can be on screen is cut out of a line: a 200 MB one-line body draws as
            // fast as a short one, wrapped or not.
            let room = width.saturating_sub(number_width + 1).max(1);
            let max_chars = if s.wrap { room * height } else { room };
            let mut out: Vec<Line> = (first..(first + height).min(total))
                .map(|i| {
                    let indent = lines.indent_of(i);
                    let content = lines.content(i, max_chars.saturating_sub(indent.len()));
                    let mut spans = vec![
                        Span::styled(
                            format!("{:>number_width$} ", i + 1),
                            Style::default().add_modifier(Modifier::DIM),
                        ),
                        Span::raw(indent),
                    ];
                    spans.extend(highlight(t, kind, &content, &s.search_term));
                    Line::from(spans)
                })
                .collect();
            if let BodyView::Unparsed {
                format,
                error,
                line,
                column,
                ..
            } = &ex.view
                && first == 0
            {
                out.insert(
                    0,
                    Line::from(format!(
                        "not valid {format}: {error} (line {line}, column {column}); shown raw"
                    )),
                );
            }
            if let Some(input) = &s.body_search {
                out.insert(
                    0,
                    Line::from(vec![
                        Span::styled("/", t.fg(Color::Cyan)),
                        Span::raw(input.lines().join("")),
                        Span::styled("_  (Enter finds, Esc cancels)", t.fg(Color::Cyan)),
                    ]),
                );
            }
            out
        }
        RespTab::Headers => ex
            .headers
            .iter()
            .skip(s.scroll)
            .take(height)
            .map(|(k, v)| Line::from(format!("{k}: {v}")))
            .collect(),
        RespTab::Tls => ex
            .tls
            .as_ref()
            .map(|tls| tls.story().into_iter().map(Line::from).collect())
            .unwrap_or_else(|| vec![Line::from("plain HTTP: no TLS")]),
        RespTab::Redirects if ex.redirects.is_empty() => vec![Line::from("no redirects")],
        RespTab::Redirects => ex
            .redirects
            .iter()
            .map(|h| {
                Line::from(format!(
                    "{} {} -> {} {}{}",
                    h.method,
                    h.url,
                    h.status,
                    h.location,
                    if h.downgrade { " DOWNGRADE" } else { "" }
                ))
            })
            .collect(),
        RespTab::Timing => vec![
            Line::from(format!("total        {:.1} ms", ex.timing.total_ms)),
            Line::from(format!("headers at   {:.1} ms", ex.timing.headers_ms)),
            Line::from(format!("body         {:.1} ms", ex.timing.body_ms)),
            Line::from(format!(
                "new TLS connections: {}",
                ex.timing.new_connections
            )),
        ],
    }
}

fn draw_status_bar(f: &mut Frame, s: &State, t: &Theme, area: Rect) {
    if let Some((m, is_err)) = &s.message {
        f.render_widget(
            Paragraph::new(m.as_str()).style(if *is_err {
                t.fg(Color::Red)
            } else {
                t.fg(Color::Green)
            }),
            area,
        );
        return;
    }
    let keys = match (s.focus, s.field, s.form_tab) {
        (Pane::Profiles, ..) => {
            "Enter open  n new  c copy  d delete  Ctrl-R send  Ctrl-K keys  Tab pane  ? help  q quit"
        }
        (Pane::Form, Field::Method, _) => {
            "←/→ method  Ctrl-N/P field  Ctrl-T tab  Ctrl-R send  Ctrl-S save  Tab pane"
        }
        (Pane::Form, Field::Tab, FormTab::Options) => {
            "↑/↓ option  Space toggle  +/- timeout  Ctrl-T tab  Ctrl-R send  Ctrl-S save"
        }
        (Pane::Form, Field::Tab, FormTab::Body) => {
            "type body  Ctrl-B body type  Ctrl-T tab  Ctrl-R send  Ctrl-S save  Tab pane"
        }
        (Pane::Form, ..) => {
            "type  Enter send (URL)  Ctrl-N/P field  Ctrl-T tab  Ctrl-R send  Ctrl-S save  Tab pane"
        }
        (Pane::Response, ..) => {
            "j/k PgDn scroll  ←/→ tab  / search n/N  r raw  z wrap  y copy  w save  Tab pane"
        }
        (Pane::History, ..) if s.history_filter.is_some() => {
            "type a filter: words, profile:NAME key:NAME status:4xx|error  Enter apply  Esc cancel"
        }
        (Pane::History, ..) => {
            "Enter show  o form  r re-run  m mark  c compare  / filter  d delete  D clear  Tab pane"
        }
    };
    f.render_widget(Paragraph::new(keys).style(t.fg(Color::DarkGray)), area);
}

/// The comparison: what differs at the top, then the body diff (side by side when wide).
fn draw_compare(f: &mut Frame, t: &Theme, v: &super::state::CompareView, area: Rect) {
    use crate::core::compare::{HeaderChange, Tag};
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
                let side =
                    |x: Option<&crate::core::compare::DiffLine>, old: bool, st: Style| match x {
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

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

fn draw_popup(f: &mut Frame, s: &State, t: &Theme, popup: &Popup, area: Rect) {
    match popup {
        Popup::Help => {
            let r = centered(area, 80, 26);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(HELP).block(block(t, "Help (Esc closes)", true)),
                r,
            );
        }
        Popup::ConfirmQuit => {
            let r = centered(area, 50, 5);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(
                    "Unsaved changes in the request.\ny quit anyway   s save and quit   Esc stay",
                )
                .block(block(t, "Quit?", true)),
                r,
            );
        }
        Popup::ConfirmDeleteProfile => {
            let r = centered(area, 50, 4);
            f.render_widget(Clear, r);
            let name = s
                .profiles
                .get(s.selected_profile)
                .map(|p| p.name.as_str())
                .unwrap_or("");
            f.render_widget(
                Paragraph::new(format!("Delete profile {name}? y / Esc"))
                    .block(block(t, "Delete", true)),
                r,
            );
        }
        Popup::RawError => {
            let r = centered(
                area,
                area.width.saturating_sub(4),
                area.height.saturating_sub(4),
            );
            f.render_widget(Clear, r);
            let chain = s
                .shown()
                .and_then(|sh| (*sh.result).as_ref().err())
                .map(|e| {
                    e.chain
                        .iter()
                        .enumerate()
                        .map(|(i, c)| format!("{i}: {c}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            f.render_widget(
                Paragraph::new(chain)
                    .wrap(Wrap { trim: false })
                    .block(block(t, "Raw error chain (Esc closes)", true)),
                r,
            );
        }
        Popup::Keys {
            selected,
            inspect,
            confirm_delete,
        } => draw_keys(f, s, t, area, *selected, *inspect, *confirm_delete),
        Popup::ConfirmDeleteEntry(id) => {
            let r = centered(area, 50, 4);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(format!("Delete history entry #{id}? y / Esc"))
                    .block(block(t, "Delete", true)),
                r,
            );
        }
        Popup::ConfirmClearHistory => {
            let r = centered(area, 56, 4);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new("Delete every history entry (all runs)? y / Esc").block(block(
                    t,
                    "Clear history",
                    true,
                )),
                r,
            );
        }
        Popup::RenameProfile(input) => {
            let r = centered(area, 50, 4);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::raw(input.lines().join("")),
                    Span::styled("_", t.fg(Color::Cyan)),
                ]))
                .block(block(t, "Rename profile (Enter / Esc)", true)),
                r,
            );
        }
        Popup::Compare(v) => draw_compare(f, t, v, area),
        Popup::KeyCheck {
            name,
            url,
            accepted,
            lines,
        } => {
            let r = centered(area, area.width.saturating_sub(4), 16);
            f.render_widget(Clear, r);
            let (title, style) = match accepted {
                None => (
                    format!("Checking key {name} against {url}..."),
                    t.fg(Color::Yellow),
                ),
                Some(true) => (
                    format!("Key {name}: accepted (Esc back)"),
                    t.fg(Color::Green),
                ),
                Some(false) => (format!("Key {name}: rejected (Esc back)"), t.fg(Color::Red)),
            };
            let body: Vec<Line> = lines
                .iter()
                .map(|l| {
                    if l.starts_with("ACCEPTED") || l.starts_with("REJECTED") {
                        Line::from(Span::styled(l.clone(), style.add_modifier(Modifier::BOLD)))
                    } else {
                        Line::from(l.clone())
                    }
                })
                .collect();
            f.render_widget(
                Paragraph::new(body)
                    .wrap(Wrap { trim: false })
                    .block(block(t, &title, true)),
                r,
            );
        }
        Popup::Import(w) => {
            let r = centered(area, 70, 14);
            f.render_widget(Clear, r);
            let outer = block(t, "Import a credential key (Esc back)", true);
            let inner = outer.inner(r);
            f.render_widget(outer, r);
            let rows = Layout::vertical([
                Constraint::Length(3),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Min(1),
            ])
            .split(inner);
            let kinds: Vec<Line> = IMPORT_KINDS
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    Line::from(Span::styled(
                        format!("{} {k}", if i == w.kind { ">" } else { " " }),
                        t.focus(w.step == 0 && i == w.kind),
                    ))
                })
                .collect();
            f.render_widget(Paragraph::new(kinds), rows[0]);
            let label = if w.kind == 0 {
                "file (Tab completes):"
            } else {
                "CERT,KEY files (Tab completes):"
            };
            f.render_widget(
                Paragraph::new(Span::styled(label, t.focus(w.step == 1))),
                rows[1],
            );
            f.render_widget(&w.path, rows[2]);
            let [pl, pv] =
                Layout::horizontal([Constraint::Length(10), Constraint::Min(1)]).areas(rows[3]);
            f.render_widget(
                Paragraph::new(Span::styled("password:", t.focus(w.step == 2))),
                pl,
            );
            f.render_widget(&w.password, pv);
            let [nl, nv] =
                Layout::horizontal([Constraint::Length(10), Constraint::Min(1)]).areas(rows[4]);
            f.render_widget(
                Paragraph::new(Span::styled("name:", t.focus(w.step == 3))),
                nl,
            );
            f.render_widget(&w.name, nv);
            let foot = match (&w.error, w.busy) {
                (_, true) => Line::from("importing..."),
                (Some(e), _) => Line::from(Span::styled(e.clone(), t.fg(Color::Red))),
                (None, _) => Line::from("Enter: next / import"),
            };
            f.render_widget(Paragraph::new(foot).wrap(Wrap { trim: false }), rows[6]);
        }
    }
}

fn draw_keys(
    f: &mut Frame,
    s: &State,
    t: &Theme,
    area: Rect,
    selected: usize,
    inspect: bool,
    confirm: bool,
) {
    let r = centered(
        area,
        area.width.saturating_sub(6).max(40),
        area.height.saturating_sub(4).max(8),
    );
    f.render_widget(Clear, r);
    let title = "Keys: Enter use  i inspect  t test  c compare  a import  e export  d del  n none";
    if inspect {
        let lines: Vec<Line> = match s.keys.get(selected) {
            Some((name, Ok(info))) => {
                let mut v = vec![Line::from(format!("key {name}  ({})", info.key_type))];
                for (i, c) in info.chain.iter().enumerate() {
                    v.push(Line::from(format!("[{i}] {}", c.subject)));
                    v.push(Line::from(format!("    issuer {}", c.issuer)));
                    v.push(Line::from(format!(
                        "    SANs {}  serial {}",
                        c.sans.join(", "),
                        c.serial
                    )));
                    v.push(Line::from(format!(
                        "    {} .. {} ({})",
                        c.not_before,
                        c.not_after,
                        c.expiry_words()
                    )));
                    v.push(Line::from(format!("    SHA-256 {}", c.sha256)));
                    v.push(Line::from(format!(
                        "    client auth: {}",
                        match c.client_auth {
                            Some(false) => "NO",
                            _ => "yes",
                        }
                    )));
                }
                v
            }
            Some((name, Err(e))) => vec![Line::from(format!("{name}: {e}"))],
            None => vec![Line::from("no key")],
        };
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(block(t, "Inspect (Esc back)", true)),
            r,
        );
        return;
    }
    let mut items: Vec<ListItem> = s
        .keys
        .iter()
        .map(|(name, info)| match info {
            Ok(i) => {
                let style = match i.leaf.validity() {
                    Validity::Expired { .. } | Validity::NotYetValid => t.fg(Color::Red),
                    Validity::Expiring { .. } => t.fg(Color::Yellow),
                    Validity::Valid { .. } => Style::default(),
                };
                // Expiry right after the name, so it survives a narrow terminal.
                ListItem::new(Line::from(vec![
                    Span::raw(format!("{name:<14} ")),
                    Span::styled(format!("{:<22}", i.leaf.expiry_words()), style),
                    Span::raw(format!(
                        " CN={}  issuer {}",
                        i.leaf.subject_cn, i.leaf.issuer_cn
                    )),
                ]))
            }
            Err(e) => ListItem::new(Span::styled(format!("{name}: {e}"), t.fg(Color::Red))),
        })
        .collect();
    if items.is_empty() {
        items.push(ListItem::new(
            "no keys yet: press a to import a .p12 or PEM files",
        ));
    }
    if confirm {
        items.push(ListItem::new(Span::styled(
            "delete this key? y / any other key cancels",
            t.fg(Color::Red),
        )));
    }
    let mut state = ListState::default().with_selected(Some(selected));
    f.render_stateful_widget(
        List::new(items)
            .block(block(t, title, true))
            .highlight_symbol("> ")
            .highlight_style(t.focus(true)),
        r,
        &mut state,
    );
}

const HELP: &str = "\
Everywhere  Ctrl-R/F5 send  Esc cancel  Ctrl-S save  Ctrl-K keys  ?/F1 help
            Tab/Shift-Tab pane   q quit (outside text)   Ctrl-C quit
Profiles    ↑/↓ select  Enter open  n new  c duplicate  r rename  d delete
Request     Ctrl-N/Ctrl-P field (method, URL, tab)   Ctrl-T next tab
            Method ←/→   URL: type, Enter sends   Ctrl-B body type
            Headers: JSON {\"Accept\": \"application/json\"}   Query: k=v lines
            Body: raw | form k=v | multipart name=text, name=@file
            Options: ↑/↓ select, Space toggles, +/- timeout
Response    j/k PgUp/PgDn Home/End   ←/→ Body Headers TLS Redirects Timing
            / search  n/N next/prev  r raw body / raw error  z wrap
            y copy (OSC 52)  w save body   mouse: click a pane or row, wheel
            body over the cap: w sends a GET again to a file, W any method
History     Enter show  o to form  r re-run  / filter (profile: key: status:)
            m mark  c compare marked (or marked vs shown)  d delete  D clear
Compare     n/N next/previous change  i ignore a JSON path  y copy  Esc
Keys popup  Enter use  i inspect  a import (P12/PEM/DER)  e export  d delete
            t test the handshake (keys check)  c send with both, compare";
