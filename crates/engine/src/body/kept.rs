//! What an endless stream keeps: its first items and a ring of its last, with a count of those
//! in between, so memory stays bounded however long the stream runs.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// How many of a stream's first and last events the exchange (and the history) keeps.
pub const KEPT_FIRST: usize = 50;
pub const KEPT_LAST: usize = 10;

/// The most of a stream's body held in memory (less when `max_body` is lower): past it the
/// stream goes on, its events handed over and counted, the body no longer growing.
pub const STREAM_BODY_KEPT: u64 = 16 << 20;

/// The most bytes of one kept event's data (the rest is cut, said by `cut`).
pub const KEPT_DATA_BYTES: usize = 16 << 10;

/// One event or received message as kept: its time, its type and its data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptEvent {
    pub at_ms: u64,
    /// The event's type (`message` by default), or the message's (`text`, `binary`, ...).
    pub kind: String,
    pub data: String,
    /// The data was longer than [`KEPT_DATA_BYTES`] and is cut here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cut: bool,
}

impl KeptEvent {
    pub fn new(at_ms: u64, kind: &str, data: &str) -> KeptEvent {
        let cut = data.len() > KEPT_DATA_BYTES;
        let mut end = data.len().min(KEPT_DATA_BYTES);
        while !data.is_char_boundary(end) {
            end -= 1;
        }
        KeptEvent {
            at_ms,
            kind: kind.to_string(),
            data: data.get(..end).unwrap_or_default().to_string(),
            cut,
        }
    }
}

/// The first `first` items and the last `last`, with the count of those dropped between.
#[derive(Debug, Clone)]
pub struct Kept<T> {
    pub first: Vec<T>,
    pub last: VecDeque<T>,
    /// Items neither among the first nor among the last.
    pub skipped: u64,
    cap_first: usize,
    cap_last: usize,
}

impl<T> Kept<T> {
    pub fn new(cap_first: usize, cap_last: usize) -> Kept<T> {
        Kept {
            first: Vec::new(),
            last: VecDeque::new(),
            skipped: 0,
            cap_first,
            cap_last,
        }
    }

    pub fn push(&mut self, item: T) {
        if self.first.len() < self.cap_first {
            self.first.push(item);
            return;
        }
        if self.last.len() == self.cap_last {
            self.last.pop_front();
            self.skipped += 1;
        }
        if self.cap_last > 0 {
            self.last.push_back(item);
        } else {
            self.skipped += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_and_the_last_are_kept_and_the_rest_counted() {
        let mut k = Kept::new(3, 2);
        for i in 0..10 {
            k.push(i);
        }
        assert_eq!(k.first, [0, 1, 2]);
        assert_eq!(k.last, [8, 9]);
        assert_eq!(k.skipped, 5);
        let long = "é".repeat(KEPT_DATA_BYTES);
        let e = KeptEvent::new(1, "text", &long);
        assert!(e.cut && e.data.len() <= KEPT_DATA_BYTES);
    }
}
