//! The Request tab: the request as sent, or as it would be sent now, secrets masked.

use super::*;
use engine::net::route::HttpVersion;
use engine::request::prepare::KeySource;
use engine::request::seen::{RequestSeen, Seen};

/// The request the tab stands for: the shown response's, unless the form changed since (or
/// nothing was sent yet), then the form's as it would be sent.
fn chosen(s: &State) -> Option<Result<&RequestSeen, &str>> {
    let sent = s.shown().and_then(|sh| sh.request.as_deref());
    let preview = s.preview.as_ref().map(|p| match p {
        Ok(r) => Ok(&**r),
        Err(e) => Err(e.as_str()),
    });
    match (sent, preview) {
        (Some(sent), Some(_)) if !s.preview_over => Some(Ok(sent)),
        (_, Some(p)) => Some(p),
        (Some(sent), None) => Some(Ok(sent)),
        (None, None) => None,
    }
}

/// The tab's lines, from `scroll`.
pub(super) fn request_lines<'a>(s: &State, t: &Theme) -> Vec<Line<'a>> {
    let dim = t.fg(Color::DarkGray);
    let r = match chosen(s) {
        None => return vec![Line::from(Span::styled("preparing the request…", dim))],
        Some(Err(why)) => {
            return vec![
                Line::from(Span::styled(
                    "as it would be sent now: it would not go",
                    dim,
                )),
                Line::from(Span::styled(why.to_string(), t.fg(Color::Red))),
            ];
        }
        Some(Ok(r)) => r,
    };
    let mut out = vec![Line::from(Span::styled(
        match (r.when, s.shown().map(|sh| sh.id)) {
            (Seen::WouldSend, _) => "as it would be sent now (Ctrl-R sends it)".to_string(),
            (Seen::Sent, Some(crate::state::EntryRef::Stored(id))) => {
                format!("as sent (history #{id})")
            }
            (Seen::Sent, _) => "as sent".to_string(),
        },
        dim,
    ))];
    out.push(Line::from(vec![
        Span::styled(format!("{} ", r.request.method), t.fg(Color::Yellow)),
        Span::raw(r.request.url.clone()),
    ]));
    for (k, v) in &r.request.headers {
        out.push(Line::from(vec![
            Span::styled(format!("{k}: "), t.fg(Color::Cyan)),
            Span::raw(v.clone()),
        ]));
    }
    for (k, v) in &r.added {
        out.push(Line::from(vec![
            Span::styled(format!("{k}: "), t.fg(Color::Cyan)),
            Span::raw(v.clone()),
            Span::styled("  (added by the client)", dim),
        ]));
    }
    out.push(Line::from(
        match (&r.key, r.setup.as_ref().map(|s| &s.key_source)) {
            (None, _) => "key: none (no client certificate is presented)".to_string(),
            (Some(k), Some(KeySource::Environment(e))) => {
                format!("key: {k} (the default of environment {e})")
            }
            (Some(k), Some(KeySource::Bound(p))) => format!("key: {k} (bound to {p})"),
            (Some(k), Some(_)) => format!("key: {k} (named by the profile)"),
            (Some(k), None) => format!("key: {k}"),
        },
    ));
    if let Some(setup) = &r.setup {
        let o = &setup.options;
        out.push(Line::from(match (o.verify_tls, setup.trust.is_empty()) {
            (false, _) => "trust: server certificate NOT verified (verify_tls off)".to_string(),
            (true, true) => "trust: the system's roots".to_string(),
            (true, false) => format!("trust: {} and the system's roots", setup.trust.join(", ")),
        }));
        out.push(Line::from(match &setup.proxy {
            Some((url, from)) => format!("proxy: {url} (from {from})"),
            None => "proxy: none, a direct connection".to_string(),
        }));
        let mut route = Vec::new();
        route.extend(o.resolve.iter().map(|r| format!("resolve {r}")));
        route.extend(o.connect_to.iter().map(|c| format!("connect-to {c}")));
        route.push(match o.http_version {
            HttpVersion::Auto => "HTTP version: h2 or 1.1 (ALPN)".to_string(),
            HttpVersion::Http1 => "HTTP/1.1 only".to_string(),
            HttpVersion::Http2 => "HTTP/2 only".to_string(),
        });
        if let Some(pin) = &o.pin {
            route.push(format!("pin {pin}"));
        }
        out.push(Line::from(format!("route: {}", route.join(", "))));
        out.push(Line::from(format!(
            "timeout {} s, body kept up to {}",
            o.timeout_secs,
            o.max_body()
        )));
    }
    if !r.request.body.is_empty() {
        out.push(Line::from(""));
        out.extend(r.request.body.lines().map(|l| Line::from(l.to_string())));
        if r.request.body_truncated {
            out.push(Line::from(Span::styled("… (cut here)", dim)));
        }
    }
    out.into_iter().skip(s.scroll).collect()
}
