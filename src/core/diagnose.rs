//! TLS and transport failures -> a plain cause and a fix; preflight and after-response checks.

use super::kind::DiagnosisKind;

use rustls::{AlertDescription, CertificateError};
use serde::{Deserialize, Serialize};
use url::Url;

use super::certinfo::Validity;
use super::exchange::{Diagnosis, Exchange, Hop, NextStep, TlsFacts};
use super::handshake::PinMismatch;
pub use super::keyfault::Credential;
use super::keyfault::key_fault;
use super::keystore::{Entry, KeyError};
use super::prepare::PreparedRequest;
use super::token::TokenError;

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
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Probe {
    pub handshake_ok: bool,
    pub accepted: bool,
    pub error: Option<String>,
    #[serde(skip)]
    pub rustls_error: Option<rustls::Error>,
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
                "send fewer at once (a lower --jobs) or raise the limit (ulimit -n)",
            ));
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
        f.redirects = hops.to_vec();
        f
    }
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> Vec<String> {
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

fn find_io_kind(err: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    find_io(err).map(std::io::Error::kind)
}

/// The first I/O error in the chain.
fn find_io<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
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
fn out_of_handles(err: &(dyn std::error::Error + 'static)) -> bool {
    find_io(err)
        .and_then(std::io::Error::raw_os_error)
        .is_some_and(|n| n == libc::EMFILE || n == libc::ENFILE)
}

pub fn key_failure(e: &KeyError) -> Diagnosis {
    if let KeyError::Token(t) = e {
        return token_failure(t);
    }
    let kind = match e {
        KeyError::NotFound {
            entry: Entry::Key, ..
        } => DiagnosisKind::CredentialMissing,
        KeyError::NotFound { .. } => DiagnosisKind::TrustMissing,
        _ => DiagnosisKind::InvalidCredential,
    };
    Diagnosis::new(
        kind,
        e.to_string(),
        "see `certbench keys list` and `certbench trust list`",
    )
}

/// Checks before sending; a warning never blocks the send.
pub fn preflight(req: &PreparedRequest, credential: Option<&Credential<'_>>) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    let Some(cred) = credential else {
        return out;
    };
    let leaf = cred.leaf;
    let name = cred.name;
    if !req.mutual_tls {
        out.push(Diagnosis::new(
            DiagnosisKind::MtlsOff,
            format!("key {name} is selected but Use Mutual TLS is off, so no client certificate will be offered"),
            "turn Use Mutual TLS on (options.mutual_tls = true, or drop --no-mtls) if the server needs it",
        ));
    }
    match leaf.validity() {
        Validity::Expired { .. } => out.push(Diagnosis::new(
            DiagnosisKind::CredentialExpired,
            format!(
                "our certificate (key {name}, CN={}) expired on {}",
                leaf.subject_cn, leaf.not_after
            ),
            "import a renewed certificate; most servers will reject this one",
        )),
        Validity::NotYetValid => out.push(Diagnosis::new(
            DiagnosisKind::CredentialNotYetValid,
            format!(
                "our certificate (key {name}) is not valid before {}",
                leaf.not_before
            ),
            "check this machine's clock, or wait until the certificate starts",
        )),
        Validity::Expiring { days_left } => out.push(Diagnosis::new(
            DiagnosisKind::CredentialExpiring,
            format!(
                "our certificate (key {name}) expires in {days_left} days ({})",
                leaf.not_after
            ),
            "ask for a renewed certificate soon",
        )),
        Validity::Valid { .. } => {}
    }
    if let Some(bits) = leaf.rsa_bits.filter(|_| leaf.weak_key()) {
        out.push(Diagnosis::new(
            DiagnosisKind::CredentialWeakKey,
            format!("our key {name} is RSA {bits}: under the 2048-bit minimum, breakable today, and refused by many servers"),
            "ask the issuer for a certificate on an RSA 2048+ or ECDSA key; certbench still sends with this one",
        ));
    }
    if leaf.client_auth == Some(false) {
        out.push(Diagnosis::new(
            DiagnosisKind::CredentialNotClientAuth,
            format!("our certificate (key {name}) does not allow TLS client authentication (its extended key usage lacks clientAuth)"),
            "servers that check key usage will reject it: ask for a certificate issued for client authentication",
        ));
    }
    if req.url.starts_with("http://") && req.mutual_tls {
        out.push(Diagnosis::new(
            DiagnosisKind::HttpWithCredential,
            "the URL is http://, so the client certificate is never used",
            "use https:// to authenticate with the certificate",
        ));
    }
    out
}

/// Warnings learnt from a response: the server's accepted CAs, nginx-style 400s, no verification.
pub fn after_response(
    req: &PreparedRequest,
    ex: &Exchange,
    credential: Option<&Credential<'_>>,
) -> Vec<Diagnosis> {
    let mut out = Vec::new();
    if let Some(tls) = &ex.tls {
        if tls.unverified {
            out.push(Diagnosis::new(
                DiagnosisKind::Unverified,
                "UNVERIFIED: the server's certificate was not checked",
                "turn certificate verification back on when you are done",
            ));
        }
        if let Some(cred) = credential
            && let Some(w) = ca_mismatch(tls, cred)
        {
            out.push(w);
        }
    }
    if ex.status == 403 && !ex.tls.as_ref().is_some_and(|t| t.client_cert_requested) {
        let body = String::from_utf8_lossy(&ex.body[..ex.body.len().min(4096)]).to_lowercase();
        if body.contains("post-handshake authentication") {
            out.push(post_handshake(
                &host_of(&req.url),
                "answered 403 because it wanted a client certificate through TLS 1.3 post-handshake authentication",
                credential.map(|c| c.name),
            ));
        }
    }
    if let (Some(tls), Some(c)) = (&ex.tls, credential)
        && req.mutual_tls
        && !tls.client_cert_requested
        && !out
            .iter()
            .any(|w| w.kind == DiagnosisKind::ClientCertPostHandshake)
    {
        out.push(Diagnosis::new(
            DiagnosisKind::ClientCertNotRequested,
            format!(
                "{} never asked for a client certificate: key {} was not sent, so this answer says nothing about it",
                host_of(&ex.url),
                c.name
            ),
            "check the URL (the port or virtual host that requires client certificates), or ask the API owner",
        ));
    }
    let body = String::from_utf8_lossy(&ex.body[..ex.body.len().min(HTTP_ANSWER_BODY)]);
    out.extend(http_rejection(
        ex.status,
        &body,
        req,
        credential,
        ex.tls.as_ref(),
    ));
    out
}

/// A refusal of our certificate said at the HTTP level after a completed handshake: nginx's
/// 400 pages (and its 495/496), or a 403/421 whose page speaks of certificates or TLS.
pub fn http_rejection(
    status: u16,
    body: &str,
    req: &PreparedRequest,
    credential: Option<&Credential<'_>>,
    tls: Option<&TlsFacts>,
) -> Option<Diagnosis> {
    let lower = body.to_lowercase();
    if (status == 400 && lower.contains("no required ssl certificate was sent")) || status == 496 {
        return Some(missing_cert(
            req,
            credential.map(|c| c.name),
            DiagnosisKind::HttpClientCertMissing,
            "the server answered at the HTTP level that no client certificate was sent (as nginx does)",
        ));
    }
    if (status == 400 && lower.contains("ssl certificate error")) || status == 495 {
        return Some(http_cert_rejected(credential, tls));
    }
    let speaks_of_tls = ["certificate", "ssl", "tls", "mtls"]
        .iter()
        .any(|w| lower.contains(w));
    if matches!(status, 403 | 421) && speaks_of_tls && tls.is_some_and(|t| t.client_cert_requested)
    {
        let words = page_words(body);
        let fault = credential.and_then(|c| key_fault(c, tls).map(|f| (c, f)));
        return Some(match fault {
            Some((c, fault)) => Diagnosis::new(
                DiagnosisKind::HttpClientCertRejected,
                format!(
                    "the server answered {status} and says \"{words}\": {}",
                    fault.words(c.name)
                ),
                fault.fix(),
            ),
            None => Diagnosis::new(
                DiagnosisKind::HttpClientCertRejected,
                format!("the server answered {status} and says \"{words}\""),
                "ask the API owner which certificates this path accepts (`certbench keys show NAME` gives yours)",
            ),
        });
    }
    None
}

/// The readable text of an error page (tags dropped, spaces folded), at most 200 characters.
fn page_words(body: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag && !c.is_control() => text.push(c),
            _ if !in_tag => text.push(' '),
            _ => {}
        }
    }
    let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
    folded.chars().take(200).collect()
}

