//! How the CLI prints results: human text on the terminal, one JSON object with --json.

use base64::Engine;
use serde_json::{Value, json};

use super::exit::{self, EXIT_EXPECTATION, EXIT_OK, EXIT_STATUS, EXIT_TRANSPORT};
use super::fixes::hint;
use super::json::{ExchangeJson, FailureJson, RequestJson, mask_header};
use engine::diagnose::Failure;
use engine::exchange::{BodyView, Exchange, TlsFacts};
use engine::request::expect::Verdict;
use engine::request::prepare::PreparedRequest;

/// A send a profile required, made first: one line, and its failure when it failed.
pub fn print_required(sent: &engine::pipeline::Sent) {
    let name = &sent.profile.name;
    match &*sent.result {
        Ok(ex) => {
            let captured = sent.captured();
            errln!(
                "* sent {name} first (required): {} {}{}",
                ex.status,
                ex.reason,
                if captured.is_empty() {
                    String::new()
                } else {
                    format!(", captured {}", captured.join(", "))
                }
            );
            for (k, why) in &sent.missed {
                errln!("warning: {name} did not capture {k}: {why}");
            }
        }
        Err(f) => {
            errln!(
                "error: {name} (required first) failed: {}",
                f.diagnosis.message
            );
        }
    }
}

/// `-v`: which rule chose the key this request presents.
pub fn print_key_source(req: &PreparedRequest) {
    use engine::request::prepare::KeySource;
    let Some(key) = req.credential.as_deref().filter(|_| req.mutual_tls) else {
        errln!(
            "* no client key: none named by --credential, the profile, the environment or a binding"
        );
        return;
    };
    let why = match &req.key_source {
        KeySource::Named | KeySource::None => "named by --credential or the profile".to_string(),
        KeySource::Environment(e) => format!("the default of environment {e}"),
        KeySource::Bound(p) => format!("bound to {p} (`certbench keys bindings`)"),
    };
    errln!("* key {key}: {why}");
}

/// `keys bindings`: pattern and key, most specific first as they are matched.
pub fn bindings(list: &[(String, String)], as_json: bool) {
    if as_json {
        let v: Vec<Value> = list
            .iter()
            .map(|(p, k)| json!({"pattern": p, "key": k}))
            .collect();
        outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return;
    }
    if list.is_empty() {
        errln!("no bindings yet: `certbench keys bind NAME '*.example.com'`");
    }
    for (p, k) in list {
        outln!("{p:<40} {k}");
    }
}

pub fn print_result(
    req: &PreparedRequest,
    result: &Result<Exchange, Failure>,
    verdict: Option<&Verdict>,
    as_json: bool,
    verbose: bool,
) -> i32 {
    match result {
        Ok(ex) => {
            if as_json {
                super::stdout::write_with(|w| {
                    write_exchange_json(w, request_json(req), ex, verdict)
                });
            } else {
                print_exchange(ex, verbose);
            }
            if let Some(v) = verdict {
                for failure in &v.failures {
                    errln!("expectation failed: {failure}");
                }
                if verbose || !v.passed() {
                    errln!("* {}", v.summary());
                }
            }
            if ex.incomplete.is_some() {
                EXIT_TRANSPORT
            } else if verdict.is_some_and(|v| !v.passed()) {
                EXIT_EXPECTATION
            } else if ex.status_is_error {
                EXIT_STATUS
            } else {
                EXIT_OK
            }
        }
        Err(f) => {
            if as_json {
                outln!("{}", failure_json(request_json(req), f));
            } else {
                print_failure(f, verbose);
            }
            exit::for_failure(f)
        }
    }
}

