//! A transport or TLS failure explained: the cause in words and the fix.

use crate::diagnose::fix::Fix;
use rustls::{AlertDescription, CertificateError};
use url::Url;

use super::checks::*;
use super::credentials::*;
use super::failure::*;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::{Diagnosis, TlsFacts};
use crate::keys::certinfo::Validity;
use crate::keys::keyfault::{Credential, key_fault};
use crate::keys::token::TokenError;
use crate::net::recording::PinMismatch;
use crate::request::prepare::PreparedRequest;

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
                crate::exchange::MAX_RESPONSE_HEADERS,
                crate::exchange::MAX_HEADER_LIST_BYTES / 1024
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
                crate::exchange::MAX_HEADER_LIST_BYTES / 1024
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
        _ if f.unresolved => Diagnosis::new(
            DiagnosisKind::Dns,
            format!("the name {host} does not resolve"),
            "check the host name in the URL (and vars), or this machine's DNS",
        ),
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
                .with_step(Fix::CheckKey),
                (None, _) => Diagnosis::new(
                    DiagnosisKind::ClientCertRejected,
                    "the server asked for a client certificate, we sent none, and it closed the connection",
                    "",
                )
                .with_step(Fix::PickKey),
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
        .with_step(Fix::RawErrorChain),
    }
}

/// The URL whose request failed: the last redirect's target, else the request's own.
pub fn failing_url<'a>(f: &'a Failure, req: &'a PreparedRequest) -> &'a str {
    f.redirects
        .last()
        .map_or(req.url.as_str(), |hop| hop.location.as_str())
}

/// hyper's and h2's words for a response head over the limits set on the client.
pub(super) fn headers_too_large(cause: &str) -> bool {
    cause.contains("message head is too large")
        || cause.contains("header compression context")
        || cause.contains("header list size")
}

pub(super) fn explain_tls(
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
                "use a key issued by one of those CAs, or send your chain to the API owner for their trust store",
            )
            .with_step(Fix::ExportKey)
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
                "ask the API owner what they require",
            )
            .with_step(Fix::ShowKey)
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
                        crate::diagnose::tlswords::error_words(e),
                        fault.words(c.name)
                    ),
                    fault.fix(),
                ),
                None => Diagnosis::new(
                    DiagnosisKind::ClientCertRejected,
                    format!(
                        "the server refused {ours} ({}); {}",
                        crate::diagnose::tlswords::error_words(e),
                        accepted(tls)
                    ),
                    "nothing about the key itself explains it: ask the API owner to allowlist your certificate",
                )
                .with_step(Fix::ExportKey),
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
                crate::diagnose::tlswords::error_words(other)
            ),
            "",
        )
        .with_step(Fix::RawErrorChain),
    }
}

/// A failure on the way through the proxy: unreachable, wanting credentials, or refusing the tunnel.
pub(super) fn explain_proxy(f: &Failure, proxy: &str, host: &str, port: u16) -> Option<Diagnosis> {
    let said = |needle: &str| f.chain.iter().any(|c| c.contains(needle));
    if proxy.starts_with("socks5")
        && let Some(d) = explain_socks(&said, proxy, host, port)
    {
        return Some(d);
    }
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
            "the proxy's rules do not allow this host or port: ask its owner, or, if the host is reachable directly",
        ).with_step(Fix::BypassProxy));
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
            "",
        )
        .with_step(Fix::CheckProxy)
    })
}