/// The server presents a CA certificate (CA:TRUE) as its own, as a self-signed one often does.
fn ca_as_server(host: &str) -> Diagnosis {
    Diagnosis::new(
        DiagnosisKind::ServerCertUntrusted,
        format!(
            "the server's certificate for {host} is a CA certificate (CA:TRUE) presented as the server's own, as a self-signed certificate often is"
        ),
        "`certbench trust add NAME FILE` pins that exact certificate (certbench accepts an exactly pinned self-signed certificate); or ask the server's owner for a certificate issued by a CA",
    )
}

/// The server said at the HTTP level that it could not verify our certificate (nginx's 400 "The
/// SSL certificate error"): a fault of the key that certbench sees itself is named first.
pub(crate) fn http_cert_rejected(
    credential: Option<&Credential<'_>>,
    tls: Option<&TlsFacts>,
) -> Diagnosis {
    let said = "the server answered at the HTTP level that it could not verify";
    match credential {
        Some(c) => match key_fault(c, tls) {
            Some(fault) => Diagnosis::new(
                DiagnosisKind::HttpClientCertRejected,
                format!("{said} key {}: {}", c.name, fault.words(c.name)),
                fault.fix(),
            ),
            None => Diagnosis::new(
                DiagnosisKind::HttpClientCertRejected,
                format!(
                    "{said} key {} (CN={}, issued by {}); its dates and usage are fine{}",
                    c.name,
                    c.leaf.subject_cn,
                    c.leaf.issuer_cn,
                    if tls.is_some_and(|t| !t.acceptable_ca_names.is_empty()) {
                        " and its issuer is among the CAs the server listed"
                    } else {
                        ", and the server did not list the CAs it accepts"
                    }
                ),
                "ask the API owner which CA they trust for clients, and compare with `certbench keys show`",
            ),
        },
        None => Diagnosis::new(
            DiagnosisKind::HttpClientCertRejected,
            format!("{said} our certificate"),
            "ask the API owner which CA they trust for clients",
        ),
    }
}

