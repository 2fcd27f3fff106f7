//! A WebSocket conversation over the request's own client: the TCP connection along its route
//! (proxy tunnel, address overrides), the same rustls config (the key, trust, pins, key log)
//! with ALPN `http/1.1`, the upgrade with the profile's headers, then messages both ways until
//! a close, a limit, the time limit or a stop.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self};
use url::Url;

mod conversation;
mod refusal;

use super::client::ClientEntry;
use super::connect::RouteKey;
use crate::body::events::{EventTap, StreamSummary};
use crate::body::kept::{KEPT_FIRST, KEPT_LAST, Kept, STREAM_BODY_KEPT};
use crate::budget::Budget;
use crate::diagnose::failure::Failure;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::{Diagnosis, Exchange, Timing};
use crate::request::prepare::PreparedRequest;
use crate::request::websocket::PreparedWebSocket;
use conversation::Conversation;
use refusal::{io_failure, refused, upgrade_failure};

/// Whatever carries the conversation: a TCP stream, or TLS over one.
pub(super) trait Wire: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Wire for T {}

pub(super) type Socket = WebSocketStream<Box<dyn Wire>>;

/// Headers the upgrade sets itself; a profile's own are left out.
const UPGRADE_HEADERS: [&str; 6] = [
    "host",
    "connection",
    "upgrade",
    "sec-websocket-key",
    "sec-websocket-version",
    "sec-websocket-extensions",
];

/// How long a close we start waits for the server's close in return.
pub(super) const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Opens the conversation `req` describes and runs it; the exchange's body is its transcript.
pub(super) async fn converse(
    entry: &ClientEntry,
    req: &PreparedRequest,
    route: &RouteKey,
    started: Instant,
    budget: &Budget,
) -> Result<Exchange, Failure> {
    if req.save_to.is_some() {
        return Err(Failure::plain(Diagnosis::new(
            DiagnosisKind::InvalidRequest,
            "a WebSocket's body is its transcript, kept in memory and in the history: it is not saved to a file",
            "send without saving the body to a file",
        )));
    }
    let plan = req.websocket.clone().unwrap_or_else(|| PreparedWebSocket {
        subprotocols: Vec::new(),
        messages: Vec::new(),
        max_message_bytes: crate::body::messages::DEFAULT_MAX_MESSAGE_BYTES,
    });
    let url = req.parsed_url();
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let path = super::probe::Path {
        proxy: route.proxy.for_url(&url),
        overrides: Some(&route.overrides),
    };
    budget
        .check()
        .map_err(|s| super::exchange_body::stopped_failure(s, req))?;
    let tcp = super::probe::connect(&host, port, path)
        .await
        .map_err(super::probe::Unconnected::into_failure)?;
    let connected = Instant::now();
    let wire: Box<dyn Wire> = if url.scheme() == "wss" {
        let mut config = (*entry.config).clone();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let name = rustls::pki_types::ServerName::try_from(host.clone()).map_err(|_| {
            Failure::plain(Diagnosis::new(
                DiagnosisKind::InvalidRequest,
                format!("{host} is not a valid server name"),
                "fix the host in the URL",
            ))
        })?;
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await
            .map_err(|e| io_failure(&e))?;
        Box::new(tls)
    } else {
        Box::new(tcp)
    };
    let handshaken = Instant::now();
    let upgrade = upgrade_request(req, &url, &plan)?;
    let config = WebSocketConfig::default()
        .max_message_size(Some(plan.max_message_bytes))
        .max_frame_size(Some(plan.max_message_bytes));
    let opened = tokio_tungstenite::client_async_with_config(upgrade, wire, Some(config)).await;
    let (socket, response) = match opened {
        Ok(pair) => pair,
        Err(tungstenite::Error::Http(answer)) => return Ok(refused(req, &url, &answer, started)),
        Err(e) => return Err(upgrade_failure(e, &plan)),
    };
    let upgraded = Instant::now();
    let tap = req.events.clone().unwrap_or_else(EventTap::counting);
    let limit = req.options.max_body().bytes().min(STREAM_BODY_KEPT);
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut talk = Conversation {
        socket,
        tap,
        started,
        transcript: Vec::new(),
        limit,
        kept: Kept::new(KEPT_FIRST, KEPT_LAST),
        body_cut: false,
        received: 0,
        sent: 0,
        warnings: Vec::new(),
        max_message_bytes: plan.max_message_bytes,
    };
    let end = talk.run(&plan.messages, budget).await;
    let done = Instant::now();
    let ms = crate::net::phases::ms;
    let transcript = bytes::Bytes::from(std::mem::take(&mut talk.transcript));
    let text = Some("text/plain; charset=utf-8");
    Ok(Exchange {
        timing: Timing {
            total_ms: ms(started, done),
            headers_ms: ms(started, upgraded),
            body_ms: ms(upgraded, done),
            connect_ms: ms(started, connected),
            tls_ms: ms(connected, handshaken),
            wait_ms: ms(handshaken, upgraded),
            download_ms: ms(upgraded, done),
            ..Timing::default()
        },
        warnings: talk.warnings,
        stream: Some(StreamSummary {
            sent: talk.sent,
            body_cut: talk.body_cut,
            ..StreamSummary::of(talk.received, end, talk.kept.clone())
        }),
        ..answer(req, &response, transcript, text, false)
    })
}

/// The exchange of an upgrade's answer: its status and headers, and `body` as its body.
fn answer<T>(
    req: &PreparedRequest,
    response: &tungstenite::http::Response<T>,
    body: bytes::Bytes,
    content_type: Option<&str>,
    parse: bool,
) -> Exchange {
    let status = response.status();
    let headers: Vec<(String, String)> = response
        .headers()
        .iter()
        .map(|(k, v)| {
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (k.as_str().to_string(), value)
        })
        .collect();
    let view = crate::exchange::build_view(&body, content_type, parse, &Budget::unlimited())
        .unwrap_or_default();
    Exchange {
        method: "GET".into(),
        url: req.url.clone(),
        status: status.as_u16(),
        reason: status.canonical_reason().unwrap_or("").to_string(),
        http_version: "HTTP/1.1".into(),
        headers,
        decoded_size: body.len(),
        encoded_size: body.len(),
        body,
        view,
        ..Exchange::default()
    }
}

/// The upgrade request: the URL (its query included), the profile's headers, the subprotocols.
fn upgrade_request(
    req: &PreparedRequest,
    url: &Url,
    plan: &PreparedWebSocket,
) -> Result<tungstenite::handshake::client::Request, Failure> {
    let invalid = |why: String| {
        Failure::plain(Diagnosis::new(
            DiagnosisKind::InvalidRequest,
            why,
            "fix the URL or the header named above",
        ))
    };
    let mut upgrade = url
        .as_str()
        .into_client_request()
        .map_err(|e| invalid(format!("cannot make a WebSocket upgrade for {url}: {e}")))?;
    let headers = upgrade.headers_mut();
    for (name, value) in &req.headers {
        if UPGRADE_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        let (Ok(name), Ok(value)) = (
            tungstenite::http::HeaderName::from_bytes(name.as_bytes()),
            tungstenite::http::HeaderValue::from_str(value),
        ) else {
            return Err(invalid(format!("header {name} cannot be sent")));
        };
        headers.append(name, value);
    }
    if !plan.subprotocols.is_empty() {
        let list = plan.subprotocols.join(", ");
        let value = tungstenite::http::HeaderValue::from_str(&list)
            .map_err(|_| invalid(format!("subprotocols {list:?} cannot be sent")))?;
        headers.insert("sec-websocket-protocol", value);
    }
    Ok(upgrade)
}