/// A SOCKS5 proxy's refusal (hyper-util's words): of our credentials, or of the connection.
fn explain_socks(
    said: &dyn Fn(&str) -> bool,
    proxy: &str,
    host: &str,
    port: u16,
) -> Option<Diagnosis> {
    let with_credentials = proxy.contains('@');
    if said("SOCKS error: credentials not accepted")
        || said("SOCKS error: server does not support user/pass authentication")
        || said("SOCKS error: server implements authentication incorrectly")
    {
        let what = if with_credentials {
            "did not accept the user and password in its URL"
        } else {
            "wants a user and password before it connects anywhere"
        };
        return Some(Diagnosis::new(
            DiagnosisKind::ProxyAuthRequired,
            format!("the SOCKS5 proxy {proxy} {what} (to {host}:{port})"),
            "put them in the proxy URL: socks5h://USER:${env:PROXY_PASSWORD}@host:port (the password is redacted everywhere it is stored or printed)",
        ));
    }
    const REFUSALS: [&str; 8] = [
        "connection not allowed",
        "network unreachable",
        "host unreachable",
        "connection refused",
        "general server failure",
        "ttl expired",
        "command not supported",
        "address type not supported",
    ];
    let reply = REFUSALS
        .iter()
        .find(|r| said(&format!("SOCKS error: {r}")))?;
    Some(
        Diagnosis::new(
            DiagnosisKind::ProxyRefused,
            format!(
                "the SOCKS5 proxy {proxy} could not open a connection to {host}:{port}: it answered \"{reply}\""
            ),
            "check the host and port from the proxy's side (socks5h:// lets the proxy resolve the name), or, if the host is reachable directly",
        )
        .with_step(Fix::BypassProxy),
    )
}

pub(super) fn explain_server_cert(
    ce: &CertificateError,
    tls: Option<&TlsFacts>,
    host: &str,
) -> Diagnosis {
    let leaf = tls.and_then(|t| t.server_chain.first());
    let top = tls.and_then(|t| t.server_chain.last());
    let issuer = top
        .map(|c| c.issuer.clone())
        .unwrap_or_else(|| "an unknown issuer".into());
    let trust_hint = "save the server's CA certificate (or its self-signed certificate) to a file";
    match ce {
        CertificateError::Other(other) => match other.0.downcast_ref::<PinMismatch>() {
            Some(pin) => Diagnosis::new(
                DiagnosisKind::PinMismatch,
                format!(
                    "{host} presented the public key {}, which is not the pinned {}",
                    pin.got,
                    pin.expected.join(" or ")
                ),
                "if the server's key changed on purpose, pin the new one; otherwise something else answers for this host",
            )
            .with_step(Fix::TrustExactCertificate),
            None => match other.0.downcast_ref::<webpki::Error>() {
                Some(webpki::Error::CaUsedAsEndEntity) => ca_as_server(host),
                Some(w) => Diagnosis::new(
                    DiagnosisKind::ServerCertInvalid,
                    format!(
                        "the server's certificate for {host} was refused: {}",
                        crate::diagnose::tlswords::webpki_words(w)
                    ),
                    trust_hint,
                )
                .with_step(Fix::TrustServer),
                None => Diagnosis::new(
                    DiagnosisKind::ServerCertInvalid,
                    format!("the server's certificate for {host} was refused: {other}"),
                    "",
                )
                .with_step(Fix::RawErrorChain),
            },
        },
        CertificateError::UnknownIssuer => Diagnosis::new(
            DiagnosisKind::ServerCertUntrusted,
            format!(
                "the server's certificate for {host} is issued by {issuer}, which is not trusted here"
            ),
            trust_hint,
        )
        .with_step(Fix::TrustServer),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => Diagnosis::new(
            DiagnosisKind::ServerCertExpired,
            format!(
                "the server's certificate for {host} expired on {}",
                leaf.map(|l| l.not_after.clone()).unwrap_or_default()
            ),
            "the server must renew its certificate",
        ).with_step(Fix::SkipVerification),
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
                "ask the server's owner to reissue it with a subjectAltName for this host",
            ).with_step(Fix::TrustExactCertificate)
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
        CertificateError::Revoked => {
            // When and why, from the CRL that lists it.
            let said = match tls.and_then(|t| t.revoked.as_ref()) {
                Some(r) => format!(": {}", r.words()),
                None => String::new(),
            };
            Diagnosis::new(
                DiagnosisKind::ServerCertRevoked,
                format!("the server's certificate for {host} has been revoked{said}"),
                "do not use this server until it has a new certificate",
            )
        }
        other => Diagnosis::new(
            DiagnosisKind::ServerCertInvalid,
            format!(
                "the server's certificate for {host} is invalid: {}",
                crate::diagnose::tlswords::certificate_words(other)
            ),
            trust_hint,
        )
        .with_step(Fix::TrustServer),
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
        "or check that the server is up",
    )
    .with_step(Fix::RaiseTimeout)
}