pub(crate) fn host_of(url: &str) -> String {
    Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default()
}

/// A server that asks for the certificate only after the handshake (per-location client auth).
pub fn post_handshake(host: &str, what: &str, key: Option<&str>) -> Diagnosis {
    let key = key
        .map(|k| format!(" key {k} was never sent:"))
        .unwrap_or_default();
    Diagnosis::new(
        DiagnosisKind::ClientCertPostHandshake,
        format!(
            "{host} {what};{key} certbench (rustls) cannot answer a certificate request after the handshake (neither TLS 1.3 post-handshake authentication nor TLS 1.2 renegotiation)"
        ),
        "the fix is on the server: require the client certificate for the whole virtual host (Apache: `SSLVerifyClient require` at server or <VirtualHost> level, not inside <Location> or <Directory>)",
    )
}

pub(crate) fn ca_mismatch(tls: &TlsFacts, cred: &Credential<'_>) -> Option<Diagnosis> {
    if !tls.client_cert_requested || tls.acceptable_ca_names.is_empty() {
        return None;
    }
    let ours = [&cred.leaf.issuer, &cred.leaf.subject];
    if tls.acceptable_ca_names.iter().any(|n| ours.contains(&n)) {
        return None;
    }
    if cred.chain_len > 1 {
        return None;
    }
    Some(Diagnosis::new(
        DiagnosisKind::ClientCaNotListed,
        format!(
            "the server asked for a certificate issued by {}, but key {} is issued by {}",
            tls.acceptable_ca_names.join(" or "),
            cred.name,
            cred.leaf.issuer
        ),
        "if that issuer is an intermediate under one of those CAs, re-import the key with its full chain; otherwise use a key from one of those CAs",
    ))
}