pub fn print_exchange(ex: &Exchange, verbose: bool) {
    for w in &ex.warnings {
        errln!("warning: {} ({})", w.message, hint(w));
    }
    if verbose {
        for hop in &ex.redirects {
            errln!(
                "* {} {} -> {} {}{}",
                hop.method,
                hop.url,
                hop.status,
                hop.location,
                if hop.downgrade {
                    " (DOWNGRADE to http)"
                } else {
                    ""
                }
            );
        }
        if let Some(tls) = &ex.tls {
            print_tls(tls);
        }
        let t = &ex.timing;
        errln!(
            "* time: dns {} ms, connect {} ms, tls {} ms{}, request {} ms, wait {} ms, download {} ms, process {} ms{}",
            t.dns_ms,
            t.connect_ms,
            t.tls_ms,
            if t.reused { " (connection reused)" } else { "" },
            t.request_ms,
            t.wait_ms,
            t.download_ms,
            t.process_ms,
            if t.redirects_ms > 0.0 {
                format!(", after {} ms of redirects", t.redirects_ms)
            } else {
                String::new()
            }
        );
        errln!(
            "< {} {} {} ({} ms, {} bytes{})",
            ex.http_version,
            ex.status,
            ex.reason,
            ex.timing.total_ms,
            ex.decoded_size,
            encoded_note(ex)
        );
        for (k, v) in &ex.headers {
            errln!("< {k}: {}", mask_header(k, v));
        }
    }
    // A refused WebSocket upgrade is an error whatever its status: its warning says why.
    let upgrade_refused = ex
        .warnings
        .iter()
        .any(|w| w.kind == engine::diagnose::kind::DiagnosisKind::WsUpgradeRefused);
    if let Some(g) = &ex.grpc {
        if verbose {
            for (k, v) in &g.trailers {
                errln!("< (trailer) {k}: {}", mask_header(k, v));
            }
        }
        // A stream certbench ended itself is CANCELLED by gRPC's words: its end says why.
        let ended_here = ex.stream.as_ref().is_some_and(|s| {
            !matches!(
                s.end,
                engine::body::events::StreamEnd::Closed | engine::body::events::StreamEnd::Broken
            )
        });
        if verbose || (g.code != 0 && !ended_here) {
            errln!(
                "* gRPC {} ({}){}: {} message{} sent, {} received",
                g.code_name,
                g.code,
                if g.message.is_empty() {
                    String::new()
                } else {
                    format!(" {:?}", g.message)
                },
                g.messages_sent,
                if g.messages_sent == 1 { "" } else { "s" },
                g.messages_received
            );
        }
        for d in &g.details {
            errln!("* detail: {d}");
        }
        if ex.status_is_error {
            errln!(
                "error: gRPC status {} counts as an error (turn off with --no-status-errors)",
                g.code_name
            );
        }
    } else if ex.status_is_error && !upgrade_refused {
        errln!(
            "error: HTTP {} {} counts as an error (turn off with --no-status-errors)",
            ex.status,
            ex.reason
        );
    }
    if let Some(d) = &ex.incomplete {
        errln!("error: {}", d.message);
        errln!("hint: {}", hint(d));
    }
    if let Some(path) = &ex.saved_to {
        errln!("saved {} bytes to {path}", ex.decoded_size);
        return;
    }
    // Its events were printed as they came; the body would print them again.
    if let Some(stream) = &ex.stream {
        errln!("{}", stream_words(stream, ex.stream_kind()));
        return;
    }
    match &ex.view {
        BodyView::Binary => {
            use std::io::IsTerminal;
            if std::io::stdout().is_terminal() {
                errln!(
                    "({} bytes of binary body not shown; redirect stdout to a file or use --output FILE to save it)",
                    ex.body.len()
                );
            } else {
                super::stdout::write_all(&ex.body);
            }
        }
        BodyView::Unparsed {
            format,
            error,
            line,
            column,
            lines,
        } => {
            errln!(
                "warning: the body is not valid {format}: {error} (line {line}, column {column}); shown raw"
            );
            super::stdout::write_with(|w| {
                w.write_all(lines.text().as_bytes())?;
                w.write_all(b"\n")
            });
        }
        BodyView::Empty => {}
        BodyView::Json { lines } | BodyView::Xml { lines } | BodyView::Text { lines } => {
            super::stdout::write_with(|w| {
                lines.write_to(w)?;
                w.write_all(b"\n")
            });
        }
    }
}

