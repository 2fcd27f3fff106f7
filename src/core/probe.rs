//! The handshake probe: connect, handshake once with the same configuration, and read once, to
//! hear the alert a TLS 1.3 server sends only after the handshake.

use std::sync::Arc;
use std::time::Duration;

use rustls::ClientConfig;
use url::Url;

use super::diagnose::{Probe, find_rustls_error};

/// Connects, handshakes with `config` (HTTP/1.1 only) and reads once, to hear an alert TLS 1.3 sends late.
pub async fn probe_tls(config: &Arc<ClientConfig>, url: &Url, timeout: Duration) -> Probe {
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
        let tcp = tokio::net::TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| (e.to_string(), None, false))?;
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