fn missing_cert(
    req: &PreparedRequest,
    credential: Option<&str>,
    kind: DiagnosisKind,
    what: &str,
) -> Diagnosis {
    match (credential.or(req.credential.as_deref()), req.mutual_tls) {
        (Some(name), false) => Diagnosis::new(
            kind,
            format!("{what}: key {name} is selected but Use Mutual TLS is off"),
            "turn Use Mutual TLS on (options.mutual_tls = true, or drop --no-mtls)",
        ),
        (Some(name), true) => Diagnosis::new(
            kind,
            format!("{what}, although key {name} was offered"),
            "check that the server accepts this key's issuer (`certbench keys check`)",
        ),
        (None, _) => Diagnosis::new(
            kind,
            format!("{what}: no credential key is selected"),
            "credential = \"NAME\" in the profile does the same",
        )
        .with_step(NextStep::PickKey),
    }
}

/// Turns a failure into its cause and fix.
pub fn explain(
    f: &Failure,
    req: &PreparedRequest,
    credential: Option<&Credential<'_>>,
) -> Diagnosis {
    if !f.from_transport {
        return f.diagnosis.clone();
    }
    if f.diagnosis.kind == DiagnosisKind::Timeout {
        return timeout_diagnosis(req);
    }
    let failing = failing_url(f, req);
    let url = Url::parse(failing).ok();
    let host = host_of(failing);
    let port = url
        .as_ref()
        .and_then(Url::port_or_known_default)
        .unwrap_or(443);
    if let Some(proxy) = &f.proxy
        && let Some(d) = explain_proxy(f, proxy, &host, port)
    {
        return d;
    }
    let rustls_err = f
        .rustls_error
        .clone()
        .or_else(|| f.probe.as_ref().and_then(|p| p.rustls_error.clone()));
    if let Some(e) = rustls_err {
        return explain_tls(&e, f.tls.as_ref(), req, credential, &host);
    }
    if f.chain.iter().any(|c| headers_too_large(c)) {
        return Diagnosis::new(
            DiagnosisKind::ResponseHeadersTooLarge,
            format!(
                "the response from {host}:{port} has more header data than certbench reads at most ({} headers, {} KiB over HTTP/2; curl stops at 300 KiB)",
                super::exchange::MAX_RESPONSE_HEADERS,
                super::exchange::MAX_HEADER_LIST_BYTES / 1024
            ),
            "the server sends unusually many or large headers: ask its owner which ones, or look with `curl -sI`",
        );
    }
    if f.chain
        .iter()
        .any(|c| c.contains("stream error detected: unspecific protocol error"))
    {
        return Diagnosis::new(
            DiagnosisKind::Http2ProtocolError,
            format!(
                "certbench refused the HTTP/2 response from {host}:{port} as malformed (PROTOCOL_ERROR, detected here, not sent by the server); the usual cause is a header list over the {} KiB certbench reads",
                super::exchange::MAX_HEADER_LIST_BYTES / 1024
            ),
            "compare with `curl -sI --http2 URL`: look for very many or very large headers",
        );
    }
    if f.probe.as_ref().is_some_and(|p| p.accepted) && f.io_kind.is_none() {
        return Diagnosis::new(
            DiagnosisKind::ConnectionClosed,
            format!(
                "the connection to {host}:{port} closed before a response ({})",
                f.chain.last().cloned().unwrap_or_default()
            ),
            "the TLS handshake works (probe accepted): look at the server's logs",
        );
    }
    match f.io_kind {
        Some(std::io::ErrorKind::ConnectionRefused) => Diagnosis::new(
            DiagnosisKind::ConnectionRefused,
            format!("nothing accepts connections at {host}:{port} (connection refused)"),
            "check the host and port in the URL, and that the server is running",
        ),
        _ if f
            .chain
            .iter()
            .any(|c| c.contains("dns error") || c.contains("failed to lookup")) =>
        {
            Diagnosis::new(
                DiagnosisKind::Dns,
                format!("the name {host} does not resolve"),
                "check the host name in the URL (and vars), or this machine's DNS",
            )
        }
        _ if f.tls.as_ref().is_some_and(|t| t.client_cert_requested) => {
            let tls = f.tls.as_ref().expect("checked above");
            let fault = credential.and_then(|c| key_fault(c, Some(tls)).map(|k| (c, k)));
            match (&tls.client_cert_sent, fault) {
                (Some(s), Some((c, fault))) => Diagnosis::new(
                    DiagnosisKind::ClientCertRejected,
                    format!(
                        "the server asked for a client certificate, we sent {s}, and it closed the connection: {}",
                        fault.words(c.name)
                    ),
                    fault.fix(),
                ),
                // No alert and nothing wrong with the key: a silent refusal and a server that
                // failed look the same from here, so no verdict on the key is given.
                (Some(s), None) => Diagnosis::new(
                    DiagnosisKind::ConnectionClosed,
                    format!("the server asked for a client certificate, we sent {s}, and the connection closed without an alert or an answer; nothing in the key's dates, usage or issuer explains a refusal, so the server may have failed"),
                    "look at the server's logs, or ask the API owner what it logged for this connection",
                )
                .with_step(NextStep::CheckKey),
                (None, _) => Diagnosis::new(
                    DiagnosisKind::ClientCertRejected,
                    "the server asked for a client certificate, we sent none, and it closed the connection",
                    "",
                )
                .with_step(NextStep::PickKey),
            }
        }
        _ => Diagnosis::new(
            DiagnosisKind::ConnectionClosed,
            format!(
                "the connection to {host}:{port} failed: {}",
                f.chain.last().cloned().unwrap_or_default()
            ),
            "check the server's logs",
        )
        .with_step(NextStep::RawErrorChain),
    }
}

