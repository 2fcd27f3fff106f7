//! An open WebSocket: the profile's messages, then the outbox's, sent; what arrives handed over
//! and written to the transcript; the end (a close, a limit, the time, a stop) said.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};

use crate::body::events::{EventTap, StreamEnd, StreamItem};
use crate::body::kept::{Kept, KeptEvent};
use crate::body::messages::{Direction, Frame, Outgoing, WsMessage};
use crate::budget::{Budget, Stopped};
use crate::diagnose::fix::Fix;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::Diagnosis;

use super::{CLOSE_GRACE, Socket};

/// An open socket and what has passed on it.
pub(super) struct Conversation {
    pub(super) socket: Socket,
    pub(super) tap: EventTap,
    pub(super) started: Instant,
    /// One line a message, up to `limit` bytes.
    pub(super) transcript: Vec<u8>,
    pub(super) limit: usize,
    /// The first and last messages received, for the exchange's summary.
    pub(super) kept: Kept<KeptEvent>,
    /// The transcript reached `limit`: it holds the conversation's start.
    pub(super) body_cut: bool,
    pub(super) received: u64,
    pub(super) sent: u64,
    pub(super) warnings: Vec<Diagnosis>,
    pub(super) max_message_bytes: usize,
}

/// What the conversation waits for next.
enum Next {
    Received(Option<Result<Message, tungstenite::Error>>),
    ToSend(Option<Outgoing>),
    Tick,
}

impl Conversation {
    /// Sends `first`, then whatever the outbox brings, and takes what arrives, until an end.
    pub(super) async fn run(&mut self, first: &[String], budget: &Budget) -> StreamEnd {
        for text in first {
            if let Some(end) = self.send(Outgoing::Text(text.clone())).await {
                return end;
            }
        }
        let outbox = self.tap.outbox.clone();
        let mut outbox_open = outbox.is_some();
        loop {
            if let Err(stopped) = budget.check() {
                self.close_with(1000, "").await;
                return match stopped {
                    Stopped::TimedOut => StreamEnd::TimeLimit,
                    Stopped::Cancelled => StreamEnd::Cancelled,
                };
            }
            let next = tokio::select! {
                m = self.socket.next() => Next::Received(m),
                o = async { outbox.as_ref().expect("open outbox").next().await }, if outbox_open => Next::ToSend(o),
                () = tokio::time::sleep(Duration::from_millis(200)) => Next::Tick,
            };
            match next {
                Next::Tick => {}
                Next::ToSend(None) => outbox_open = false,
                Next::ToSend(Some(out)) => {
                    if let Some(end) = self.send(out).await {
                        return end;
                    }
                }
                Next::Received(None) => return StreamEnd::Closed,
                Next::Received(Some(Ok(message))) => {
                    if let Some(end) = self.take(message).await {
                        return end;
                    }
                }
                Next::Received(Some(Err(e))) => return self.broken(e),
            }
        }
    }

    /// Sends one message and notes it; Some(end) when the conversation ends with it.
    async fn send(&mut self, out: Outgoing) -> Option<StreamEnd> {
        let (message, frame) = match out {
            Outgoing::Text(t) => (Message::text(t.clone()), Frame::Text { data: t }),
            Outgoing::Binary(b) => {
                let frame = Frame::binary(&b);
                (Message::binary(b), frame)
            }
            Outgoing::Ping => (
                Message::Ping(bytes::Bytes::new()),
                Frame::Ping {
                    data: String::new(),
                },
            ),
            Outgoing::Close { code, reason } => {
                self.close_with(code, &reason).await;
                return Some(StreamEnd::Cancelled);
            }
        };
        if let Err(e) = self.socket.send(message).await {
            return Some(self.broken(e));
        }
        self.sent += 1;
        self.note(Direction::Sent, frame).await
    }

