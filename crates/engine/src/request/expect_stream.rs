//! `[expect.stream]`: what an event stream or a WebSocket must bring: at least so many events
//! (or messages received), within so long, and JSON checks on the first, the last or any of
//! the events the exchange keeps.

use crate::request::bad_expectation::BadExpectation;
use serde::{Deserialize, Serialize};

use crate::body::kept::{KEPT_FIRST, KeptEvent};
use crate::exchange::Exchange;
use crate::request::json_check::{JsonCheck, json_check};

/// The rules on a stream; each one set counts as one expectation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamRule {
    /// At least this many events (or messages received).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u64>,
    /// The `min`-th event (the first, without `min`) arrived within this many ms of the send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_ms: Option<u64>,
    /// Checks on the first event's data, read as JSON.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub first: Vec<JsonCheck>,
    /// Checks on the last event's data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last: Vec<JsonCheck>,
    /// Checks that some kept event meets (each check on its own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any: Vec<JsonCheck>,
}

impl StreamRule {
    /// The rules' own problems, before any send.
    pub fn check_rules(&self) -> Result<(), BadExpectation> {
        if self.within_ms.is_some() && self.min.unwrap_or(1) > KEPT_FIRST as u64 {
            return Err(BadExpectation::StreamMinBeyondKept { kept: KEPT_FIRST });
        }
        for c in self.first.iter().chain(&self.last).chain(&self.any) {
            serde_json_path::JsonPath::parse(&c.path).map_err(|e| BadExpectation::JsonPath {
                within: "stream",
                path: c.path.clone(),
                reason: e.to_string(),
            })?;
        }
        Ok(())
    }

    /// Each rule's outcome: (met, what failed in words).
    pub fn outcomes(&self, ex: &Exchange) -> Vec<(bool, String)> {
        let mut out = Vec::new();
        let Some(stream) = &ex.stream else {
            out.push((
                false,
                format!(
                    "expect.stream: the answer ({} {}) was not a stream of events",
                    ex.status, ex.reason
                ),
            ));
            return out;
        };
        let n = stream.events;
        if let Some(min) = self.min {
            out.push((n >= min, format!("{n} events came, fewer than min = {min}")));
        }
        if let Some(within) = self.within_ms {
            let nth = usize::try_from(self.min.unwrap_or(1).max(1) - 1).unwrap_or(usize::MAX);
            let at = stream.first.get(nth).map(|e| e.at_ms);
            out.push(match at {
                Some(at) => (
                    at <= within,
                    format!(
                        "event {} came at {at} ms, after within_ms = {within}",
                        nth + 1
                    ),
                ),
                None => (
                    false,
                    format!("event {} never came (within_ms = {within})", nth + 1),
                ),
            });
        }
        let as_json = |e: &KeptEvent| serde_json::from_str::<serde_json::Value>(&e.data).ok();
        let on = |which: &str, e: Option<&KeptEvent>, c: &JsonCheck| match e {
            Some(e) => {
                let (ok, said) = json_check(c, as_json(e).as_ref());
                (ok, format!("the {which} event: {said}"))
            }
            None => (false, format!("no {which} event came ({})", c.path)),
        };
        for c in &self.first {
            out.push(on("first", stream.first.first(), c));
        }
        for c in &self.last {
            out.push(on("last", stream.kept().last(), c));
        }
        for c in &self.any {
            let met = stream.kept().any(|e| json_check(c, as_json(e).as_ref()).0);
            out.push((
                met,
                format!(
                    "no kept event meets {} (the first {KEPT_FIRST} and the last events are kept)",
                    c.path
                ),
            ));
        }
        out
    }
}