/// The URL whose request failed: the last redirect's target, else the request's own.
pub fn failing_url<'a>(f: &'a Failure, req: &'a PreparedRequest) -> &'a str {
    f.redirects
        .last()
        .map_or(req.url.as_str(), |hop| hop.location.as_str())
}

/// hyper's and h2's words for a response head over the limits set on the client.
fn headers_too_large(cause: &str) -> bool {
    cause.contains("message head is too large")
        || cause.contains("header compression context")
        || cause.contains("header list size")
}

/// A redirect to something that is not HTTP: a file on this machine, inline data, or another scheme.
pub fn redirect_not_http(status: u16, to: &Url) -> Diagnosis {
    let shown: String = to.as_str().chars().take(80).collect();
    let what = match to.scheme() {
        "file" => "a file on this machine",
        "data" => "inline data",
        _ => "a URL that is not http or https",
    };
    Diagnosis::new(
        DiagnosisKind::RedirectNotHttp,
        format!(
            "the server redirected ({status}) to {what} ({shown}); certbench follows only http and https redirects"
        ),
        "turn off Follow redirects to see the redirect itself, or ask the server's owner about its Location",
    )
}

/// A token failure in one line: the cause, then what to do when there is more to say.
pub fn token_line(e: &TokenError) -> String {
    let d = token_failure(e);
    if d.hint.is_empty() {
        d.message
    } else {
        format!("{} ({})", d.message, d.hint)
    }
}

/// A key on a token that cannot be used: its own kind, and what to do.
pub fn token_failure(t: &TokenError) -> Diagnosis {
    use crate::core::token::TokenProblem as P;
    let (kind, hint) = match t.problem {
        P::ModuleMissing => (
            DiagnosisKind::TokenModuleMissing,
            "install the token's PKCS#11 module, or point --module / CERTBENCH_PKCS11_MODULE at it",
        ),
        P::TokenNotFound => (
            DiagnosisKind::TokenNotFound,
            "insert the token; `p11tool --list-tokens` shows the labels",
        ),
        P::PinNeeded => (
            DiagnosisKind::TokenPinNeeded,
            "give the PIN with --pin-env VAR or --pin-file FILE (in the TUI it is asked for)",
        ),
        P::PinWrong => (
            DiagnosisKind::TokenPinWrong,
            "check the PIN: each wrong try counts towards locking the token",
        ),
        P::PinLocked => (
            DiagnosisKind::TokenLocked,
            "unlock the token with its PUK or SO PIN (its vendor's tool)",
        ),
        P::Removed => (
            DiagnosisKind::TokenRemoved,
            "insert the token and send again",
        ),
        P::KeyNotFound => (
            DiagnosisKind::TokenKeyNotFound,
            "check the key's label or id: `p11tool --list-privkeys --login`",
        ),
        // The message says what the URI lacks and what to write.
        P::BadUri => (DiagnosisKind::InvalidCredential, ""),
        P::CannotSign | P::Other => (
            DiagnosisKind::TokenCannotSign,
            "check that the key may sign (CKA_SIGN) and that the token offers RSA or ECDSA signing",
        ),
    };
    Diagnosis::new(kind, t.message.clone(), hint)
}

