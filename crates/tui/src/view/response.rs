//! The response pane: status line, tabs, and only the visible body lines, highlighted.

use super::*;

/// Colours one visible line: JSON keys, strings, numbers and literals, XML tags; search hits reversed.
/// Runs only for the lines on screen, so its cost does not grow with the body.
pub(super) fn highlight(
    t: &Theme,
    format: Option<BodyFormat>,
    line: &str,
    term: &str,
) -> Vec<Span<'static>> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    if !t.color || format.is_none() || line.len() > 4096 {
        spans.push(Span::raw(line.to_string()));
    } else if format == Some(BodyFormat::Json) {
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
                    let is_key = line
                        .get(end..)
                        .unwrap_or_default()
                        .trim_start()
                        .starts_with(':');
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
                        .any(|w| line.get(i..).unwrap_or_default().starts_with(w)) =>
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
                spans.push(Span::raw(
                    line.get(plain..i).unwrap_or_default().to_string(),
                ));
            }
            spans.push(Span::styled(
                line.get(i..end).unwrap_or_default().to_string(),
                style,
            ));
            i = end;
            plain = end;
        }
        if plain < b.len() {
            spans.push(Span::raw(line.get(plain..).unwrap_or_default().to_string()));
        }
    } else {
        // XML: tags in blue, text plain.
        let mut rest = line;
        while let Some(open) = rest.find('<') {
            if open > 0 {
                spans.push(Span::raw(rest.get(..open).unwrap_or_default().to_string()));
            }
            let close = rest
                .get(open..)
                .unwrap_or_default()
                .find('>')
                .map_or(rest.len(), |c| open + c + 1);
            spans.push(Span::styled(
                rest.get(open..close).unwrap_or_default().to_string(),
                t.fg(Color::Blue),
            ));
            rest = rest.get(close..).unwrap_or_default();
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
pub(super) fn mark_hits<'a>(spans: Vec<Span<'a>>, term: &str) -> Vec<Span<'a>> {
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
                out.push(Span::styled(
                    text.get(last..i).unwrap_or_default().to_string(),
                    span.style,
                ));
            }
            out.push(Span::styled(
                text.get(i..i + needle.len())
                    .unwrap_or_default()
                    .to_string(),
                span.style.add_modifier(Modifier::REVERSED),
            ));
            last = i + needle.len();
        }
        if last == 0 {
            out.push(span);
        } else if last < text.len() {
            out.push(Span::styled(
                text.get(last..).unwrap_or_default().to_string(),
                span.style,
            ));
        }
    }
    out
}

