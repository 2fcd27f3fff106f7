//! WebSocket messages as they pass, sent or received, and the queue a caller fills with the
//! messages to send while the conversation runs.

use std::sync::Arc;

use base64::Engine;
use serde::Serialize;

/// The longest one message may be (`max_message_bytes` in a profile's `[websocket]`).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 16 << 20;

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Sent,
    Received,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Sent => "sent",
            Direction::Received => "received",
        }
    }
}

/// What a message was, as the `type` of a `--json` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Frame {
    Text {
        data: String,
    },
    /// A gRPC message, as its proto3 JSON.
    Message {
        data: String,
    },
    /// `data` is base64; `bytes` the decoded length.
    Binary {
        data: String,
        bytes: usize,
    },
    Ping {
        data: String,
    },
    Pong {
        data: String,
    },
    /// A close, with its code and reason when the close frame had them.
    Close {
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<u16>,
        reason: String,
    },
}

impl Frame {
    pub fn binary(bytes: &[u8]) -> Frame {
        Frame::Binary {
            data: base64::engine::general_purpose::STANDARD.encode(bytes),
            bytes: bytes.len(),
        }
    }

    /// The control frames' payload as text (lossy: they are at most 125 bytes, usually text).
    pub fn payload_text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Frame::Text { .. } => "text",
            Frame::Message { .. } => "message",
            Frame::Binary { .. } => "binary",
            Frame::Ping { .. } => "ping",
            Frame::Pong { .. } => "pong",
            Frame::Close { .. } => "close",
        }
    }

    /// The message's kind as a person reads it: `text`, `binary, 2 bytes, base64`, `close 1000`.
    pub fn label(&self) -> String {
        match self {
            Frame::Binary { bytes, .. } => format!("binary, {bytes} bytes, base64"),
            Frame::Close {
                code: Some(code), ..
            } => format!("close {code}"),
            other => other.type_name().to_string(),
        }
    }

    /// What the message carried, as one would read it (binary as base64).
    pub fn data(&self) -> &str {
        match self {
            Frame::Text { data } | Frame::Message { data } | Frame::Binary { data, .. } => data,
            Frame::Ping { data } | Frame::Pong { data } => data,
            Frame::Close { reason, .. } => reason,
        }
    }
}

/// One message of a conversation, with when it passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WsMessage {
    /// Since the request was sent.
    pub at_ms: u64,
    pub direction: Direction,
    #[serde(flatten)]
    pub frame: Frame,
}

impl WsMessage {
    /// One line of the conversation's transcript (the exchange's body, and the history's):
    /// `sent text: hello`, `received close 1000: bye`. No time, so two runs compare line by
    /// line; a line break in a message is written `\n`.
    pub fn transcript_line(&self) -> String {
        let what = match &self.frame {
            Frame::Close {
                code: Some(code), ..
            } => format!("close {code}"),
            other => other.type_name().to_string(),
        };
        let data = self
            .frame
            .data()
            .replace('\\', "\\\\")
            .replace('\r', "\\r")
            .replace('\n', "\\n");
        let control = !matches!(
            self.frame,
            Frame::Text { .. } | Frame::Message { .. } | Frame::Binary { .. }
        );
        match data.is_empty() && control {
            true => format!("{} {what}\n", self.direction.as_str()),
            false => format!("{} {what}: {data}\n", self.direction.as_str()),
        }
    }
}

/// A message a caller asks to send while the conversation runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing {
    Text(String),
    Binary(Vec<u8>),
    Ping,
    /// Close with this code (1000: normal) and reason; the conversation then ends.
    Close {
        code: u16,
        reason: String,
    },
}

/// The queue of messages to send, filled by the caller (stdin lines, the TUI's input line);
/// the conversation takes it. Closing the sender means nothing more will be sent.
#[derive(Clone)]
pub struct Outbox(Arc<tokio::sync::Mutex<tokio::sync::mpsc::Receiver<Outgoing>>>);

impl Outbox {
    /// A queue and the sender that fills it.
    pub fn channel(capacity: usize) -> (tokio::sync::mpsc::Sender<Outgoing>, Outbox) {
        let (to, from) = tokio::sync::mpsc::channel(capacity);
        (to, Outbox(Arc::new(tokio::sync::Mutex::new(from))))
    }

    /// The next message to send; None once the caller closed the queue.
    pub async fn next(&self) -> Option<Outgoing> {
        self.0.lock().await.recv().await
    }
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Outbox")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transcript_line_is_one_line_whatever_the_message_holds() {
        let m = |direction, frame| WsMessage {
            at_ms: 5,
            direction,
            frame,
        };
        let text = Frame::Text {
            data: "a\nb\\n".into(),
        };
        assert_eq!(
            m(Direction::Sent, text).transcript_line(),
            "sent text: a\\nb\\\\n\n"
        );
        let close = Frame::Close {
            code: Some(1000),
            reason: "bye".into(),
        };
        assert_eq!(
            m(Direction::Received, close).transcript_line(),
            "received close 1000: bye\n"
        );
        let json = serde_json::to_value(m(Direction::Received, Frame::binary(&[0, 255]))).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"at_ms": 5, "direction": "received", "type": "binary", "data": "AP8=", "bytes": 2})
        );
    }
}
