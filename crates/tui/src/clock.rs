//! The time as the event loop read it: `update` and `view` read it from the state, never from the
//! system, so both stay pure and tests set it.

use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    /// Wall-clock time, for names and dates.
    pub unix_ms: i64,
    /// Monotonic time, for durations.
    pub instant: Instant,
}

impl Now {
    /// The one place the workbench reads the system clock (the event loop and its ticker).
    pub fn read() -> Now {
        Now {
            unix_ms: engine::clock::now_ms(),
            instant: Instant::now(),
        }
    }

    /// A fixed wall-clock time (for tests and snapshots).
    pub fn at(unix_ms: i64) -> Now {
        Now {
            unix_ms,
            instant: Instant::now(),
        }
    }

    /// "HHMMSS" in UTC, for file names.
    pub fn hms(&self) -> String {
        let secs = self.unix_ms.max(0) / 1000;
        format!(
            "{:02}{:02}{:02}",
            (secs / 3600) % 24,
            (secs / 60) % 60,
            secs % 60
        )
    }

    /// Seconds since `then`, by the monotonic clock.
    pub fn secs_since(&self, then: Instant) -> f64 {
        self.instant.saturating_duration_since(then).as_secs_f64()
    }
}

impl Default for Now {
    fn default() -> Now {
        Now::read()
    }
}
