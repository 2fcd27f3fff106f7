//! What came back from a send: status, headers, body and its parsed view, redirects, TLS facts, timings.

pub use crate::diagnose::fix::Fix;
pub use crate::diagnose::kind::DiagnosisKind;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::body::bodylines::{BodyLines, IndexError};
use crate::budget::{Budget, Stopped};
use crate::keys::certinfo::CertFacts;

/// One send's outcome: a response (possibly counted as an error), or a failure with its explanation.
/// How many response headers are read (hyper's default is 100; curl counts none, only bytes:
/// 20,000 short headers, about 300 KB, pass curl over HTTP/1.1). Under http's HeaderMap limit.
pub const MAX_RESPONSE_HEADERS: usize = 30_000;

/// How large an HTTP/2 header list may be, counted as RFC 9113 does (name + value + 32 a field);
/// HTTP/1.1 heads stop at hyper's buffer, about 400 KiB. curl allows 300 KiB in all.
pub const MAX_HEADER_LIST_BYTES: u32 = 512 * 1024;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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
    /// Why the body stopped early (over the size limit); what was read is kept in `body`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<Diagnosis>,
    /// Where the body was streamed instead of memory (`--output`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved_to: Option<String>,
    /// An event stream read as it arrived: how many events and how it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<crate::body::events::StreamSummary>,
    /// A gRPC call: its status, trailers and message counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc: Option<crate::exchange_grpc::GrpcOutcome>,
}

impl Exchange {
    /// The kind of stream this exchange read (meaningful when `stream` is set).
    pub fn stream_kind(&self) -> crate::body::events::StreamKind {
        use crate::body::events::StreamKind;
        if self.grpc.is_some() {
            StreamKind::GrpcCall
        } else if url::Url::parse(&self.url)
            .is_ok_and(|u| crate::request::websocket::is_websocket(u.scheme()))
        {
            StreamKind::WebSocket
        } else {
            StreamKind::Events
        }
    }
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
    /// The phases, in order; they add up to `total_ms` (within rounding).
    /// Earlier hops of a redirect chain, whole.
    #[serde(default)]
    pub redirects_ms: f64,
    /// Name lookup (0 for an address, a `--resolve` entry, or a reused connection).
    #[serde(default)]
    pub dns_ms: f64,
    /// TCP connect, and the CONNECT tunnel through a proxy.
    #[serde(default)]
    pub connect_ms: f64,
    /// The TLS handshake.
    #[serde(default)]
    pub tls_ms: f64,
    /// Handing the request body to the connection.
    #[serde(default)]
    pub request_ms: f64,
    /// The server's think time: until the first byte of the response head.
    #[serde(default)]
    pub wait_ms: f64,
    /// Reading (and decoding) the body.
    #[serde(default)]
    pub download_ms: f64,
    /// Parsing and indexing the body for display.
    #[serde(default)]
    pub process_ms: f64,
    /// The final request went over a connection made earlier: no DNS, connect or TLS phases.
    #[serde(default)]
    pub reused: bool,
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
    /// Subject of the certificate we presented, if our Certificate message went out.
    pub client_cert_sent: Option<String>,
    /// Subject of the certificate we would have presented, when the handshake stopped first
    /// (the server's certificate was refused).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_cert_withheld: Option<String>,
    /// Which rule accepted the server: "webpki", "pinned self-signed certificate", or "verification off".
    pub verified_by: Option<String>,
    pub verify_error: Option<String>,
    pub unverified: bool,
    /// The server name sent in the ClientHello (none for an IP address).
    #[serde(default)]
    pub sni: Option<String>,
    /// Always false: certbench never resumes, so every connection shows the certificate exchange.
    #[serde(default)]
    pub resumed: bool,
    /// The protocol agreed by ALPN, as the response's HTTP version shows it ("h2", "http/1.1").
    #[serde(default)]
    pub alpn: Option<String>,
    /// The proxy the connection was tunnelled through (credentials hidden).
    #[serde(default)]
    pub proxy: Option<String>,
    /// A certificate of the server's chain that a CRL given lists: when and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<crate::net::revocation::Revoked>,
    /// The OCSP response the server stapled, read (not verified).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocsp: Option<crate::net::ocsp::Stapled>,
}

