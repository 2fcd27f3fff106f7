//! A profile's `[websocket]` table (the subprotocols asked for, the messages sent once the
//! socket is open, the largest message taken) and what it becomes in a prepared request.

use serde::{Deserialize, Serialize};

use crate::body::messages::DEFAULT_MAX_MESSAGE_BYTES;
use crate::size::ByteSize;

/// `[websocket]` in a profile; used when the URL is `ws://` or `wss://`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSocket {
    /// Sent as `Sec-WebSocket-Protocol`; the server must choose one of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subprotocols: Vec<String>,
    /// Text messages sent in order once the socket is open; `${name}` variables are expanded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
    /// The largest message taken from the server (default 16 MiB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_message_bytes: Option<ByteSize>,
}

impl WebSocket {
    pub fn is_empty(&self) -> bool {
        *self == WebSocket::default()
    }
}

/// The WebSocket part of a prepared request: variables expanded, names checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreparedWebSocket {
    pub subprotocols: Vec<String>,
    pub messages: Vec<String>,
    pub max_message_bytes: usize,
}

/// Whether a URL's scheme opens a WebSocket.
pub fn is_websocket(scheme: &str) -> bool {
    matches!(scheme, "ws" | "wss")
}

impl PreparedWebSocket {
    /// `ws` with each message expanded by `expand`; a subprotocol must be an HTTP token.
    pub fn prepare<E>(
        ws: &WebSocket,
        mut expand: impl FnMut(&str) -> Result<String, E>,
    ) -> Result<PreparedWebSocket, PrepareWsError<E>> {
        for p in &ws.subprotocols {
            let token = !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !token {
                return Err(PrepareWsError::Subprotocol(p.clone()));
            }
        }
        let messages = ws
            .messages
            .iter()
            .map(|m| expand(m))
            .collect::<Result<Vec<_>, E>>()
            .map_err(PrepareWsError::Var)?;
        let max = ws
            .max_message_bytes
            .map_or(DEFAULT_MAX_MESSAGE_BYTES, |b| {
                usize::try_from(b.0).unwrap_or(usize::MAX)
            })
            .max(1);
        Ok(PreparedWebSocket {
            subprotocols: ws.subprotocols.clone(),
            messages,
            max_message_bytes: max,
        })
    }
}

/// Why a `[websocket]` table did not prepare.
#[derive(Debug)]
pub enum PrepareWsError<E> {
    Subprotocol(String),
    Var(E),
}
