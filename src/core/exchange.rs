//! What came back from a send: status, headers, body and its parsed view, redirects, TLS facts, timings.

use serde::{Deserialize, Serialize};

use super::certinfo::CertFacts;

/// One send's outcome: a response (possibly counted as an error), or a failure with its explanation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Exchange {
    pub method: String,
    pub url: String,
    pub status: u16,
    pub reason: String,
    pub http_version: String,
    pub headers: Vec<(String, String)>,
    #[serde(skip)]
    pub body: bytes::Bytes,
    pub encoded_size: usize,
    pub decoded_size: usize,
    pub content_encoding: Option<String>,
    #[serde(skip)]
    pub view: BodyView,
    pub redirects: Vec<Hop>,
    pub tls: Option<TlsFacts>,
    pub timing: Timing,
    /// A 4xx/5xx with "evaluate all states as errors" on.
    pub status_is_error: bool,
    pub warnings: Vec<Diagnosis>,
}

/// One redirect hop: the request that was answered with a 3xx.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hop {
    pub status: u16,
    pub method: String,
    pub url: String,
    pub location: String,
    pub cross_origin: bool,
    pub downgrade: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub total_ms: f64,
    /// Until the final response's headers.
    pub headers_ms: f64,
    pub body_ms: f64,
    pub new_connections: u64,
}

/// What the TLS handshake with the final origin showed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TlsFacts {
    pub server_name: String,
    pub version: Option<String>,
    pub cipher: Option<String>,
    pub key_exchange: Option<String>,
    pub server_chain: Vec<CertFacts>,
    pub client_cert_requested: bool,
    pub acceptable_ca_names: Vec<String>,
    /// Subject of the certificate we presented, if we presented one.
    pub client_cert_sent: Option<String>,
    /// Which rule accepted the server: "webpki", "pinned self-signed certificate", or "verification off".
    pub verified_by: Option<String>,
    pub verify_error: Option<String>,
    pub unverified: bool,
}

impl TlsFacts {
    /// The handshake as a short story.
    pub fn story(&self) -> Vec<String> {
        let tls = self;
        let mut lines = Vec::new();
        lines.push(format!(
            "{} with {}, cipher {}, key exchange {}",
            tls.version.as_deref().unwrap_or("TLS (version not seen)"),
            tls.server_name,
            tls.cipher.as_deref().unwrap_or("not reported"),
            tls.key_exchange.as_deref().unwrap_or("not reported")
        ));
        if let Some(leaf) = tls.server_chain.first() {
            lines.push(format!(
                "the server sent a chain of {}: {} issued by {} ({})",
                tls.server_chain.len(),
                leaf.subject_cn,
                tls.server_chain
                    .last()
                    .map(|c| c.issuer_cn.as_str())
                    .unwrap_or("?"),
                leaf.expiry_words()
            ));
        }
        match &tls.verified_by {
            Some(rule) => lines.push(format!("server certificate accepted by: {rule}")),
            None => lines.push(format!(
                "server certificate rejected: {}",
                tls.verify_error.as_deref().unwrap_or("?")
            )),
        }
        if tls.unverified {
            lines.push("UNVERIFIED: certificate verification was off".into());
        }
        if tls.client_cert_requested {
            let from = if tls.acceptable_ca_names.is_empty() {
                "any CA".to_string()
            } else {
                tls.acceptable_ca_names.join("; ")
            };
            lines.push(format!(
                "the server asked for a client certificate from: {from}"
            ));
            lines.push(match &tls.client_cert_sent {
                Some(s) => format!("we sent: {s}"),
                None => "we sent no certificate".into(),
            });
        } else {
            lines.push("the server did not ask for a client certificate".into());
        }
        lines
    }
}

/// A cause and its fix, in words; `kind` is a stable identifier (listed in the README).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub kind: String,
    pub message: String,
    pub hint: String,
}