pub(super) fn draw_response(f: &mut Frame, s: &State, t: &Theme, area: Rect) {
    let outer = block(t, "Response", s.focus == Pane::Response);
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let [status, tabs, body] = split(
        Direction::Vertical,
        [
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
        ],
        inner,
    );
    if let Some(fl) = &s.in_flight {
        let spin = SPINNER[s.spinner % SPINNER.len()];
        let what = match fl.events {
            0 => format!("sending {} {}", fl.profile.method, fl.profile.name),
            n => {
                let secs = s.now.secs_since(fl.started).max(0.1);
                format!(
                    "{n} {} ({:.0}/s) from {}, last: {}",
                    fl.unit,
                    n as f64 / secs,
                    fl.profile.name,
                    fl.last_event
                )
            }
        };
        f.render_widget(
            Paragraph::new(format!(
                "{spin} {what}  {:.1} s  (Esc cancels)",
                s.now.secs_since(fl.started)
            ))
            .style(t.fg(Color::Cyan)),
            status,
        );
    }
    if let Some(fl) = s
        .in_flight
        .as_ref()
        .filter(|fl| !fl.live.is_empty() || fl.websocket)
    {
        draw_live(f, tabs.union(body), fl, t, s.focus == Pane::Response);
        return;
    }
    let Some(shown) = s.shown() else {
        if s.in_flight.is_none() {
            f.render_widget(
                Paragraph::new("Ctrl-R sends, p shows the request first, ? every key")
                    .style(t.fg(Color::DarkGray)),
                status,
            );
        }
        if s.resp_tab == RespTab::Request {
            f.render_widget(
                Paragraph::new(" Request").style(t.focus(true).add_modifier(Modifier::UNDERLINED)),
                tabs,
            );
            let para = Paragraph::new(request_lines(s, t)).wrap(Wrap { trim: false });
            f.render_widget(para, body);
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
                // "TLSv1.3 h2": the TLS version and the HTTP version ALPN agreed.
                let http = match ex.http_version.as_str() {
                    "HTTP/2.0" => "h2",
                    "HTTP/1.1" => "http/1.1",
                    other => other,
                };
                let tls = match ex.tls.as_ref().and_then(|x| x.version.clone()) {
                    Some(v) => format!("{v} {http}"),
                    None => http.to_string(),
                };
                let size = match &ex.content_encoding {
                    Some(enc) => format!("{} / {} B {enc}", ex.decoded_size, ex.encoded_size),
                    None => format!("{} B", ex.decoded_size),
                };
                // A gRPC call's outcome is its status, not the HTTP one (always 200).
                let (said, colour) = match &ex.grpc {
                    Some(g) if g.code == 0 => (format!("gRPC {}", g.code_name), t.status(200)),
                    // The server's words right after the code: at 80 columns they fit.
                    Some(g) if !g.message.is_empty() => (
                        format!("gRPC {} ({}): {}", g.code_name, g.code, g.message),
                        t.status(500),
                    ),
                    Some(g) => (format!("gRPC {} ({})", g.code_name, g.code), t.status(500)),
                    None => (format!("{} {}", ex.status, ex.reason), t.status(ex.status)),
                };
                let mut spans = vec![
                    Span::styled(said, colour),
                    Span::raw(format!("  {:.0} ms  {size}  {tls}", ex.timing.total_ms)),
                ];
                if ex.tls.as_ref().is_some_and(|x| x.unverified) {
                    spans.push(Span::styled(
                        "  UNVERIFIED",
                        t.fg(Color::Red).add_modifier(Modifier::BOLD),
                    ));
                }
                let not_asked = ex
                    .warnings
                    .iter()
                    .any(|w| w.kind == DiagnosisKind::ClientCertNotRequested);
                if not_asked {
                    // The key was never sent: the answer says nothing about it.
                    spans.push(Span::styled(
                        "  KEY NOT ASKED",
                        t.fg(Color::Yellow).add_modifier(Modifier::BOLD),
                    ));
                }
                // A gRPC status's words are shown with its code already.
                let grpc_said = ex.grpc.as_ref().is_some_and(|g| g.code != 0);
                if let Some(cut) = ex.incomplete.as_ref().filter(|_| !grpc_said) {
                    spans.push(Span::styled(
                        format!("  ! {} (w saves it all)", cut.message),
                        t.fg(Color::Red),
                    ));
                } else if let Some(w) = ex.warnings.iter().find(|w| {
                    !grpc_said
                        && !matches!(
                            w.kind,
                            DiagnosisKind::Unverified | DiagnosisKind::ClientCertNotRequested
                        )
                }) {
                    spans.push(Span::styled(
                        format!("  ! {}", w.message),
                        t.fg(Color::Yellow),
                    ));
                }
                f.render_widget(Paragraph::new(Line::from(spans)), status);
            }
            let lines = response_lines(s, t, ex, body.width as usize, body.height as usize);
            let para = Paragraph::new(lines);
            // The body wraps on `z`; the other tabs' lines are sentences and always wrap.
            let para = if s.wrap || s.resp_tab != RespTab::Body {
                para.wrap(Wrap { trim: false })
            } else {
                para
            };
            f.render_widget(para, body);
        }
        Err(_) if s.resp_tab == RespTab::Request => {
            let para = Paragraph::new(request_lines(s, t)).wrap(Wrap { trim: false });
            f.render_widget(para, body);
        }
        Err(fail) => {
            if s.in_flight.is_none() {
                // The cause in a few words that fit at 80 columns; `!` tells the whole story.
                f.render_widget(
                    Paragraph::new(Line::from(vec![
                        Span::styled(
                            format!("✗ {}", crate::headline::headline(fail.diagnosis.kind)),
                            t.fg(Color::Red).add_modifier(Modifier::BOLD),
                        ),
                        Span::styled("  ! story", t.fg(Color::DarkGray)),
                    ])),
                    status,
                );
            }
            let mut text = vec![
                Line::from(Span::styled(
                    fail.diagnosis.message.clone(),
                    t.fg(Color::Red),
                )),
                Line::from(""),
                Line::from(format!("fix: {}", crate::fixes::hint(&fail.diagnosis))),
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
                "! the whole story   r raw error chain",
                t.fg(Color::DarkGray),
            )));
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), body);
        }
    }
}

