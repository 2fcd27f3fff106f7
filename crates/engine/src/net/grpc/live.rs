//! A stream of response messages shown as they arrive: each one decoded to JSON and handed to
//! the send's event tap (the CLI prints it, the workbench adds it to its live log), the first
//! and last ones kept for the history, and the stream ended at the count asked for.

use std::time::Instant;

use bytes::Bytes;
use prost_reflect::{DynamicMessage, MessageDescriptor};

use crate::body::events::{EventTap, StreamEnd, StreamItem, StreamSummary};
use crate::body::kept::{KEPT_FIRST, KEPT_LAST, Kept, KeptEvent};
use crate::body::messages::{Direction, Frame, WsMessage};
use crate::budget::Stopped;

/// Where a streaming call's messages go while it runs.
pub struct Live<'a> {
    tap: &'a EventTap,
    output: MessageDescriptor,
    since: Instant,
    kept: Kept<KeptEvent>,
    taken: u64,
    /// Why the stream ended early (None: the server ended it).
    pub end: Option<StreamEnd>,
}

impl<'a> Live<'a> {
    pub fn new(tap: &'a EventTap, output: MessageDescriptor, since: Instant) -> Live<'a> {
        Live {
            tap,
            output,
            since: tap.since.unwrap_or(since),
            kept: Kept::new(KEPT_FIRST, KEPT_LAST),
            taken: 0,
            end: None,
        }
    }

    /// Hands one message on; false when the stream should end here (the count asked for, or
    /// nobody reads any more).
    pub async fn take(&mut self, bytes: &Bytes) -> bool {
        let data = match DynamicMessage::decode(self.output.clone(), bytes.as_ref()) {
            Ok(m) => serde_json::to_string(&m).unwrap_or_default(),
            Err(e) => format!("(not a {}: {e})", self.output.full_name()),
        };
        let at_ms = u64::try_from(self.since.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.kept.push(KeptEvent::new(at_ms, "message", &data));
        self.taken += 1;
        let item = StreamItem::Message(WsMessage {
            at_ms,
            direction: Direction::Received,
            frame: Frame::Message { data },
        });
        if !self.tap.hand(item).await {
            self.end = Some(StreamEnd::ReaderGone);
            return false;
        }
        if self.tap.max_events.is_some_and(|n| self.taken >= n) {
            self.end = Some(StreamEnd::MaxEvents);
            return false;
        }
        true
    }

    /// How a stream stopped by the budget ended.
    pub fn end_for(&self, why: Stopped) -> StreamEnd {
        match why {
            Stopped::TimedOut => StreamEnd::TimeLimit,
            Stopped::Cancelled => StreamEnd::Cancelled,
        }
    }

    /// What the stream came to, for the exchange and the history.
    pub fn summary(&self, broken: bool) -> StreamSummary {
        let end = match (self.end, broken) {
            (Some(end), _) => end,
            (None, true) => StreamEnd::Broken,
            (None, false) => StreamEnd::Closed,
        };
        StreamSummary::of(self.taken, end, self.kept.clone())
    }
}
