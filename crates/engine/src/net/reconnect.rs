//! An event stream opened again when the server closes it (`reconnect = true`): after the
//! server's `retry` (3 s by default), with `Last-Event-ID`, until the send's timeout; the
//! attempts add up to one exchange, its body bounded as one stream's.

use std::time::{Duration, Instant};

use crate::body::events::StreamEnd;
use crate::body::kept::STREAM_BODY_KEPT;
use crate::budget::Budget;
use crate::diagnose::failure::Failure;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::{Diagnosis, Exchange};
use crate::net::transport::Transport;
use crate::request::prepare::PreparedRequest;

/// How long to wait before a reconnect when the server never said (`retry`), as browsers do.
const DEFAULT_RETRY: Duration = Duration::from_secs(3);

/// At most this many reconnects in one send, whatever the timeout.
const MAX_RECONNECTS: u32 = 1000;

impl Transport {
    /// Sends `req` within `budget` and its timeout; an event stream with `reconnect` on is
    /// opened again each time the server closes it, until the timeout.
    pub async fn send_within(
        &self,
        req: &PreparedRequest,
        budget: &Budget,
    ) -> Result<Exchange, Failure> {
        if !req.options.reconnect || req.events.is_none() || req.websocket.is_some() {
            return self.attempt_within(req, budget).await;
        }
        let started = Instant::now();
        let timeout = Duration::from_secs(u64::from(req.options.timeout_secs));
        let budget = budget.clone().until(started + timeout);
        let mut result = self.attempt_within(req, &budget).await;
        while let Ok(ex) = &mut result
            && let Some(stream) = &mut ex.stream
            && stream.end == StreamEnd::Closed
            && stream.reconnects < MAX_RECONNECTS
        {
            let wait = stream.retry_ms.map_or(DEFAULT_RETRY, Duration::from_millis);
            if let Some(stopped) = sleep_within(&budget, wait).await {
                stream.end = match stopped {
                    crate::budget::Stopped::TimedOut => StreamEnd::TimeLimit,
                    crate::budget::Stopped::Cancelled => StreamEnd::Cancelled,
                };
                break;
            }
            let mut again = req.clone();
            // The events count and are timed from the first connection.
            if let Some(tap) = again.events.as_mut() {
                tap.since = Some(started);
                if let Some(max) = tap.max_events {
                    tap.max_events = Some(max.saturating_sub(stream.events));
                }
            }
            if again
                .events
                .as_ref()
                .is_some_and(|t| t.max_events == Some(0))
            {
                stream.end = StreamEnd::MaxEvents;
                break;
            }
            if !stream.last_id.is_empty() {
                again
                    .headers
                    .retain(|(k, _)| !k.eq_ignore_ascii_case("last-event-id"));
                again
                    .headers
                    .push(("Last-Event-ID".into(), stream.last_id.clone()));
            }
            let next = self.attempt_within(&again, &budget).await;
            let Ok(ex) = result else { break };
            result = Ok(joined(ex, next, started));
        }
        result
    }
}

/// Waits `wait`, looking at the budget every 200 ms; Some(why) when it ran out first.
async fn sleep_within(budget: &Budget, wait: Duration) -> Option<crate::budget::Stopped> {
    let until = Instant::now() + wait;
    loop {
        if let Err(stopped) = budget.check() {
            return Some(stopped);
        }
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        tokio::time::sleep(left.min(Duration::from_millis(200))).await;
    }
}

/// The stream so far followed by the next attempt: a stream again adds up; anything else ends
/// the stream where it was, said as a warning.
fn joined(mut ex: Exchange, next: Result<Exchange, Failure>, started: Instant) -> Exchange {
    let Some(stream) = ex.stream.take() else {
        return ex;
    };
    let refused = |ex: &mut Exchange, why: String| {
        ex.warnings.push(Diagnosis::new(
            DiagnosisKind::ConnectionClosed,
            format!("the server closed the event stream and opening it again failed: {why}"),
            "what came before is kept; the server's logs say why",
        ));
    };
    match next {
        Ok(mut next) if next.stream.is_some() => {
            let next_stream = next.stream.take().expect("checked above");
            let mut body = ex.body.to_vec();
            let room = usize::try_from(STREAM_BODY_KEPT).unwrap_or(usize::MAX);
            let fits = room.saturating_sub(body.len()).min(next.body.len());
            body.extend_from_slice(&next.body[..fits]);
            let mut joined = stream.then(next_stream);
            joined.body_cut |= fits < next.body.len();
            let body = bytes::Bytes::from(body);
            let ctype = crate::headers::get(&next.headers, "content-type").map(str::to_string);
            next.view =
                crate::exchange::build_view(&body, ctype.as_deref(), false, &Budget::unlimited())
                    .unwrap_or_default();
            next.decoded_size = body.len();
            next.encoded_size += ex.encoded_size;
            next.body = body;
            next.timing.total_ms = crate::net::phases::ms(started, Instant::now());
            // Each attempt warns again of the same things (an expiring key): said once.
            let mut warnings = ex.warnings;
            for w in next.warnings.drain(..) {
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
            next.warnings = warnings;
            next.stream = Some(joined);
            next
        }
        Ok(other) => {
            ex.stream = Some(stream);
            refused(
                &mut ex,
                format!(
                    "it answered {} {}, not an event stream",
                    other.status, other.reason
                ),
            );
            ex
        }
        Err(f) => {
            ex.stream = Some(stream);
            refused(&mut ex, f.diagnosis.message);
            ex
        }
    }
}