/// How an event stream or a WebSocket conversation ended, in words.
pub fn stream_words(
    s: &engine::body::events::StreamSummary,
    kind: engine::body::events::StreamKind,
) -> String {
    use engine::body::events::{StreamEnd, StreamKind};
    let messages = kind != StreamKind::Events;
    let end = match s.end {
        StreamEnd::Closed if kind == StreamKind::WebSocket => "the server closed the WebSocket",
        StreamEnd::Closed if kind == StreamKind::GrpcCall => "the server ended the call",
        StreamEnd::Closed => "the server closed the stream",
        StreamEnd::MaxEvents if messages => "stopped at --max-messages",
        StreamEnd::MaxEvents => "stopped at --max-events",
        StreamEnd::TimeLimit => "stopped at the time limit (--timeout)",
        StreamEnd::Cancelled => "stopped by Ctrl-C",
        StreamEnd::BodyLimit => "stopped at the body size limit (--max-body)",
        StreamEnd::ReaderGone => "stopped: nothing reads the events any more",
        StreamEnd::MessageTooLarge => "stopped at a message over the size limit",
        StreamEnd::Broken => "the connection broke",
    };
    let mut oversized = match s.oversized {
        0 => String::new(),
        n => format!("; {n} events over 16 MiB dropped"),
    };
    if s.reconnects > 0 {
        oversized.push_str(&format!(
            "; opened again {} time{} after the server closed it",
            s.reconnects,
            if s.reconnects == 1 { "" } else { "s" }
        ));
    }
    if s.body_cut && kind == StreamKind::GrpcCall {
        oversized.push_str(&format!(
            "; the body keeps the first {} messages",
            engine::net::grpc::KEPT_MESSAGES
        ));
    } else if s.body_cut {
        oversized.push_str(
            "; the body keeps the start (the first 50 and last 10 are in the stream summary)",
        );
    }
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    match kind {
        StreamKind::WebSocket => format!(
            "{} message{} received, {} sent: {end}{oversized}",
            s.events,
            plural(s.events),
            s.sent
        ),
        StreamKind::GrpcCall => format!(
            "{} message{} received: {end}{oversized}",
            s.events,
            plural(s.events)
        ),
        StreamKind::Events => format!("{} event{}: {end}{oversized}", s.events, plural(s.events)),
    }
}

/// One event of a stream as it arrives: on a line of its own in --json (NDJSON), else a head
/// line (time, type, id) and the data, indented.
pub fn print_event(item: &engine::body::events::StreamItem, as_json: bool) {
    use engine::body::events::StreamItem;
    match item {
        StreamItem::Event(e) => print_sse_event(e, as_json),
        StreamItem::Message(m) => print_message(m, as_json),
    }
}

fn print_sse_event(e: &engine::body::events::StreamEvent, as_json: bool) {
    if as_json {
        let mut v = json!({"type": "event", "at_ms": e.at_ms, "event": e.event, "data": e.data, "id": e.id});
        if let Some(r) = e.retry_ms {
            v["retry_ms"] = json!(r);
        }
        outln!("{v}");
        return;
    }
    let id = if e.id.is_empty() {
        String::new()
    } else {
        format!("  id {}", e.id)
    };
    let mut text = format!("+{:.3}s {}{id}\n", e.at_ms as f64 / 1000.0, e.event);
    for line in e.data.lines() {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    super::stdout::write_with(|w| w.write_all(text.as_bytes()));
}

/// One WebSocket message as it passes: NDJSON in --json, else `+0.012s > text` (sent) or
/// `+0.013s < text` (received) and the data, indented.
fn print_message(m: &engine::body::messages::WsMessage, as_json: bool) {
    use engine::body::messages::Direction;
    if as_json {
        outln!("{}", serde_json::to_string(m).unwrap_or_default());
        return;
    }
    let arrow = match m.direction {
        Direction::Sent => ">",
        Direction::Received => "<",
    };
    let what = m.frame.label();
    let mut text = format!("+{:.3}s {arrow} {what}\n", m.at_ms as f64 / 1000.0);
    for line in m.frame.data().lines() {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
    }
    super::stdout::write_with(|w| w.write_all(text.as_bytes()));
}

fn encoded_note(ex: &Exchange) -> String {
    match &ex.content_encoding {
        Some(enc) => format!(", {} bytes {enc} on the wire", ex.encoded_size),
        None => String::new(),
    }
}

fn print_tls(tls: &TlsFacts) {
    for line in tls.story() {
        errln!("* {line}");
    }
}

pub fn print_failure(f: &Failure, verbose: bool) {
    for w in &f.warnings {
        errln!("warning: {} ({})", w.message, hint(w));
    }
    errln!("error: {}", f.diagnosis.message);
    let hint = hint(&f.diagnosis);
    if !hint.is_empty() {
        errln!("hint: {hint}");
    }
    if verbose {
        if let Some(tls) = &f.tls {
            print_tls(tls);
        }
        for hop in &f.redirects {
            errln!(
                "* {} {} -> {} {}",
                hop.method,
                hop.url,
                hop.status,
                hop.location
            );
        }
        if let Some(p) = &f.probe {
            errln!(
                "* probe: handshake {}, {}",
                if p.handshake_ok {
                    "completed"
                } else {
                    "failed"
                },
                p.error.as_deref().unwrap_or("accepted")
            );
        }
        for (i, c) in f.chain.iter().enumerate() {
            errln!("* cause {i}: {c}");
        }
    }
}

pub fn request_json(req: &PreparedRequest) -> Value {
    serde_json::to_value(RequestJson::of(req)).unwrap_or_default()
}

/// A response as one JSON object (history show); `body`, `json` and `pretty` filled in memory.
pub fn exchange_json(request: Value, ex: &Exchange) -> Value {
    let mut v = exchange_head(request, ex, None);
    v["body"] = match &ex.view {
        BodyView::Binary => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(&ex.body))
        }
        view => Value::String(view.source_text().to_string()),
    };
    v["json"] = match &ex.view {
        BodyView::Json { lines } => serde_json::from_str(lines.text()).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    v["pretty"] = match &ex.view {
        BodyView::Json { lines } | BodyView::Xml { lines } => Value::String(lines.to_text()),
        _ => Value::Null,
    };
    v
}

