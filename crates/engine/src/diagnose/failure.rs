//! What a send that got no response leaves behind: the failure, the probe, the error chain.

use crate::diagnose::fix::Fix;
use serde::{Deserialize, Serialize};

use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::{Diagnosis, Hop, TlsFacts};

/// A send that produced no response, with everything learnt on the way and the explanation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Failure {
    pub diagnosis: Diagnosis,
    /// The library's error chain, outermost first (the "raw" view).
    pub chain: Vec<String>,
    #[serde(skip)]
    pub rustls_error: Option<rustls::Error>,
    #[serde(skip)]
    pub io_kind: Option<std::io::ErrorKind>,
    /// The resolver found no address for the host (a `NameNotResolved` in the chain).
    #[serde(skip)]
    pub unresolved: bool,
    #[serde(skip)]
    pub from_transport: bool,
    #[serde(skip)]
    pub needs_probe: bool,
    pub probe: Option<Probe>,
    pub tls: Option<TlsFacts>,
    pub redirects: Vec<Hop>,
    pub partial_body: Option<usize>,
    pub warnings: Vec<Diagnosis>,
    /// The HTTP proxy the connection went through (credentials hidden), if any.
    #[serde(default)]
    pub proxy: Option<String>,
}

/// What a bare handshake (plus the one read TLS 1.3 needs to hear a rejection) showed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Probe {
    pub handshake_ok: bool,
    pub accepted: bool,
    pub error: Option<String>,
    #[serde(skip)]
    pub rustls_error: Option<rustls::Error>,
    /// How the connection failed before TLS, as the socket or the resolver said it.
    #[serde(skip)]
    pub io_kind: Option<std::io::ErrorKind>,
    #[serde(skip)]
    pub unresolved: bool,
    /// The server's answer to the probe's request, when it asked one and one came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<HttpAnswer>,
}

/// The start of the body an answer is judged by (an error page names its cause early).
pub const HTTP_ANSWER_BODY: usize = 4096;

/// An HTTP answer as the probe read it: the status and the start of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpAnswer {
    pub status: u16,
    pub reason: String,
    /// At most [`HTTP_ANSWER_BODY`] bytes of the body, as text.
    pub body: String,
}

impl HttpAnswer {
    /// Reads a status line and the body after the head; None when it is not HTTP/1.x.
    pub fn parse(answer: &[u8]) -> Option<HttpAnswer> {
        let end = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&answer[..end]);
        let line = head.lines().next()?;
        let mut words = line.splitn(3, ' ');
        if !words.next()?.starts_with("HTTP/1.") {
            return None;
        }
        let status = words.next()?.parse().ok()?;
        let body = &answer[end + 4..];
        Some(HttpAnswer {
            status,
            reason: words.next().unwrap_or_default().to_string(),
            body: String::from_utf8_lossy(&body[..body.len().min(HTTP_ANSWER_BODY)]).into_owned(),
        })
    }
}

impl Failure {
    pub fn plain(diagnosis: Diagnosis) -> Failure {
        Failure {
            diagnosis,
            chain: Vec::new(),
            rustls_error: None,
            io_kind: None,
            unresolved: false,
            from_transport: false,
            needs_probe: false,
            probe: None,
            tls: None,
            redirects: Vec::new(),
            partial_body: None,
            warnings: Vec::new(),
            proxy: None,
        }
    }

    pub fn from_reqwest(err: reqwest::Error, hops: &[Hop]) -> Failure {
        if out_of_handles(&err) {
            let mut f = Failure::plain(Diagnosis::new(
                DiagnosisKind::OutOfFileHandles,
                "this machine ran out of file handles (too many open files) before the connection was made: nothing reached the server",
                "or raise the limit (ulimit -n)",
            ).with_step(Fix::SendFewerAtOnce));
            f.chain = error_chain(&err);
            f.redirects = hops.to_vec();
            return f;
        }
        let chain = error_chain(&err);
        let rustls_error = find_rustls_error(&err);
        let io_kind = find_io_kind(&err);
        let timeout = err.is_timeout();
        let mut f = Failure::plain(Diagnosis::new(
            if timeout {
                DiagnosisKind::Timeout
            } else {
                DiagnosisKind::Transport
            },
            chain.join(": "),
            "",
        ));
        f.needs_probe = rustls_error.is_none()
            && !timeout
            && io_kind != Some(std::io::ErrorKind::ConnectionRefused);
        f.from_transport = true;
        f.chain = chain;
        f.rustls_error = rustls_error;
        f.io_kind = io_kind;
        f.unresolved = find_unresolved(&err);
        f.redirects = hops.to_vec();
        f
    }
}

pub(super) fn error_chain(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let text = e.to_string();
        if out.last() != Some(&text) {
            out.push(text);
        }
        cur = match e.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static))
                .or_else(|| e.source()),
            None => e.source(),
        };
    }
    out
}

/// Walks the chain, descending into io::Error's payload (which `source()` skips), to the rustls error.
pub fn find_rustls_error(err: &(dyn std::error::Error + 'static)) -> Option<rustls::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(r) = e.downcast_ref::<rustls::Error>() {
            return Some(r.clone());
        }
        cur = match e.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static))
                .or_else(|| e.source()),
            None => e.source(),
        };
    }
    None
}

pub(super) fn find_io_kind(err: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    find_io(err).map(std::io::Error::kind)
}

/// Whether certbench's resolver said the name does not resolve, anywhere in the chain.
pub(super) fn find_unresolved(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if e.is::<crate::cause::NameNotResolved>() {
            return true;
        }
        cur = e.source();
    }
    false
}

/// The first I/O error in the chain.
pub(super) fn find_io<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a std::io::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        cur = e.source();
    }
    None
}

/// This machine ran out of file handles (EMFILE for the process, ENFILE for the system): the
/// connection never left, whatever else the chain says.
pub(super) fn out_of_handles(err: &(dyn std::error::Error + 'static)) -> bool {
    find_io(err)
        .and_then(std::io::Error::raw_os_error)
        .is_some_and(|n| n == libc::EMFILE || n == libc::ENFILE)
}