fn explain_tls(
    e: &rustls::Error,
    tls: Option<&TlsFacts>,
    req: &PreparedRequest,
    cred: Option<&Credential<'_>>,
    host: &str,
) -> Diagnosis {
    use rustls::Error as E;
    let accepted = |t: Option<&TlsFacts>| -> String {
        match t {
            Some(t) if !t.acceptable_ca_names.is_empty() => format!(
                "the server accepts certificates issued by: {}",
                t.acceptable_ca_names.join("; ")
            ),
            _ => "the server did not say which issuers it accepts".into(),
        }
    };
    let ours = cred
        .map(|c| {
            format!(
                "key {} (CN={}, issued by {})",
                c.name, c.leaf.subject_cn, c.leaf.issuer
            )
        })
        .unwrap_or_else(|| "our certificate".into());
    if let E::Other(other) = e
        && let Some(t) = other.0.downcast_ref::<TokenError>()
    {
        return token_failure(t);
    }
    match e {
        E::AlertReceived(AlertDescription::CertificateRequired) => missing_cert(
            req,
            cred.map(|c| c.name),
            DiagnosisKind::ClientCertRequired,
            "the server requires a client certificate and none was sent",
        ),
        E::AlertReceived(AlertDescription::HandshakeFailure)
            if tls.is_some_and(|t| t.client_cert_requested && t.client_cert_sent.is_none()) =>
        {
            missing_cert(
                req,
                cred.map(|c| c.name),
                DiagnosisKind::ClientCertRequired,
                "the server requires a client certificate and none was sent (TLS 1.2 handshake_failure)",
            )
        }
        E::AlertReceived(AlertDescription::UnknownCA) => {
            let lone_leaf = cred
                .filter(|c| c.chain_len == 1 && !c.leaf.self_signed)
                .map(|c| c.leaf.issuer_cn.clone());
            if let Some(issuer) =
                lone_leaf.filter(|_| tls.is_some_and(|t| !t.acceptable_ca_names.is_empty()))
            {
                return Diagnosis::new(
                    DiagnosisKind::ClientCertUnknownCa,
                    format!(
                        "the server rejected {ours}: it does not know that issuer (unknown_ca); {}. The key holds no intermediate certificate: if {issuer} is an intermediate under one of those CAs, the server cannot link it",
                        accepted(tls)
                    ),
                    "re-import the key with its chain (PEM with the leaf then its intermediates, or a .p12 that includes them); otherwise use a key issued by one of those CAs",
                );
            }
            Diagnosis::new(
                DiagnosisKind::ClientCertUnknownCa,
                format!(
                    "the server rejected {ours}: it does not know that issuer (unknown_ca); {}",
                    accepted(tls)
                ),
                "use a key issued by one of those CAs, or send your chain (`certbench keys export NAME`) to the API owner for their trust store",
            )
        }
        E::AlertReceived(AlertDescription::BadCertificate)
        | E::AlertReceived(AlertDescription::UnsupportedCertificate) => {
            let usage = cred
                .filter(|c| c.leaf.client_auth == Some(false))
                .map(|_| " (note: it lacks the clientAuth usage)")
                .unwrap_or("");
            Diagnosis::new(
                DiagnosisKind::ClientCertBad,
                format!("the server rejected {ours} as a bad certificate{usage}"),
                "ask the API owner what they require; check `certbench keys show NAME`",
            )
        }
        E::AlertReceived(AlertDescription::CertificateExpired) => {
            let when = cred.map(|c| match c.leaf.validity() {
                Validity::Expired { .. } => {
                    format!("key {} expired on {}", c.name, c.leaf.not_after)
                }
                _ => format!(
                    "by this machine's clock key {} is valid until {}: check the server's clock",
                    c.name, c.leaf.not_after
                ),
            });
            Diagnosis::new(
                DiagnosisKind::ClientCertExpired,
                format!(
                    "the server says OUR certificate has expired; {}",
                    when.unwrap_or_default()
                ),
                "import a renewed certificate for this API",
            )
        }
        E::AlertReceived(AlertDescription::CertificateRevoked) => Diagnosis::new(
            DiagnosisKind::ClientCertRevoked,
            format!("the server says {ours} has been revoked"),
            "ask the issuer for a new certificate",
        ),
        E::AlertReceived(AlertDescription::CertificateUnknown)
        | E::AlertReceived(AlertDescription::AccessDenied) => {
            match cred.and_then(|c| key_fault(c, tls).map(|f| (c, f))) {
                Some((c, fault)) => Diagnosis::new(
                    DiagnosisKind::ClientCertRejected,
                    format!(
                        "the server refused {ours} ({}): {}",
                        super::tlswords::error_words(e),
                        fault.words(c.name)
                    ),
                    fault.fix(),
                ),
                None => Diagnosis::new(
                    DiagnosisKind::ClientCertRejected,
                    format!(
                        "the server refused {ours} ({}); {}",
                        super::tlswords::error_words(e),
                        accepted(tls)
                    ),
                    "nothing about the key itself explains it: ask the API owner to allowlist your certificate (`certbench keys export NAME`)",
                ),
            }
        }
        E::AlertReceived(AlertDescription::ProtocolVersion) => Diagnosis::new(
            DiagnosisKind::ProtocolMismatch,
            format!("{host} and certbench share no TLS version (we offer TLS 1.2 and 1.3)"),
            "the server needs an older TLS version that certbench will not use; ask for TLS 1.2+",
        ),
        E::AlertReceived(AlertDescription::HandshakeFailure)
            if tls.is_some_and(|t| t.version.is_some() && !t.client_cert_requested) =>
        {
            post_handshake(
                host,
                "completed the handshake without asking for a certificate, then asked for one through TLS 1.2 renegotiation and failed it",
                cred.map(|c| c.name),
            )
        }
        E::AlertReceived(AlertDescription::HandshakeFailure)
        | E::AlertReceived(AlertDescription::InsufficientSecurity)
        | E::PeerIncompatible(_) => Diagnosis::new(
            DiagnosisKind::ProtocolMismatch,
            format!("{host} and certbench could not agree on a TLS version or cipher suite ({e})"),
            "certbench offers TLS 1.2/1.3 with AES-GCM and ChaCha20 suites; ask the server's owner to enable one of them",
        ),
        E::InvalidCertificate(ce) => explain_server_cert(ce, tls, host),
        other => Diagnosis::new(
            DiagnosisKind::TlsError,
            format!(
                "TLS with {host} failed: {}",
                super::tlswords::error_words(other)
            ),
            "",
        )
        .with_step(NextStep::RawErrorChain),
    }
}

