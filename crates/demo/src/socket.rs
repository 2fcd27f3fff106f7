//! The demo's WebSocket at `/socket`: it greets with the client certificate's CN, then echoes
//! every message, so a new user sees a `wss://` conversation over mutual TLS.

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use hyper::Request;
use hyper::body::Incoming;
use serde_json::json;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

use crate::{Resp, reply};

/// Answers an upgrade to `/socket` with 101 and runs the echo on the upgraded connection; a
/// request that is not an upgrade gets 426 Upgrade Required.
pub(crate) fn upgrade(mut req: Request<Incoming>, who: String) -> Resp {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let is_upgrade = header("upgrade").is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    let Some(key) = header("sec-websocket-key").filter(|_| is_upgrade) else {
        return reply(
            426,
            "application/json",
            json!({"error": "this is a WebSocket: open it with a wss:// URL"}).to_string(),
        );
    };
    let accept = derive_accept_key(key.as_bytes());
    let upgrading = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let Ok(upgraded) = upgrading.await else {
            return;
        };
        let io = hyper_util::rt::TokioIo::new(upgraded);
        let mut ws = WebSocketStream::from_raw_socket(io, Role::Server, None).await;
        let hello = json!({"hello": who, "echo": "every message you send comes back"});
        if ws.send(Message::text(hello.to_string())).await.is_err() {
            return;
        }
        while let Some(Ok(m)) = ws.next().await {
            let back = match m {
                Message::Text(_) | Message::Binary(_) => m,
                Message::Close(_) => break,
                _ => continue,
            };
            if ws.send(back).await.is_err() {
                break;
            }
        }
    });
    let mut r = reply(101, "text/plain", Bytes::new());
    let h = r.headers_mut();
    h.remove("content-type");
    h.insert("upgrade", "websocket".parse().expect("static"));
    h.insert("connection", "Upgrade".parse().expect("static"));
    if let Ok(v) = accept.parse() {
        h.insert("sec-websocket-accept", v);
    }
    r
}
