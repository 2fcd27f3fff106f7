//! A stream as it runs: the last events of a `text/event-stream` answer or the last messages of
//! a WebSocket, in a ring of bounded size, each with its data pretty-printed when it is JSON.

use std::collections::VecDeque;

use engine::body::events::StreamItem;
use engine::body::messages::Direction;

/// How many entries the live log keeps; older ones leave as new ones come (the whole stream
/// is in the body once it ends, up to the body size limit).
pub const LIVE_RING: usize = 1000;

/// The most lines one entry shows (a large JSON message is cut, with the count of the rest).
const ENTRY_LINES: usize = 40;

/// Which way an entry went, for its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// An event of a stream.
    Event,
    Sent,
    Received,
}

/// One event or message as the live log shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEntry {
    pub flow: Flow,
    /// `+1.234s order  id 7`, `+0.005s < text`.
    pub head: String,
    /// The data, pretty when it is JSON, at most [`ENTRY_LINES`] lines.
    pub lines: Vec<String>,
}

impl LiveEntry {
    pub fn of(item: &StreamItem) -> LiveEntry {
        let at = |ms: u64| format!("+{:.3}s", ms as f64 / 1000.0);
        match item {
            StreamItem::Event(e) => {
                let id = if e.id.is_empty() {
                    String::new()
                } else {
                    format!("  id {}", e.id)
                };
                LiveEntry {
                    flow: Flow::Event,
                    head: format!("{} {}{id}", at(e.at_ms), e.event),
                    lines: pretty(&e.data),
                }
            }
            StreamItem::Message(m) => {
                let (flow, arrow) = match m.direction {
                    Direction::Sent => (Flow::Sent, ">"),
                    Direction::Received => (Flow::Received, "<"),
                };
                let what = m.frame.label();
                LiveEntry {
                    flow,
                    head: format!("{} {arrow} {what}", at(m.at_ms)),
                    lines: pretty(m.frame.data()),
                }
            }
        }
    }

    /// Whether the entry's head or data holds `text` (case-insensitive).
    pub fn holds(&self, text: &str) -> bool {
        let text = text.to_lowercase();
        std::iter::once(&self.head)
            .chain(&self.lines)
            .any(|l| l.to_lowercase().contains(&text))
    }

    /// The entry in one short line, for the status line.
    pub fn short(&self) -> String {
        let head = self.head.split_once(' ').map_or("", |(_, rest)| rest);
        // Pretty JSON back on one line: `{ "order": 7, ... }`.
        let data: Vec<&str> = self.lines.iter().take(8).map(|l| l.trim()).collect();
        format!("{head} {}", data.join(" "))
            .chars()
            .take(60)
            .collect()
    }
}

/// `data` as lines: JSON pretty-printed, else as it came; cut at [`ENTRY_LINES`].
fn pretty(data: &str) -> Vec<String> {
    let text = match serde_json::from_str::<serde_json::Value>(data) {
        Ok(v) if v.is_object() || v.is_array() => {
            serde_json::to_string_pretty(&v).unwrap_or_else(|_| data.to_string())
        }
        _ => data.to_string(),
    };
    let mut lines: Vec<String> = text.lines().take(ENTRY_LINES).map(str::to_string).collect();
    let total = text.lines().count();
    if total > ENTRY_LINES {
        lines.push(format!("... {} more lines", total - ENTRY_LINES));
    }
    lines
}

/// The live log of a stream in flight.
#[derive(Debug, Clone, Default)]
pub struct LiveLog {
    pub entries: VecDeque<LiveEntry>,
    /// Entries that left the ring.
    pub dropped: u64,
    /// Only the entries holding this text are shown (`/` in the log).
    pub filter: Option<String>,
    /// How many entries the ring holds (0: [`LIVE_RING`]).
    pub cap: usize,
    /// Paused: the view stays where it is while entries come.
    pub paused: bool,
    /// While paused, how many entries from the end the view's last one is.
    pub back: usize,
}

impl LiveLog {
    /// An empty log holding at most `cap` entries.
    pub fn holding(cap: usize) -> LiveLog {
        LiveLog {
            cap,
            ..LiveLog::default()
        }
    }

    /// Adds `entries`, keeping the last [`LIVE_RING`]; a paused view stays on what it showed.
    pub fn extend(&mut self, entries: Vec<LiveEntry>) {
        let added = entries.len();
        let cap = if self.cap == 0 { LIVE_RING } else { self.cap };
        for e in entries {
            if self.entries.len() >= cap {
                self.entries.pop_front();
                self.dropped += 1;
            }
            self.entries.push_back(e);
        }
        if self.paused {
            self.back = (self.back + added).min(self.entries.len().saturating_sub(1));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Moves the view `n` entries back (older) or forward (newer); at the newest it follows again.
    pub fn scroll(&mut self, older: bool, n: usize) {
        if older {
            self.paused = true;
            self.back = (self.back + n).min(self.entries.len().saturating_sub(1));
        } else {
            self.back = self.back.saturating_sub(n);
            if self.back == 0 {
                self.paused = false;
            }
        }
    }

    /// Pauses or follows again.
    pub fn toggle_follow(&mut self) {
        self.paused = !self.paused;
        if !self.paused {
            self.back = 0;
        }
    }

    /// The entries that end the view (those the filter keeps): up to the newest, or up to
    /// `back` from it when paused.
    pub fn visible(&self) -> Vec<&LiveEntry> {
        let kept: Vec<&LiveEntry> = self
            .entries
            .iter()
            .filter(|e| self.filter.as_deref().is_none_or(|f| e.holds(f)))
            .collect();
        let end = kept.len().saturating_sub(self.back);
        kept.into_iter().take(end).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: usize) -> LiveEntry {
        LiveEntry {
            flow: Flow::Event,
            head: format!("+0.000s e{n}"),
            lines: vec![n.to_string()],
        }
    }

    #[test]
    fn the_ring_keeps_the_last_entries_and_a_paused_view_stays_put() {
        let mut log = LiveLog::default();
        log.extend((0..LIVE_RING + 5).map(entry).collect());
        assert_eq!(log.entries.len(), LIVE_RING);
        assert_eq!(log.dropped, 5);
        assert_eq!(log.visible().last().copied().unwrap().lines, ["1004"]);
        log.scroll(true, 3);
        let shown = log.visible().last().copied().unwrap().clone();
        log.extend(vec![entry(9999)]);
        assert_eq!(
            log.visible().last().copied(),
            Some(&shown),
            "paused: same entry"
        );
        log.toggle_follow();
        assert_eq!(log.visible().last().copied().unwrap().lines, ["9999"]);
        log.filter = Some("E100".into());
        let heads: Vec<&str> = log.visible().iter().map(|e| e.head.as_str()).collect();
        assert_eq!(heads.len(), 6, "e100 and e1000-e1004: {heads:?}");
    }

    #[test]
    fn a_profile_sets_how_many_entries_the_ring_holds() {
        let mut log = LiveLog::holding(20);
        log.extend((0..100).map(entry).collect());
        assert_eq!(log.entries.len(), 20);
        assert_eq!(log.entries.front().unwrap().lines, ["80"]);
    }

    #[test]
    fn json_data_is_pretty_and_long_data_is_cut() {
        assert_eq!(pretty("{\"a\":1}"), ["{", "  \"a\": 1", "}"]);
        assert_eq!(pretty("plain"), ["plain"]);
        let long = (0..100)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        let lines = pretty(&long);
        assert_eq!(lines.len(), ENTRY_LINES + 1);
        assert_eq!(lines.last().unwrap(), "... 60 more lines");
    }
}