impl TlsFacts {
    /// The handshake as a short story.
    pub fn story(&self) -> Vec<String> {
        let tls = self;
        let mut lines = Vec::new();
        if let Some(proxy) = &tls.proxy {
            let tunnel = if proxy.starts_with("socks5h://") {
                "a SOCKS5 tunnel, the name resolved by the proxy"
            } else if proxy.starts_with("socks5://") {
                "a SOCKS5 tunnel, the name resolved here"
            } else {
                "a CONNECT tunnel"
            };
            lines.push(format!(
                "through proxy {proxy} ({tunnel}: TLS and the client certificate go end to end to the server, never to the proxy)"
            ));
        }
        // A handshake that failed early has not agreed these yet.
        let not_yet = "not agreed";
        lines.push(format!(
            "{} with {}, cipher {}, key exchange {}",
            tls.version.as_deref().unwrap_or("TLS (version not seen)"),
            tls.server_name,
            tls.cipher.as_deref().unwrap_or(not_yet),
            tls.key_exchange.as_deref().unwrap_or(not_yet)
        ));
        lines.push(format!(
            "SNI {}, {}; full handshake (certbench never resumes a session)",
            tls.sni.as_deref().unwrap_or("not sent (an IP address)"),
            match tls.alpn.as_deref() {
                Some(p) => format!("ALPN {p}"),
                None => "ALPN not seen".into(),
            }
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
        if let Some(o) = &tls.ocsp {
            lines.push(format!(
                "stapled OCSP (read, not verified): {}{}{}{}",
                o.status,
                o.revoked_at
                    .as_deref()
                    .map(|t| format!(" since {t}"))
                    .unwrap_or_default(),
                o.this_update
                    .as_deref()
                    .map(|t| format!(", this update {t}"))
                    .unwrap_or_default(),
                o.next_update
                    .as_deref()
                    .map(|t| format!(", next update {t}"))
                    .unwrap_or_default()
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
            lines.push(match (&tls.client_cert_sent, &tls.client_cert_withheld) {
                (Some(s), _) => format!("we sent: {s}"),
                (None, Some(s)) => format!(
                    "we would have sent: {s} (the handshake stopped before, at the server's certificate)"
                ),
                (None, None) => "we sent no certificate".into(),
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
    pub kind: DiagnosisKind,
    pub message: String,
    pub hint: String,
    /// The fix only the interface can word (a key in the TUI, a flag on the command line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<Fix>,
}

impl Diagnosis {
    pub fn new(
        kind: DiagnosisKind,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Diagnosis {
        Diagnosis {
            kind,
            message: message.into(),
            hint: hint.into(),
            step: None,
        }
    }

    pub fn with_step(mut self, step: Fix) -> Diagnosis {
        self.step = Some(step);
        self
    }

    /// The hint, led by the interface's own words for the fix (`how`).
    pub fn hint_with(&self, how: impl Fn(&Fix) -> String) -> String {
        match &self.step {
            None => self.hint.clone(),
            Some(step) if self.hint.is_empty() => how(step),
            Some(step) => format!("{}; {}", how(step), self.hint),
        }
    }

    /// The diagnosis in one line: the cause, then what to do (worded by `how`) when there is more.
    pub fn line_with(&self, how: impl Fn(&Fix) -> String) -> String {
        let hint = self.hint_with(how);
        if hint.is_empty() {
            self.message.clone()
        } else {
            format!("{} ({hint})", self.message)
        }
    }
}

/// The body as shown: JSON or XML lines with their depths, text lines, binary, or text lines with
/// the reason it did not parse. The lines index the body's own bytes (no pretty copy).
#[derive(Debug, Clone, Default, PartialEq)]
pub enum BodyView {
    #[default]
    Empty,
    Json {
        lines: BodyLines,
    },
    Xml {
        lines: BodyLines,
    },
    Text {
        lines: BodyLines,
    },
    Binary,
    Unparsed {
        lines: BodyLines,
        format: BodyFormat,
        error: String,
        line: usize,
        column: usize,
    },
}

/// The structured formats a body is parsed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    Json,
    Xml,
}

impl std::fmt::Display for BodyFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BodyFormat::Json => "JSON",
            BodyFormat::Xml => "XML",
        })
    }
}

impl BodyView {
    /// The lines shown in the body pane (None for empty and binary bodies).
    pub fn lines(&self) -> Option<&BodyLines> {
        match self {
            BodyView::Json { lines }
            | BodyView::Xml { lines }
            | BodyView::Text { lines }
            | BodyView::Unparsed { lines, .. } => Some(lines),
            BodyView::Empty | BodyView::Binary => None,
        }
    }

    /// The text as shown, indented (a copy: for comparison and tests, not for displays).
    pub fn pretty_text(&self) -> String {
        self.lines().map(BodyLines::to_text).unwrap_or_default()
    }

    /// The body's text as received (after charset decoding).
    pub fn source_text(&self) -> &str {
        self.lines().map_or("", BodyLines::text)
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

/// Decodes the body to text (charset aware) and, when asked, checks JSON or XML and indexes its
/// lines. Stops when the budget runs out.
pub fn build_view(
    body: &Bytes,
    content_type: Option<&str>,
    parse: bool,
    budget: &Budget,
) -> Result<BodyView, Stopped> {
    if body.is_empty() {
        return Ok(BodyView::Empty);
    }
    let ct = content_type.unwrap_or("");
    let kind = media_kind(ct);
    let textual = kind != Kind::Other || ct.trim_start().to_ascii_lowercase().starts_with("text/");
    let Some(text) = decode_text(body, ct, kind == Kind::Json, textual) else {
        return Ok(BodyView::Binary);
    };
    let parsed = match (parse, kind) {
        (true, Kind::Json) => Some((BodyFormat::Json, BodyLines::json(text.clone(), budget))),
        (true, Kind::Xml) => Some((BodyFormat::Xml, BodyLines::xml(text.clone(), budget))),
        _ => None,
    };
    let plain = |text: Bytes| match BodyLines::plain(text, budget) {
        Ok(lines) => Ok(lines),
        Err(IndexError::Stopped(s)) => Err(s),
        Err(IndexError::Syntax(_)) => Ok(BodyLines::default()),
    };
    Ok(match parsed {
        None => BodyView::Text {
            lines: plain(text)?,
        },
        Some((BodyFormat::Json, Ok(lines))) => BodyView::Json { lines },
        Some((BodyFormat::Xml, Ok(lines))) => BodyView::Xml { lines },
        Some((_, Err(IndexError::Stopped(s)))) => return Err(s),
        Some((format, Err(IndexError::Syntax(e)))) => {
            let (line, column) = line_col(&text, e.offset);
            BodyView::Unparsed {
                lines: plain(text)?,
                format,
                error: e.message,
                line,
                column,
            }
        }
    })
}

/// The body as UTF-8 text, shared when it already is: a byte-order mark (for text types), then
/// the charset parameter, then (for JSON) the zero-byte pattern of UTF-16 decide. None for binary.
fn decode_text(body: &Bytes, content_type: &str, json: bool, textual: bool) -> Option<Bytes> {
    let charset = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("charset="))
        .next()
        .map(|c| c.trim_matches('"').to_ascii_lowercase());
    let declared = charset
        .and_then(|cs| encoding_rs::Encoding::for_label(cs.as_bytes()))
        .filter(|e| *e != encoding_rs::UTF_8);
    let sniffed = || match body.as_ref() {
        [0, a, ..] if json && *a != 0 => Some(encoding_rs::UTF_16BE),
        [a, 0, b, ..] if json && *a != 0 && *b != 0 => Some(encoding_rs::UTF_16LE),
        [a, 0] if json && *a != 0 => Some(encoding_rs::UTF_16LE),
        _ => None,
    };
    let encoding = encoding_rs::Encoding::for_bom(body)
        .map(|(e, _)| e)
        .filter(|e| textual || *e == encoding_rs::UTF_8)
        .or(declared)
        .or_else(sniffed);
    if let Some(enc) = encoding.filter(|e| *e != encoding_rs::UTF_8) {
        let (text, _, _) = enc.decode(body);
        return Some(Bytes::from(text.into_owned()));
    }
    let text = std::str::from_utf8(body).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\0') {
        return None;
    }
    Some(body.slice_ref(text.as_bytes()))
}

fn line_col(text: &[u8], pos: usize) -> (usize, usize) {
    let before = &text[..pos.min(text.len())];
    let line = before.iter().filter(|c| **c == b'\n').count() + 1;
    let last = before
        .iter()
        .rposition(|c| *c == b'\n')
        .map_or(before, |p| &before[p + 1..]);
    let column = String::from_utf8_lossy(last).chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(body: &[u8], ct: &str, parse: bool) -> BodyView {
        build_view(
            &Bytes::copy_from_slice(body),
            Some(ct),
            parse,
            &Budget::unlimited(),
        )
        .unwrap()
    }

    #[test]
    fn json_is_pretty_and_errors_have_positions() {
        let v = view(br#"{"b":1,"a":[1,2]}"#, "application/problem+json", true);
        assert_eq!(v.label(), "json");
        assert_eq!(
            v.pretty_text(),
            "{\n  \"b\": 1,\n  \"a\": [\n    1,\n    2\n  ]\n}"
        );
        match view(b"{\n  \"a\": tru }", "application/json", true) {
            BodyView::Unparsed {
                line,
                column,
                format,
                ..
            } => {
                assert_eq!((line, column), (2, 8));
                assert_eq!(format, BodyFormat::Json);
            }
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn xml_is_indented_and_broken_xml_is_reported() {
        let v = view(b"<a><b>1</b></a>", "text/xml", true);
        assert_eq!(v.pretty_text(), "<a>\n  <b>1</b>\n</a>");
        assert_eq!(
            view(b"<a><b></a>", "application/xml", true).label(),
            "unparsed"
        );
    }

    #[test]
    fn parse_off_binary_and_charsets() {
        assert_eq!(
            view(b"{\"a\":1}", "application/json", false).label(),
            "text"
        );
        assert_eq!(view(&[0xff, 0xfe, 0x00, 0x01], "", true), BodyView::Binary);
        assert_eq!(
            view(
                &[0x63, 0x61, 0x66, 0xe9],
                "text/plain; charset=iso-8859-1",
                true
            )
            .pretty_text(),
            "café"
        );
    }

    #[test]
    fn utf16_json_is_decoded_with_or_without_a_bom() {
        let utf16 = |be: bool, bom: bool| {
            let mut out: Vec<u8> = Vec::new();
            let text = if bom {
                "\u{feff}{\"k\":\"é\"}"
            } else {
                "{\"k\":\"é\"}"
            };
            for u in text.encode_utf16() {
                out.extend(if be { u.to_be_bytes() } else { u.to_le_bytes() });
            }
            out
        };
        for (be, bom) in [(true, true), (false, true), (true, false), (false, false)] {
            let v = view(&utf16(be, bom), "application/json", true);
            assert_eq!(v.label(), "json", "be {be} bom {bom}");
            assert_eq!(v.source_text(), "{\"k\":\"é\"}", "be {be} bom {bom}");
        }
    }

    #[test]
    fn the_view_shares_the_body_bytes() {
        let body = Bytes::from(vec![b'1'; 4096]);
        let v = build_view(&body, Some("application/json"), true, &Budget::unlimited()).unwrap();
        assert_eq!(
            v.lines().unwrap().bytes().as_ptr(),
            body.as_ptr(),
            "a UTF-8 body is indexed in place, not copied"
        );
    }
}
