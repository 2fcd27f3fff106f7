//! The handshake probe: connect, handshake once with the same configuration, and read once, to
//! hear the alert a TLS 1.3 server sends only after the handshake.

use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use url::Url;

use crate::diagnose::failure::{HttpAnswer, Probe, find_rustls_error};
use crate::net::route::Overrides;

/// How the probe reaches the server, as the send did: through a proxy's CONNECT tunnel, or to
/// the address an override names.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<'a> {
    pub proxy: Option<&'a Url>,
    pub overrides: Option<&'a Overrides>,
}

/// What the probe asks once the handshake is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// `HEAD /`: only to hear whether the server keeps the connection (after a failed send).
    HeadRoot,
    /// `GET` of the URL's own path, reading the answer's status and the start of its body:
    /// servers such as nginx complete the handshake and refuse a certificate at the HTTP level.
    GetPath,
}

/// The most of an answer the probe reads: enough for a status line, headers and an error page.
const ANSWER_LIMIT: usize = 16 << 10;

/// Connects, handshakes with `config` (HTTP/1.1 only) and reads once, to hear an alert TLS 1.3 sends late.
pub async fn probe_tls(config: &Arc<ClientConfig>, url: &Url, timeout: Duration) -> Probe {
    probe_tls_via(config, url, timeout, Path::default(), Ask::HeadRoot).await
}

/// The same, along `path` (a proxy tunnel, or an overridden address), asking `ask`.
pub async fn probe_tls_via(
    config: &Arc<ClientConfig>,
    url: &Url,
    timeout: Duration,
    path: Path<'_>,
    ask: Ask,
) -> Probe {
    let fail = |error: String, rustls_error: Option<rustls::Error>, handshake_ok: bool| Probe {
        handshake_ok,
        error: Some(error),
        rustls_error,
        ..Probe::default()
    };
    let Some(host) = url
        .host_str()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string())
    else {
        return fail("the URL has no host".into(), None, false);
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let mut cfg = (**config).clone();
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let Ok(name) = rustls::pki_types::ServerName::try_from(host.clone()) else {
        return fail(format!("{host} is not a valid server name"), None, false);
    };
    let attempt = async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let tcp = connect(&host, port, path)
            .await
            .map_err(|e| (e.message.clone(), None, false, Some(e)))?;
        let mut tls = connector
            .connect(name, tcp)
            .await
            .map_err(|e| (e.to_string(), find_rustls_error(&e), false, None))?;
        let target = match ask {
            Ask::HeadRoot => "HEAD /".to_string(),
            Ask::GetPath => format!(
                "GET {}",
                &url[url::Position::BeforePath..url::Position::AfterQuery]
            ),
        };
        let authority = &url[url::Position::BeforeHost..url::Position::AfterPort];
        let request = format!(
            "{target} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: certbench/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        );
        tls.write_all(request.as_bytes())
            .await
            .map_err(|e| (e.to_string(), find_rustls_error(&e), true, None))?;
        let mut answer = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match tls.read(&mut buf).await {
                Ok(0) if answer.is_empty() => {
                    return Err((
                        "the server closed the connection without an answer".to_string(),
                        None,
                        true,
                        None,
                    ));
                }
                Ok(0) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                // An alert after an answer began (a close without close_notify) ends the read.
                Err(_) if !answer.is_empty() => break,
                Err(e) => return Err((e.to_string(), find_rustls_error(&e), true, None)),
            }
            if ask == Ask::HeadRoot || answer.len() >= ANSWER_LIMIT || answer_complete(&answer) {
                break;
            }
        }
        Ok(HttpAnswer::parse(&answer))
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(Ok(http)) => Probe {
            handshake_ok: true,
            accepted: true,
            http: (ask == Ask::GetPath).then_some(http).flatten(),
            ..Probe::default()
        },
        Ok(Err((error, rustls_error, hs, unconnected))) => Probe {
            io_kind: unconnected.as_ref().and_then(|u| u.io_kind),
            unresolved: unconnected.is_some_and(|u| u.unresolved),
            ..fail(error, rustls_error, hs)
        },
        Err(_) => fail(
            format!("no answer within {} s", timeout.as_secs()),
            None,
            false,
        ),
    }
}