/// The same object written as it goes: the body fields stream from the body's own bytes, so a
/// large or deeply nested body costs no copies and no tree.
pub fn write_exchange_json(
    w: &mut dyn std::io::Write,
    request: Value,
    ex: &Exchange,
    verdict: Option<&Verdict>,
) -> std::io::Result<()> {
    let Value::Object(head) = exchange_head(request, ex, verdict) else {
        return Ok(());
    };
    w.write_all(b"{")?;
    for (i, (k, v)) in head.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        serde_json::to_writer(&mut *w, k)?;
        w.write_all(b":")?;
        match (k.as_str(), &ex.view) {
            ("body", BodyView::Binary) => {
                w.write_all(b"\"")?;
                let mut enc = base64::write::EncoderWriter::new(
                    &mut *w,
                    &base64::engine::general_purpose::STANDARD,
                );
                std::io::Write::write_all(&mut enc, &ex.body)?;
                enc.finish()?;
                drop(enc);
                w.write_all(b"\"")?;
            }
            ("body", view) => serde_json::to_writer(&mut *w, view.source_text())?,
            ("json", BodyView::Json { lines }) => write_compact_json(w, lines.text())?,
            ("pretty", BodyView::Json { lines } | BodyView::Xml { lines }) => {
                w.write_all(b"\"")?;
                let mut esc = JsonEscaped(&mut *w);
                lines.write_to(&mut esc)?;
                w.write_all(b"\"")?;
            }
            _ => serde_json::to_writer(&mut *w, v)?,
        }
    }
    w.write_all(b"}\n")
}

/// Valid JSON text without the blanks between tokens (one line of output stays one line).
fn write_compact_json(w: &mut dyn std::io::Write, text: &str) -> std::io::Result<()> {
    let b = text.as_bytes();
    let mut from = 0;
    let mut in_string = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b' ' | b'\t' | b'\n' | b'\r' if !in_string => {
                w.write_all(&b[from..i])?;
                from = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    w.write_all(&b[from..])
}

/// Writes what it is given as the inside of a JSON string.
struct JsonEscaped<'a>(&'a mut dyn std::io::Write);

impl std::io::Write for JsonEscaped<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut from = 0;
        for (i, c) in buf.iter().enumerate() {
            let esc: Option<&[u8]> = match c {
                b'"' => Some(b"\\\""),
                b'\\' => Some(b"\\\\"),
                b'\n' => Some(b"\\n"),
                b'\r' => Some(b"\\r"),
                b'\t' => Some(b"\\t"),
                0..=0x1f => None,
                _ => continue,
            };
            self.0.write_all(&buf[from..i])?;
            match esc {
                Some(e) => self.0.write_all(e)?,
                None => write!(self.0, "\\u{:04x}", c)?,
            }
            from = i + 1;
        }
        self.0.write_all(&buf[from..])?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Every field of a response's JSON, in the documented order; the body fields are null here.
fn exchange_head(request: Value, ex: &Exchange, verdict: Option<&Verdict>) -> Value {
    serde_json::to_value(ExchangeJson::of(request, ex, verdict)).unwrap_or_default()
}

pub fn failure_json(request: Value, f: &Failure) -> Value {
    let url = request["url"].as_str().unwrap_or_default().to_string();
    serde_json::to_value(FailureJson::of(&url, request, f)).unwrap_or_default()
}
