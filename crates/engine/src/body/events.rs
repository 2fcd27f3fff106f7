//! Server-Sent Events as they arrive: a `text/event-stream` answer is parsed while it is read
//! (sse-parse, the WHATWG algorithm) and each event is handed to whoever asked for them, so a
//! stream shows its events at once instead of when it ends, which may be never.

use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::body::kept::{KEPT_FIRST, KEPT_LAST, Kept, KeptEvent};
use crate::body::messages::{Outbox, WsMessage};

/// The longest one event may be; a longer one is dropped (and counted), the stream goes on.
pub const MAX_EVENT_BYTES: usize = 16 << 20;

/// One event of a stream, with when it arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StreamEvent {
    /// Since the request was sent.
    pub at_ms: u64,
    /// `message` when the server named no type.
    pub event: String,
    pub data: String,
    /// The last event id so far (empty until the server sends one).
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_ms: Option<u64>,
}

/// What a stream hands over as it arrives: an event of a `text/event-stream` answer, or a
/// message of a WebSocket conversation (sent or received).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum StreamItem {
    Event(StreamEvent),
    Message(WsMessage),
}

/// Where a stream's events go, and when to stop taking them.
#[derive(Clone)]
pub struct EventTap {
    /// Bounded: a reader that falls behind slows the stream down instead of filling memory.
    /// None: the events are only counted (a run reads a stream to its end or time limit).
    pub to: Option<tokio::sync::mpsc::Sender<StreamItem>>,
    /// End the stream after this many events (or messages received).
    pub max_events: Option<u64>,
    /// Messages to send on a WebSocket while it runs (after the profile's own).
    pub outbox: Option<Outbox>,
    /// When the stream began, for the events' times (a reconnected stream counts from its
    /// first connection); None: from this request.
    pub since: Option<Instant>,
}

impl EventTap {
    /// Events to `to`, as they arrive.
    pub fn to(to: tokio::sync::mpsc::Sender<StreamItem>, max_events: Option<u64>) -> EventTap {
        EventTap {
            to: Some(to),
            max_events,
            outbox: None,
            since: None,
        }
    }

    /// Events counted only: the stream still ends cleanly at its time limit.
    pub fn counting() -> EventTap {
        EventTap {
            to: None,
            max_events: None,
            outbox: None,
            since: None,
        }
    }

    /// The same tap, with messages to send taken from `outbox`.
    pub fn sending(mut self, outbox: Outbox) -> EventTap {
        self.outbox = Some(outbox);
        self
    }

    /// Hands `item` over; false when nobody reads any more.
    pub async fn hand(&self, item: StreamItem) -> bool {
        match &self.to {
            Some(to) => to.send(item).await.is_ok(),
            None => true,
        }
    }
}

impl std::fmt::Debug for EventTap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventTap")
            .field("max_events", &self.max_events)
            .finish_non_exhaustive()
    }
}

/// What kind of stream an exchange read: its words differ (events, or messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// Server-Sent Events.
    Events,
    WebSocket,
    /// A gRPC call's stream of response messages.
    GrpcCall,
}

/// Why a stream of events ended; every one of them is a normal end with what arrived kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StreamEnd {
    /// The server closed it.
    Closed,
    /// The number of events asked for arrived.
    MaxEvents,
    /// The send's time ran out (its timeout is the stream's length).
    TimeLimit,
    /// The user stopped it.
    Cancelled,
    /// What was kept reached the body size limit.
    BodyLimit,
    /// Whoever read the events went away.
    ReaderGone,
    /// A WebSocket message was over the most one message may be.
    MessageTooLarge,
    /// The connection broke (a WebSocket closed without a close frame).
    Broken,
}

/// What a stream of events came to, for the exchange and the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamSummary {
    pub events: u64,
    pub end: StreamEnd,
    /// Events over [`MAX_EVENT_BYTES`], dropped.
    #[serde(default)]
    pub oversized: u64,
    /// Messages sent (a WebSocket conversation; `events` counts those received).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub sent: u64,
    /// The first events (or messages received), at most [`KEPT_FIRST`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first: Vec<KeptEvent>,
    /// The last ones after those, at most [`KEPT_LAST`] (the ones between are only counted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last: Vec<KeptEvent>,
    /// The body holds only the stream's start: it reached its size in memory
    /// ([`crate::body::kept::STREAM_BODY_KEPT`], or `max_body` when lower) and the stream went on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub body_cut: bool,
    /// The last event id the server gave (sent back as `Last-Event-ID` on a reconnect).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub last_id: String,
    /// The server's last `retry` (how long to wait before a reconnect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_ms: Option<u64>,
    /// How many times the stream was opened again after the server closed it.
    #[serde(default, skip_serializing_if = "is_zero_u32")]
    pub reconnects: u32,
}

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}

impl StreamSummary {
    /// What a stream that kept `kept` came to.
    pub fn of(events: u64, end: StreamEnd, kept: Kept<KeptEvent>) -> StreamSummary {
        StreamSummary {
            events,
            end,
            oversized: 0,
            sent: 0,
            first: kept.first,
            last: kept.last.into(),
            body_cut: false,
            last_id: String::new(),
            retry_ms: None,
            reconnects: 0,
        }
    }