impl Diagnosis {
    pub fn new(kind: &str, message: impl Into<String>, hint: impl Into<String>) -> Diagnosis {
        Diagnosis {
            kind: kind.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// The body as shown: pretty JSON or XML, text, binary, or text with the reason it did not parse.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum BodyView {
    #[default]
    Empty,
    Json {
        pretty: String,
    },
    Xml {
        pretty: String,
    },
    Text {
        text: String,
    },
    Binary,
    Unparsed {
        text: String,
        format: &'static str,
        error: String,
        line: usize,
        column: usize,
    },
}

impl BodyView {
    /// The text shown in the body pane (empty for binary).
    pub fn text(&self) -> &str {
        match self {
            BodyView::Json { pretty } | BodyView::Xml { pretty } => pretty,
            BodyView::Text { text } | BodyView::Unparsed { text, .. } => text,
            BodyView::Empty | BodyView::Binary => "",
        }
    }

    /// Moves the shown text out (for a display that keeps its own copy), leaving the kind and
    /// any parse error in place; `text()` is empty afterwards.
    pub fn take_text(&mut self) -> String {
        match self {
            BodyView::Json { pretty } | BodyView::Xml { pretty } => std::mem::take(pretty),
            BodyView::Text { text } | BodyView::Unparsed { text, .. } => std::mem::take(text),
            BodyView::Empty | BodyView::Binary => String::new(),
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            BodyView::Empty => "empty",
            BodyView::Json { .. } => "json",
            BodyView::Xml { .. } => "xml",
            BodyView::Text { .. } => "text",
            BodyView::Binary => "binary",
            BodyView::Unparsed { .. } => "unparsed",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Json,
    Xml,
    Other,
}

fn media_kind(content_type: &str) -> Kind {
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if mime == "application/json" || mime.ends_with("+json") || mime == "text/json" {
        Kind::Json
    } else if mime == "application/xml" || mime == "text/xml" || mime.ends_with("+xml") {
        Kind::Xml
    } else {
        Kind::Other
    }
}

/// Decodes the body to text (charset aware) and, when asked, parses JSON or XML into a pretty form.
pub fn build_view(body: &[u8], content_type: Option<&str>, parse: bool) -> BodyView {
    if body.is_empty() {
        return BodyView::Empty;
    }
    let ct = content_type.unwrap_or("");
    let Some(text) = decode_text(body, ct) else {
        return BodyView::Binary;
    };
    match (parse, media_kind(ct)) {
        (true, Kind::Json) => match pretty_json(&text) {
            Ok(pretty) => BodyView::Json { pretty },
            Err(e) => BodyView::Unparsed {
                format: "JSON",
                error: e.to_string(),
                line: e.line(),
                column: e.column(),
                text,
            },
        },
        (true, Kind::Xml) => match pretty_xml(&text) {
            Ok(pretty) => BodyView::Xml { pretty },
            Err((error, pos)) => {
                let (line, column) = line_col(&text, pos);
                BodyView::Unparsed {
                    format: "XML",
                    error,
                    line,
                    column,
                    text,
                }
            }
        },
        _ => BodyView::Text { text },
    }
}

fn decode_text(body: &[u8], content_type: &str) -> Option<String> {
    let charset = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .next()
        .map(|c| c.trim_matches('"').to_ascii_lowercase());
    if let Some(cs) = charset.filter(|c| c != "utf-8" && c != "utf8")
        && let Some(enc) = encoding_rs::Encoding::for_label(cs.as_bytes())
    {
        let (text, _, _) = enc.decode(body);
        return Some(text.into_owned());
    }
    let text = std::str::from_utf8(body).ok()?;
    if text.contains('\0') {
        return None;
    }
    Some(text.to_string())
}

/// Validates with serde_json (for the error position), then re-indents in one pass over the bytes,
/// without building a tree: a 20 MB body stays a few hundred milliseconds.
fn pretty_json(text: &str) -> Result<String, serde_json::Error> {
    serde_json::from_str::<serde::de::IgnoredAny>(text)?;
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 2);
    let mut depth = 0usize;
    let mut i = 0;
    let newline = |out: &mut Vec<u8>, depth: usize| {
        out.push(b'\n');
        out.resize(out.len() + depth * 2, b' ');
    };
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                out.extend_from_slice(&bytes[start..=i.min(bytes.len() - 1)]);
            }
            b'{' | b'[' => {
                let close = if c == b'{' { b'}' } else { b']' };
                let next = bytes[i + 1..]
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .map(|p| i + 1 + p);
                out.push(c);
                if let Some(n) = next.filter(|&n| bytes[n] == close) {
                    out.push(close);
                    i = n;
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            b',' => {
                out.push(b',');
                newline(&mut out, depth);
            }
            b':' => out.extend_from_slice(b": "),
            c if c.is_ascii_whitespace() => {}
            c => out.push(c),
        }
        i += 1;
    }
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// The parsed JSON value of a body, for `--json` output.
pub fn json_value(view: &BodyView) -> Option<serde_json::Value> {
    match view {
        BodyView::Json { pretty } => serde_json::from_str(pretty).ok(),
        _ => None,
    }
}

fn pretty_xml(text: &str) -> Result<String, (String, usize)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    let mut depth: i64 = 0;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| (e.to_string(), reader.error_position() as usize))?;
        match &event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth -= 1,
            Event::Eof => break,
            _ => {}
        }
        writer
            .write_event(event)
            .map_err(|e| (e.to_string(), reader.buffer_position() as usize))?;
    }
    if depth != 0 {
        return Err(("unclosed element at end of document".into(), text.len()));
    }
    String::from_utf8(writer.into_inner()).map_err(|e| (e.to_string(), 0))
}

fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = &text[..pos.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_pretty_and_errors_have_positions() {
        let v = build_view(
            br#"{"b":1,"a":[1,2]}"#,
            Some("application/problem+json"),
            true,
        );
        assert_eq!(
            v,
            BodyView::Json {
                pretty: "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    2\n  ]\n}".into()
            }
        );
        match build_view(b"{\n  \"a\": tru }", Some("application/json"), true) {
            BodyView::Unparsed { line, format, .. } => {
                assert_eq!(line, 2);
                assert_eq!(format, "JSON");
            }
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn streaming_pretty_json_matches_serde() {
        // Numbers keep the text the server sent (serde would print -1.5e3 as -1500.0).
        for doc in [
            r#"{"a":"x\"}{[,:","b":[],"c":{},"d":[1,{"e":null}],"f":"\\","g":"é ☃","h":-1.5}"#,
            "[ ]",
            " { \"k\" : [ true , false ] } ",
            "\"just a string\"",
            "42",
        ] {
            let v: serde_json::Value = serde_json::from_str(doc).unwrap();
            assert_eq!(
                pretty_json(doc).unwrap(),
                serde_json::to_string_pretty(&v).unwrap(),
                "{doc}"
            );
        }
    }

    #[test]
    fn xml_is_indented_and_broken_xml_is_reported() {
        let v = build_view(b"<a><b>1</b></a>", Some("text/xml"), true);
        assert_eq!(v.text(), "<a>\n  <b>1</b>\n</a>");
        assert_eq!(
            build_view(b"<a><b></a>", Some("application/xml"), true).label(),
            "unparsed"
        );
    }

    #[test]
    fn parse_off_binary_and_charsets() {
        assert_eq!(
            build_view(b"{\"a\":1}", Some("application/json"), false).label(),
            "text"
        );
        assert_eq!(
            build_view(&[0xff, 0xfe, 0x00, 0x01], None, true),
            BodyView::Binary
        );
        assert_eq!(
            build_view(
                &[0x63, 0x61, 0x66, 0xe9],
                Some("text/plain; charset=iso-8859-1"),
                true
            )
            .text(),
            "café"
        );
    }
}