    /// Notes one message that arrived; Some(end) when the conversation ends with it.
    async fn take(&mut self, message: Message) -> Option<StreamEnd> {
        let frame = match message {
            Message::Text(t) => Frame::Text {
                data: t.as_str().to_string(),
            },
            Message::Binary(b) => Frame::binary(&b),
            Message::Ping(p) => {
                // tungstenite queued the pong; it goes out now, not with the next message.
                let _ = self.socket.flush().await;
                Frame::Ping {
                    data: Frame::payload_text(&p),
                }
            }
            Message::Pong(p) => Frame::Pong {
                data: Frame::payload_text(&p),
            },
            Message::Close(close) => {
                let (code, reason) = match close {
                    Some(c) => (Some(u16::from(c.code)), c.reason.as_str().to_string()),
                    None => (None, String::new()),
                };
                if code.is_some_and(|c| c != 1000 && c != 1001) {
                    self.warnings.push(Diagnosis::new(
                        DiagnosisKind::WsClosedByServer,
                        format!(
                            "the server closed the WebSocket with code {} ({}){}",
                            code.unwrap_or_default(),
                            close_meaning(code.unwrap_or_default()),
                            if reason.is_empty() {
                                String::new()
                            } else {
                                format!(": {reason}")
                            }
                        ),
                        "the code and reason are the server's; its logs say more",
                    ));
                }
                let _ = self
                    .note(Direction::Received, Frame::Close { code, reason })
                    .await;
                // tungstenite answers the close; the socket ends after that.
                let _ = tokio::time::timeout(CLOSE_GRACE, self.socket.close(None)).await;
                return Some(StreamEnd::Closed);
            }
            Message::Frame(_) => return None,
        };
        self.received += 1;
        let at_ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.kept
            .push(KeptEvent::new(at_ms, frame.type_name(), frame.data()));
        if let Some(end) = self.note(Direction::Received, frame).await {
            return Some(end);
        }
        self.tap
            .max_events
            .is_some_and(|max| self.received >= max)
            .then_some(())?;
        self.close_with(1000, "").await;
        Some(StreamEnd::MaxEvents)
    }

    /// Hands a message over and writes it to the transcript.
    async fn note(&mut self, direction: Direction, frame: Frame) -> Option<StreamEnd> {
        let message = WsMessage {
            at_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
            direction,
            frame,
        };
        let line = message.transcript_line();
        if !self.tap.hand(StreamItem::Message(message)).await {
            return Some(StreamEnd::ReaderGone);
        }
        // Past its size the transcript stays as it is; the conversation goes on.
        if self.body_cut || self.transcript.len() + line.len() > self.limit {
            self.body_cut = true;
            return None;
        }
        self.transcript.extend_from_slice(line.as_bytes());
        None
    }

    /// Ends the conversation from our side: a close frame, and a short wait for the answer.
    async fn close_with(&mut self, code: u16, reason: &str) {
        let frame = CloseFrame {
            code: CloseCode::from(code),
            reason: reason.to_string().into(),
        };
        if self.socket.send(Message::Close(Some(frame))).await.is_err() {
            return;
        }
        // The server's close in return ends the wait (what arrives before it is dropped).
        let answered = async {
            while let Some(Ok(m)) = self.socket.next().await {
                if m.is_close() {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(CLOSE_GRACE, answered).await;
        {
            let close = Frame::Close {
                code: Some(code),
                reason: reason.to_string(),
            };
            let message = WsMessage {
                at_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
                direction: Direction::Sent,
                frame: close,
            };
            let line = message.transcript_line();
            let _ = self.tap.hand(StreamItem::Message(message)).await;
            if self.transcript.len() + line.len() <= self.limit {
                self.transcript.extend_from_slice(line.as_bytes());
            }
        }
    }

    /// The socket failed while open: a message over the limit, or a connection that broke.
    fn broken(&mut self, e: tungstenite::Error) -> StreamEnd {
        match e {
            tungstenite::Error::Capacity(c) => {
                self.warnings.push(
                    Diagnosis::new(
                        DiagnosisKind::WsMessageTooLarge,
                        format!(
                            "the server sent a message over the {} bytes certbench takes ({c}); the conversation ended there, what came before is kept",
                            self.max_message_bytes
                        ),
                        "",
                    )
                    .with_step(Fix::RaiseMessageLimit),
                );
                StreamEnd::MessageTooLarge
            }
            tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
                StreamEnd::Closed
            }
            other => {
                self.warnings.push(Diagnosis::new(
                    DiagnosisKind::WsClosedByServer,
                    format!("the WebSocket connection broke without a close frame (1006): {other}"),
                    "the server or something on the way dropped the connection; its logs say more",
                ));
                StreamEnd::Broken
            }
        }
    }
}

/// What a close code means, as RFC 6455 and the IANA registry name it.
fn close_meaning(code: u16) -> &'static str {
    match code {
        1000 => "normal closure",
        1001 => "going away",
        1002 => "protocol error",
        1003 => "unsupported data",
        1007 => "invalid payload data",
        1008 => "policy violation",
        1009 => "message too big",
        1010 => "mandatory extension missing",
        1011 => "internal server error",
        1012 => "service restart",
        1013 => "try again later",
        1014 => "bad gateway",
        3000 => "unauthorized",
        3003 => "forbidden",
        4000..=4999 => "the application's own code",
        _ => "no registered meaning",
    }
}