    /// This stream followed by `next`, the same stream opened again: counts added, the first
    /// events from the start and the last from the end, the end and the last id from `next`.
    pub fn then(self, next: StreamSummary) -> StreamSummary {
        let mut kept = Kept::new(KEPT_FIRST, KEPT_LAST);
        for e in self
            .first
            .into_iter()
            .chain(self.last)
            .chain(next.first)
            .chain(next.last)
        {
            kept.push(e);
        }
        StreamSummary {
            events: self.events + next.events,
            end: next.end,
            oversized: self.oversized + next.oversized,
            sent: self.sent + next.sent,
            first: kept.first,
            last: kept.last.into(),
            body_cut: self.body_cut || next.body_cut,
            last_id: if next.last_id.is_empty() {
                self.last_id
            } else {
                next.last_id
            },
            retry_ms: next.retry_ms.or(self.retry_ms),
            reconnects: self.reconnects + 1,
        }
    }

    /// Every kept event, first to last.
    pub fn kept(&self) -> impl Iterator<Item = &KeptEvent> {
        self.first.iter().chain(&self.last)
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Whether a Content-Type is an event stream.
pub fn is_event_stream(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/event-stream"))
}

/// Parses the decoded bytes of a stream as they come and hands each event to the tap.
pub struct EventReader {
    parser: sse_parse::SseParser,
    tap: EventTap,
    started: Instant,
    pub events: u64,
    kept: Kept<KeptEvent>,
    last_id: String,
    retry_ms: Option<u64>,
}

impl EventReader {
    pub fn new(tap: EventTap, started: Instant) -> EventReader {
        EventReader {
            parser: sse_parse::SseParser::new().max_buffer(MAX_EVENT_BYTES),
            started: tap.since.unwrap_or(started),
            tap,
            events: 0,
            kept: Kept::new(KEPT_FIRST, KEPT_LAST),
            last_id: String::new(),
            retry_ms: None,
        }
    }

    /// Feeds `bytes`; Some(end) when the stream should stop here (enough events, or nobody
    /// reads them any more).
    pub async fn feed(&mut self, bytes: &[u8]) -> Option<StreamEnd> {
        self.parser.feed(bytes);
        self.hand_over().await
    }

    /// The server closed the stream: an unfinished block is dropped, as the algorithm says.
    pub async fn finish(&mut self) -> Option<StreamEnd> {
        self.parser.finish();
        self.hand_over().await
    }

    async fn hand_over(&mut self) -> Option<StreamEnd> {
        while let Some(e) = self.parser.next_event() {
            if self.tap.max_events.is_some_and(|max| self.events >= max) {
                return Some(StreamEnd::MaxEvents);
            }
            let event = StreamEvent {
                at_ms: u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX),
                event: e.event,
                data: e.data,
                id: e.id,
                retry_ms: e
                    .retry
                    .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            };
            self.kept
                .push(KeptEvent::new(event.at_ms, &event.event, &event.data));
            self.last_id.clone_from(&event.id);
            self.retry_ms = event.retry_ms.or(self.retry_ms);
            if !self.tap.hand(StreamItem::Event(event)).await {
                return Some(StreamEnd::ReaderGone);
            }
            self.events += 1;
        }
        self.tap
            .max_events
            .is_some_and(|max| self.events >= max)
            .then_some(StreamEnd::MaxEvents)
    }

    pub fn summary(&self, end: StreamEnd) -> StreamSummary {
        StreamSummary {
            oversized: self.parser.overflows(),
            last_id: self.last_id.clone(),
            retry_ms: self.retry_ms,
            ..StreamSummary::of(self.events, end, self.kept.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn events_split_anywhere_arrive_whole_and_the_count_stops_the_stream() {
        let (to, mut from) = tokio::sync::mpsc::channel(16);
        let mut r = EventReader::new(EventTap::to(to, Some(2)), Instant::now());
        assert_eq!(r.feed(b": keep-alive\n\nevent: add\nda").await, None);
        assert_eq!(r.feed(b"ta: {\"n\": 1}\nid: 7\n\n").await, None);
        let Some(StreamItem::Event(first)) = from.recv().await else {
            panic!("an event first")
        };
        assert_eq!(
            (first.event.as_str(), first.data.as_str(), first.id.as_str()),
            ("add", "{\"n\": 1}", "7")
        );
        assert_eq!(
            r.feed(b"data: a\r\ndata: b\r\n\r\ndata: third\n\n").await,
            Some(StreamEnd::MaxEvents)
        );
        let Some(StreamItem::Event(second)) = from.recv().await else {
            panic!("an event second")
        };
        assert_eq!(
            (second.event.as_str(), second.data.as_str()),
            ("message", "a\nb")
        );
        assert!(from.try_recv().is_err(), "no third event past max_events");
        assert_eq!(r.summary(StreamEnd::MaxEvents).events, 2);
    }

    #[test]
    fn the_media_type_decides_not_its_parameters() {
        assert!(is_event_stream(Some("text/event-stream")));
        assert!(is_event_stream(Some("Text/Event-Stream; charset=utf-8")));
        assert!(!is_event_stream(Some("application/json")));
        assert!(!is_event_stream(None));
    }
}