/// Whether `answer` holds a whole head and, with a Content-Length, that much body (at most
/// what the probe keeps).
fn answer_complete(answer: &[u8]) -> bool {
    let Some(end) = answer.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&answer[..end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    match length {
        Some(n) => answer.len() - (end + 4) >= n.min(crate::diagnose::failure::HTTP_ANSWER_BODY),
        None => answer.len() - (end + 4) >= crate::diagnose::failure::HTTP_ANSWER_BODY,
    }
}

/// A TCP stream to `host:port`: through the proxy's CONNECT tunnel, else to an overridden
/// address, else by name.
pub(super) async fn connect(
    host: &str,
    port: u16,
    path: Path<'_>,
) -> Result<tokio::net::TcpStream, Unconnected> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if let Some(proxy) = path.proxy.filter(|p| p.scheme().starts_with("socks5")) {
        return socks5(proxy, host, port).await;
    }
    if let Some(proxy) = path.proxy {
        let (phost, pport) = (
            proxy.host_str().unwrap_or_default(),
            proxy.port_or_known_default().unwrap_or(80),
        );
        let mut tcp = tokio::net::TcpStream::connect((phost, pport))
            .await
            .map_err(|e| Unconnected::io(format!("the proxy {phost}:{pport}: {e}"), &e))?;
        let target = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if !proxy.username().is_empty() {
            use base64::Engine;
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            let pair = format!(
                "{}:{}",
                decode(proxy.username()),
                decode(proxy.password().unwrap_or(""))
            );
            request.push_str(&format!(
                "Proxy-Authorization: Basic {}\r\n",
                base64::engine::general_purpose::STANDARD.encode(pair)
            ));
        }
        request.push_str("\r\n");
        tcp.write_all(request.as_bytes())
            .await
            .map_err(|e| Unconnected::io(e.to_string(), &e))?;
        // The proxy's answer head, byte by byte up to its blank line (at most 8 KiB).
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            if head.len() > 8192 {
                return Err(Unconnected::said(
                    "the proxy's answer to CONNECT is too long",
                ));
            }
            let b = tcp
                .read_u8()
                .await
                .map_err(|e| Unconnected::io(e.to_string(), &e))?;
            head.push(b);
        }
        let status = String::from_utf8_lossy(&head);
        let line = status.lines().next().unwrap_or_default().to_string();
        return match line.split_whitespace().nth(1) {
            Some("200") => Ok(tcp),
            // Worded as reqwest words them, so a refusal reads the same whichever way it came.
            Some("407") => Err(Unconnected::said(&format!(
                "proxy authorization required: the proxy answered the CONNECT with {line:?}"
            ))),
            _ => Err(Unconnected::said(&format!(
                "tunnel error: unsuccessful: the proxy answered the CONNECT with {line:?}"
            ))),
        };
    }
    if let Some(o) = path.overrides {
        let fixed = o.addresses(host);
        if !fixed.is_empty() {
            return tokio::net::TcpStream::connect(&fixed[..])
                .await
                .map_err(|e| Unconnected::io(e.to_string(), &e));
        }
        if let Some(c) = o.connect_to.iter().find(|c| c.host == host) {
            return by_name(&c.to_host, c.to_port).await;
        }
    }
    by_name(host, port).await
}

/// A TCP stream to `host:port` through a SOCKS5 proxy (hyper-util's client, as reqwest uses):
/// `socks5h://` hands the name to the proxy, `socks5://` resolves it here first.
async fn socks5(proxy: &Url, host: &str, port: u16) -> Result<tokio::net::TcpStream, Unconnected> {
    use hyper_util::client::legacy::connect::HttpConnector;
    use hyper_util::client::legacy::connect::proxy::SocksV5;
    use tower_service::Service;
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let (phost, pport) = (
        proxy.host_str().unwrap_or_default(),
        proxy.port_or_known_default().unwrap_or(1080),
    );
    let said = |e: &dyn std::fmt::Display| {
        Unconnected::said(&format!("the SOCKS5 proxy {phost}:{pport}: {e}"))
    };
    let proxy_uri: http::Uri = format!("http://{phost}:{pport}")
        .parse()
        .map_err(|e| said(&e))?;
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    let mut socks = SocksV5::new(proxy_uri, http).local_dns(proxy.scheme() == "socks5");
    if !proxy.username().is_empty() {
        socks = socks.with_auth(
            decode(proxy.username()),
            decode(proxy.password().unwrap_or("")),
        );
    }
    let target = if host.contains(':') {
        format!("http://[{host}]:{port}")
    } else {
        format!("http://{host}:{port}")
    };
    let dst: http::Uri = target.parse().map_err(|e| said(&e))?;
    std::future::poll_fn(|cx| socks.poll_ready(cx))
        .await
        .map_err(|e| said(&e))?;
    let io = socks.call(dst).await.map_err(|e| said(&e))?;
    Ok(io.into_inner())
}

/// Looks `host` up, then connects to its addresses in turn: a name that does not resolve is
/// told apart from an address that refuses by where it failed.
async fn by_name(host: &str, port: u16) -> Result<tokio::net::TcpStream, Unconnected> {
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|source| {
            let e = crate::cause::NameNotResolved {
                host: host.to_string(),
                source,
            };
            Unconnected {
                message: e.to_string(),
                io_kind: None,
                unresolved: true,
            }
        })?
        .collect();
    tokio::net::TcpStream::connect(&addrs[..])
        .await
        .map_err(|e| Unconnected::io(e.to_string(), &e))
}

/// Why the probe's TCP connection was never made, typed where it failed.
pub(super) struct Unconnected {
    pub(super) message: String,
    io_kind: Option<std::io::ErrorKind>,
    unresolved: bool,
}

impl Unconnected {
    fn io(message: String, e: &std::io::Error) -> Unconnected {
        Unconnected {
            message,
            io_kind: Some(e.kind()),
            unresolved: false,
        }
    }

    /// The failure of a send that could not connect, for diagnosis to explain.
    pub(super) fn into_failure(self) -> crate::diagnose::failure::Failure {
        use crate::diagnose::failure::Failure;
        let mut f = Failure::plain(crate::exchange::Diagnosis::new(
            crate::diagnose::kind::DiagnosisKind::Transport,
            self.message.clone(),
            "",
        ));
        f.chain = vec![self.message];
        f.io_kind = self.io_kind;
        f.unresolved = self.unresolved;
        f.from_transport = true;
        f
    }

    fn said(message: &str) -> Unconnected {
        Unconnected {
            message: message.to_string(),
            io_kind: None,
            unresolved: false,
        }
    }
}