/// A failure on the way through the proxy: unreachable, wanting credentials, or refusing the tunnel.
fn explain_proxy(f: &Failure, proxy: &str, host: &str, port: u16) -> Option<Diagnosis> {
    let said = |needle: &str| f.chain.iter().any(|c| c.contains(needle));
    if said("proxy authorization required") {
        return Some(Diagnosis::new(
            DiagnosisKind::ProxyAuthRequired,
            format!(
                "the proxy {proxy} wants credentials (407 Proxy Authentication Required) before it opens a tunnel to {host}:{port}"
            ),
            "put them in the proxy URL: http://USER:${env:PROXY_PASSWORD}@host:port (the password is redacted everywhere it is stored or printed)",
        ));
    }
    if said("tunnel error: unsuccessful") || said("unexpected end of file") {
        return Some(Diagnosis::new(
            DiagnosisKind::ProxyRefused,
            format!("the proxy {proxy} refused to open a tunnel (HTTP CONNECT) to {host}:{port}"),
            "the proxy's rules do not allow this host or port: ask its owner, or bypass it with --no-proxy / NO_PROXY if the host is reachable directly",
        ));
    }
    let unreachable = f.io_kind == Some(std::io::ErrorKind::ConnectionRefused)
        || said("failed to create underlying connection")
        || said("dns error");
    unreachable.then(|| {
        Diagnosis::new(
            DiagnosisKind::ProxyUnreachable,
            format!(
                "the proxy {proxy} cannot be reached ({})",
                f.chain.last().cloned().unwrap_or_default()
            ),
            "check the proxy URL (--proxy, the profile's proxy, or HTTPS_PROXY / http_proxy / ALL_PROXY); --no-proxy connects directly",
        )
    })
}

