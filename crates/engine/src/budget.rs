//! How long a send may still run and whether it was called off: every long step (reading,
//! decoding, indexing a body) checks it, so a timeout or a cancel stops the work, not only the socket.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Why a step stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Stopped {
    #[error("the send's time ran out")]
    TimedOut,
    #[error("the send was cancelled")]
    Cancelled,
}

/// A deadline and a cancel switch shared with whoever may call the work off.
#[derive(Debug, Clone, Default)]
pub struct Budget {
    deadline: Option<Instant>,
    cancel: Option<Arc<AtomicBool>>,
}

impl Budget {
    /// No deadline and no way to cancel (tests, history replays).
    pub fn unlimited() -> Budget {
        Budget::default()
    }

    pub fn until(mut self, deadline: Instant) -> Budget {
        self.deadline = Some(self.deadline.map_or(deadline, |d| d.min(deadline)));
        self
    }

    /// Ties this budget to a switch: setting it to true stops the work at its next check.
    pub fn cancelled_by(mut self, switch: Arc<AtomicBool>) -> Budget {
        self.cancel = Some(switch);
        self
    }

    pub fn check(&self) -> Result<(), Stopped> {
        if self
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
        {
            return Err(Stopped::Cancelled);
        }
        match self.deadline {
            Some(d) if Instant::now() >= d => Err(Stopped::TimedOut),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_switch_and_a_past_deadline_stop_the_work() {
        assert_eq!(Budget::unlimited().check(), Ok(()));
        let switch = Arc::new(AtomicBool::new(false));
        let b = Budget::unlimited().cancelled_by(switch.clone());
        assert_eq!(b.check(), Ok(()));
        switch.store(true, Ordering::Relaxed);
        assert_eq!(b.check(), Err(Stopped::Cancelled));
        let past = Budget::unlimited().until(Instant::now());
        assert_eq!(past.check(), Err(Stopped::TimedOut));
    }
}