pub(super) fn response_lines<'a>(
    s: &'a State,
    t: &Theme,
    ex: &'a engine::exchange::Exchange,
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
            let format = match (&ex.view, s.raw) {
                (_, true) => None,
                (BodyView::Json { .. }, _) => Some(BodyFormat::Json),
                (BodyView::Xml { .. }, _) => Some(BodyFormat::Xml),
                _ => None,
            };
            // Only what can be on screen is cut out of a line: a 200 MB one-line body draws as
            // fast as a short one, wrapped or not.
            let room = width.saturating_sub(number_width + 1).max(1);
            let max_chars = if s.wrap { room * height } else { room };
            let mut out: Vec<Line> = lines
                .shown(first, max_chars)
                .take(height)
                .enumerate()
                .map(|(k, (indent, content))| {
                    let i = first + k;
                    let mut spans = vec![
                        Span::styled(
                            format!("{:>number_width$} ", i + 1),
                            Style::default().add_modifier(Modifier::DIM),
                        ),
                        Span::raw(indent),
                    ];
                    spans.extend(highlight(t, format, &content, &s.search_term));
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
        RespTab::Timing => waterfall(&ex.timing, width, t),
        RespTab::Request => request_lines(s, t),
    }
}

/// The phases as a waterfall: each bar starts where the one before ended, scaled to the width.
fn waterfall<'a>(tm: &engine::exchange::Timing, width: usize, t: &Theme) -> Vec<Line<'a>> {
    let reused = if tm.reused { " (reused)" } else { "" };
    let phases = [
        ("redirects", tm.redirects_ms, Color::DarkGray, ""),
        ("DNS", tm.dns_ms, Color::Cyan, reused),
        ("connect", tm.connect_ms, Color::Blue, reused),
        ("TLS", tm.tls_ms, Color::Magenta, reused),
        ("request", tm.request_ms, Color::Yellow, ""),
        ("wait", tm.wait_ms, Color::Green, ""),
        ("download", tm.download_ms, Color::Cyan, ""),
        ("process", tm.process_ms, Color::DarkGray, ""),
    ];
    // "connect      12.3 ms " (21 columns), then the bar.
    let bar_width = width.saturating_sub(21).max(10);
    let total = tm.total_ms.max(0.001);
    let cell = |ms: f64| ((ms / total) * bar_width as f64).round() as usize;
    let mut at = 0.0;
    let mut lines: Vec<Line> = phases
        .iter()
        .filter(|(name, ms, ..)| *ms > 0.0 || matches!(*name, "DNS" | "connect" | "TLS" | "wait"))
        .map(|(name, ms, color, note)| {
            let start = cell(at).min(bar_width);
            let len = if *ms > 0.0 { cell(*ms).max(1) } else { 0 };
            let len = len.min(bar_width - start);
            at += ms;
            Line::from(vec![
                Span::raw(format!("{name:<9}{ms:>8.1} ms ")),
                Span::raw(" ".repeat(start)),
                Span::styled("█".repeat(len), t.fg(*color)),
                Span::styled(note.to_string(), t.fg(Color::DarkGray)),
            ])
        })
        .collect();
    lines.push(Line::from(format!("{:<9}{:>8.1} ms", "total", tm.total_ms)));
    lines.push(Line::from(format!(
        "new TLS connections: {}",
        tm.new_connections
    )));
    lines
}