fn explain_server_cert(ce: &CertificateError, tls: Option<&TlsFacts>, host: &str) -> Diagnosis {
    let leaf = tls.and_then(|t| t.server_chain.first());
    let top = tls.and_then(|t| t.server_chain.last());
    let issuer = top
        .map(|c| c.issuer.clone())
        .unwrap_or_else(|| "an unknown issuer".into());
    let trust_hint = "save the server's CA certificate (or its self-signed certificate) to a file, run `certbench trust add NAME FILE`, then use --trust NAME or trust = [\"NAME\"]; --insecure (verify_tls = false) skips the check and is unsafe";
    match ce {
        CertificateError::Other(other) => match other.0.downcast_ref::<PinMismatch>() {
            Some(pin) => Diagnosis::new(
                DiagnosisKind::PinMismatch,
                format!(
                    "{host} presented the public key {}, which is not the pinned {}",
                    pin.got,
                    pin.expected.join(" or ")
                ),
                "if the server's key changed on purpose, pin the new one (`certbench trust add NAME FILE` prints it); otherwise something else answers for this host",
            ),
            None => match other.0.downcast_ref::<webpki::Error>() {
                Some(webpki::Error::CaUsedAsEndEntity) => ca_as_server(host),
                Some(w) => Diagnosis::new(
                    DiagnosisKind::ServerCertInvalid,
                    format!(
                        "the server's certificate for {host} was refused: {}",
                        super::tlswords::webpki_words(w)
                    ),
                    trust_hint,
                ),
                None => Diagnosis::new(
                    DiagnosisKind::ServerCertInvalid,
                    format!("the server's certificate for {host} was refused: {other}"),
                    "",
                )
                .with_step(NextStep::RawErrorChain),
            },
        },
        CertificateError::UnknownIssuer => Diagnosis::new(
            DiagnosisKind::ServerCertUntrusted,
            format!(
                "the server's certificate for {host} is issued by {issuer}, which is not trusted here"
            ),
            trust_hint,
        ),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => Diagnosis::new(
            DiagnosisKind::ServerCertExpired,
            format!(
                "the server's certificate for {host} expired on {}",
                leaf.map(|l| l.not_after.clone()).unwrap_or_default()
            ),
            "the server must renew its certificate; --insecure skips the check (unsafe)",
        ),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            Diagnosis::new(
                DiagnosisKind::ServerCertNotYetValid,
                format!(
                    "the server's certificate for {host} is not valid before {}",
                    leaf.map(|l| l.not_before.clone()).unwrap_or_default()
                ),
                "check this machine's clock (and the server's)",
            )
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
            if leaf.is_some_and(|l| l.sans.is_empty()) =>
        {
            let cn = leaf.map(|l| l.subject_cn.clone()).unwrap_or_default();
            Diagnosis::new(
                DiagnosisKind::ServerNameMismatch,
                format!(
                    "the server's certificate (CN={cn}) has no subjectAltName, and TLS clients stopped reading names from the CN (RFC 6125; browsers and rustls since 2017), so it is valid for no host name at all, {host} included"
                ),
                "ask the server's owner to reissue it with a subjectAltName for this host; or pin this exact certificate with `certbench trust add NAME server.pem` and --trust NAME (a pinned certificate is accepted by exact match, its dates still checked)",
            )
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            Diagnosis::new(
                DiagnosisKind::ServerNameMismatch,
                format!(
                    "the server's certificate is not valid for {host}; it is valid for: {}",
                    leaf.map(|l| l.sans.join(", ")).unwrap_or_default()
                ),
                "use one of those names in the URL, or ask for a certificate that names this host",
            )
        }
        CertificateError::Revoked => Diagnosis::new(
            DiagnosisKind::ServerCertRevoked,
            format!("the server's certificate for {host} has been revoked"),
            "do not use this server until it has a new certificate",
        ),
        other => Diagnosis::new(
            DiagnosisKind::ServerCertInvalid,
            format!(
                "the server's certificate for {host} is invalid: {}",
                super::tlswords::certificate_words(other)
            ),
            trust_hint,
        ),
    }
}

/// The send's timeout ran out (connecting, waiting, or reading and indexing the body).
pub fn timeout_diagnosis(req: &PreparedRequest) -> Diagnosis {
    Diagnosis::new(
        DiagnosisKind::Timeout,
        format!(
            "no complete answer within {} s (the profile's timeout)",
            req.options.timeout_secs
        ),
        "raise the timeout (1-300 s) with --timeout or in Options, or check that the server is up",
    )
}
