//! The handshake probe: connect, handshake once with the same configuration, and read once, to
//! hear the alert a TLS 1.3 server sends only after the handshake.

use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use url::Url;

use super::diagnose::{Probe, find_rustls_error};
use super::route::Overrides;

/// How the probe reaches the server, as the send did: through a proxy's CONNECT tunnel, or to
/// the address an override names.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<'a> {
    pub proxy: Option<&'a Url>,
    pub overrides: Option<&'a Overrides>,
}

/// Connects, handshakes with `config` (HTTP/1.1 only) and reads once, to hear an alert TLS 1.3 sends late.
pub async fn probe_tls(config: &Arc<ClientConfig>, url: &Url, timeout: Duration) -> Probe {
    probe_tls_via(config, url, timeout, Path::default()).await
}

/// The same, along `path` (a proxy tunnel, or an overridden address).
pub async fn probe_tls_via(
    config: &Arc<ClientConfig>,
    url: &Url,
    timeout: Duration,
    path: Path<'_>,
) -> Probe {
    let fail = |error: String, rustls_error: Option<rustls::Error>, handshake_ok: bool| Probe {
        handshake_ok,
        accepted: false,
        error: Some(error),
        rustls_error,
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
            .map_err(|e| (e, None, false))?;
        let mut tls = connector
            .connect(name, tcp)
            .await
            .map_err(|e| (e.to_string(), find_rustls_error(&e), false))?;
        let request = format!("HEAD / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        tls.write_all(request.as_bytes())
            .await
            .map_err(|e| (e.to_string(), find_rustls_error(&e), true))?;
        let mut buf = [0u8; 512];
        match tls.read(&mut buf).await {
            Ok(0) => Err((
                "the server closed the connection without an answer".to_string(),
                None,
                true,
            )),
            Ok(_) => Ok(()),
            Err(e) => Err((e.to_string(), find_rustls_error(&e), true)),
        }
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(Ok(())) => Probe {
            handshake_ok: true,
            accepted: true,
            error: None,
            rustls_error: None,
        },
        Ok(Err((error, rustls_error, hs))) => fail(error, rustls_error, hs),
        Err(_) => fail(
            format!("no answer within {} s", timeout.as_secs()),
            None,
            false,
        ),
    }
}

/// A TCP stream to `host:port`: through the proxy's CONNECT tunnel, else to an overridden
/// address, else by name.
async fn connect(host: &str, port: u16, path: Path<'_>) -> Result<tokio::net::TcpStream, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    if let Some(proxy) = path.proxy {
        let (phost, pport) = (
            proxy.host_str().unwrap_or_default(),
            proxy.port_or_known_default().unwrap_or(80),
        );
        let mut tcp = tokio::net::TcpStream::connect((phost, pport))
            .await
            .map_err(|e| format!("the proxy {phost}:{pport}: {e}"))?;
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
            .map_err(|e| e.to_string())?;
        // The proxy's answer head, byte by byte up to its blank line (at most 8 KiB).
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            if head.len() > 8192 {
                return Err("the proxy's answer to CONNECT is too long".into());
            }
            let b = tcp.read_u8().await.map_err(|e| e.to_string())?;
            head.push(b);
        }
        let status = String::from_utf8_lossy(&head);
        let line = status.lines().next().unwrap_or_default().to_string();
        return match line.split_whitespace().nth(1) {
            Some("200") => Ok(tcp),
            _ => Err(format!(
                "tunnel error: the proxy answered the CONNECT with {line:?}"
            )),
        };
    }
    if let Some(o) = path.overrides {
        let fixed = o.addresses(host);
        if !fixed.is_empty() {
            return tokio::net::TcpStream::connect(&fixed[..])
                .await
                .map_err(|e| e.to_string());
        }
        if let Some(c) = o.connect_to.iter().find(|c| c.host == host) {
            return tokio::net::TcpStream::connect((c.to_host.as_str(), c.to_port))
                .await
                .map_err(|e| e.to_string());
        }
    }
    tokio::net::TcpStream::connect((host, port))
        .await
        .map_err(|e| e.to_string())
}
