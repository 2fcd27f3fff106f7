//! A WebSocket upgrade that did not open: a server that answered with another status (shown
//! as the exchange), a subprotocol refused, a connection or TLS error typed for diagnosis.
use std::time::Instant;

use tokio_tungstenite::tungstenite::{self};
use url::Url;

use crate::diagnose::failure::{Failure, find_rustls_error};
use crate::diagnose::fix::Fix;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::{Diagnosis, Exchange, Timing};
use crate::request::prepare::PreparedRequest;
use crate::request::websocket::PreparedWebSocket;

/// A server that answered the upgrade with another status: the answer is the exchange (its
/// status, headers and body shown), marked an error with the reason in words.
pub(super) fn refused(
    req: &PreparedRequest,
    url: &Url,
    answer: &tungstenite::http::Response<Option<Vec<u8>>>,
    started: Instant,
) -> Exchange {
    let status = answer.status();
    let header = |name: &str| {
        answer
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let raw = answer.body().clone().unwrap_or_default();
    let chunked =
        header("transfer-encoding").is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    let body = bytes::Bytes::from(match chunked {
        true => dechunk(&raw),
        false => raw,
    });
    let ctype = header("content-type");
    let total_ms = crate::net::phases::ms(started, Instant::now());
    Exchange {
        timing: Timing {
            total_ms,
            headers_ms: total_ms,
            ..Timing::default()
        },
        // A WebSocket opens with 101 and nothing else: any other answer is a failed send.
        status_is_error: true,
        warnings: vec![Diagnosis::new(
            DiagnosisKind::WsUpgradeRefused,
            format!(
                "{} answered the WebSocket upgrade with {} {} instead of 101 Switching Protocols: no message was exchanged",
                url.host_str().unwrap_or_default(),
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            ),
            "the answer's body may say why; check the URL's path, and that the server speaks WebSocket there",
        )],
        ..super::answer(
            req,
            answer,
            body,
            ctype.as_deref(),
            req.options.parse_response,
        )
    }
}

/// The data of a chunked body as the upgrade read it (tungstenite keeps the bytes as they came);
/// what is cut short or malformed ends the data there.
pub(super) fn dechunk(raw: &[u8]) -> Vec<u8> {
    let mut data = Vec::new();
    let mut rest = raw;
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&rest[..eol]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            break;
        };
        rest = &rest[eol + 2..];
        if size == 0 {
            break;
        }
        let take = size.min(rest.len());
        data.extend_from_slice(&rest[..take]);
        rest = rest.get(take + 2..).unwrap_or_default();
    }
    data
}

/// The upgrade failed before any answer could be read as HTTP: TLS, the connection, or a
/// subprotocol the server did not agree to.
pub(super) fn upgrade_failure(e: tungstenite::Error, plan: &PreparedWebSocket) -> Failure {
    match e {
        tungstenite::Error::Io(io) => io_failure(&io),
        tungstenite::Error::Protocol(
            tungstenite::error::ProtocolError::SecWebSocketSubProtocolError(why),
        ) => Failure::plain(
            Diagnosis::new(
                DiagnosisKind::WsSubprotocolRefused,
                format!(
                    "the server did not agree to a subprotocol certbench asked for ({}): {why}",
                    plan.subprotocols.join(", ")
                ),
                "ask the API's owner which subprotocol it speaks",
            )
            .with_step(Fix::ChooseSubprotocol),
        ),
        other => {
            let mut f = Failure::plain(Diagnosis::new(
                DiagnosisKind::Transport,
                format!("the WebSocket upgrade failed: {other}"),
                "",
            ));
            f.chain = vec![other.to_string()];
            f.from_transport = true;
            f
        }
    }
}

/// A connection or TLS error, typed for diagnosis; a TLS 1.3 refusal of the key arrives here
/// too (on the first read, after the handshake).
pub(super) fn io_failure(e: &std::io::Error) -> Failure {
    let mut f = Failure::plain(Diagnosis::new(DiagnosisKind::Transport, e.to_string(), ""));
    f.chain = vec![e.to_string()];
    f.rustls_error = find_rustls_error(e);
    f.io_kind = f.rustls_error.is_none().then(|| e.kind());
    f.from_transport = true;
    f.needs_probe = f.rustls_error.is_none() && e.kind() != std::io::ErrorKind::ConnectionRefused;
    f
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_chunked_refusal_reads_as_its_data() {
        assert_eq!(
            super::dechunk(b"4\r\n{\"a\"\r\n3;x=1\r\n:1}\r\n0\r\n\r\n"),
            b"{\"a\":1}"
        );
        assert_eq!(super::dechunk(b"ff\r\nshort"), b"short");
        assert_eq!(super::dechunk(b"zz\r\n"), b"");
    }
}
