//! Where a send's time went: the moments a connection passes (name lookup, TCP or proxy tunnel,
//! TLS) as the client's resolver, connector and key exchange report them, and the phases made
//! from them for the final request: they add up to the total.

use std::sync::Mutex;
use std::time::Instant;

use crate::exchange::Timing;

/// The moments of the client's latest connection.
#[derive(Debug, Default, Clone, Copy)]
struct Moments {
    connect_start: Option<Instant>,
    dns_start: Option<Instant>,
    dns_end: Option<Instant>,
    tls_start: Option<Instant>,
    connect_end: Option<Instant>,
}

/// One client's connection clock; the connector, resolver and key exchange write to it.
#[derive(Debug, Default)]
pub struct ConnectionClock {
    latest: Mutex<Moments>,
}

/// A moment in a connection's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    ConnectStart,
    DnsStart,
    DnsEnd,
    /// The ClientHello's key share: TCP (and any proxy tunnel) is done, TLS begins.
    TlsStart,
    ConnectEnd,
}

impl ConnectionClock {
    pub fn mark(&self, moment: Moment) {
        let now = Instant::now();
        let mut m = self.latest.lock().unwrap_or_else(|e| e.into_inner());
        match moment {
            Moment::ConnectStart => {
                *m = Moments {
                    connect_start: Some(now),
                    ..Moments::default()
                }
            }
            Moment::DnsStart => m.dns_start = Some(now),
            Moment::DnsEnd => m.dns_end = Some(now),
            // A HelloRetryRequest or TLS 1.2's server key exchange starts another share: the
            // first one is when TLS began.
            Moment::TlsStart => {
                if m.tls_start.is_none() && m.connect_end.is_none() {
                    m.tls_start = Some(now)
                }
            }
            Moment::ConnectEnd => m.connect_end = Some(now),
        }
    }

    fn latest(&self) -> Moments {
        *self.latest.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The instants of one send, from which its phases are cut.
#[derive(Debug, Clone, Copy)]
pub struct SendMoments {
    pub started: Instant,
    /// When the final request (after any redirects) was handed to the client.
    pub final_hop: Instant,
    /// When its body was fully handed to the connection, if it had one.
    pub body_sent: Option<Instant>,
    pub headers: Instant,
    pub body_read: Instant,
    pub done: Instant,
}

pub(crate) fn ms(from: Instant, to: Instant) -> f64 {
    let d = to.saturating_duration_since(from);
    (d.as_secs_f64() * 1000.0 * 10.0).round() / 10.0
}

impl SendMoments {
    /// The phases, each from the end of the one before: they add up to `total_ms`.
    pub fn timing(&self, clock: &ConnectionClock) -> Timing {
        let c = clock.latest();
        let fresh = c.connect_start.is_some_and(|s| {
            s >= self.final_hop && c.connect_end.is_some_and(|e| e <= self.headers)
        });
        let mut t = Timing {
            redirects_ms: ms(self.started, self.final_hop),
            reused: !fresh,
            ..Timing::default()
        };
        let mut at = self.final_hop;
        if fresh {
            if let (Some(ds), Some(de)) = (c.dns_start, c.dns_end) {
                // Time before the lookup (connector set-up) counts as connecting.
                t.dns_ms = ms(ds.max(at), de);
                t.connect_ms += ms(at, ds.max(at));
                at = de.max(at);
            }
            let end = c.connect_end.unwrap_or(at);
            match c.tls_start {
                Some(ts) if ts >= at && ts <= end => {
                    t.connect_ms += ms(at, ts);
                    t.tls_ms = ms(ts, end);
                }
                _ => t.connect_ms += ms(at, end),
            }
            at = end.max(at);
        }
        if let Some(sent) = self.body_sent.filter(|s| *s > at && *s <= self.headers) {
            t.request_ms = ms(at, sent);
            at = sent;
        }
        t.wait_ms = ms(at, self.headers);
        t.download_ms = ms(self.headers, self.body_read);
        t.process_ms = ms(self.body_read, self.done);
        t.headers_ms = ms(self.started, self.headers);
        t.body_ms = t.download_ms;
        t.total_ms = ms(self.started, self.done);
        // Sums of rounded parts: rounded again, so 0.1 + 0.2 reads 0.3.
        for phase in [&mut t.connect_ms, &mut t.dns_ms, &mut t.tls_ms] {
            *phase = (*phase * 10.0).round() / 10.0;
        }
        t
    }
}
