//! The index being built over a body's text: where each display line starts and how deep it is
//! (a depth every CHECKPOINT lines, deltas between), and why building it stopped.

use crate::budget::Stopped;

/// Bytes between two budget checks while indexing.
pub(super) const CHECK_EVERY: usize = 1 << 20;
/// Lines between two stored depths; the depth of any other line is summed from its deltas.
pub(super) const CHECKPOINT: usize = 64;

#[derive(Debug, PartialEq, Default)]
pub(super) struct Index {
    pub(super) starts: Vec<u32>,
    /// Each line's depth minus the line before's (0 at a checkpoint).
    pub(super) deltas: Vec<i8>,
    /// The depth of every CHECKPOINT-th line.
    pub(super) checkpoints: Vec<u32>,
}

/// Why a body is not the JSON or XML it says it is, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexError {
    Syntax(SyntaxError),
    Stopped(Stopped),
}

impl From<Stopped> for IndexError {
    fn from(s: Stopped) -> Self {
        IndexError::Stopped(s)
    }
}

pub(super) fn syntax(message: &str, offset: usize) -> IndexError {
    IndexError::Syntax(SyntaxError {
        message: message.into(),
        offset,
    })
}

/// The largest text an index can address.
pub const MAX_TEXT: usize = 1 << 32;

pub(super) struct Builder {
    starts: Vec<u32>,
    deltas: Vec<i8>,
    checkpoints: Vec<u32>,
    last_depth: u32,
}

impl Builder {
    pub(super) fn new() -> Builder {
        Builder {
            starts: Vec::new(),
            deltas: Vec::new(),
            checkpoints: Vec::new(),
            last_depth: 0,
        }
    }

    pub(super) fn push(&mut self, start: usize, depth: u32) {
        if self.starts.len().is_multiple_of(CHECKPOINT) {
            self.checkpoints.push(depth);
            self.deltas.push(0);
        } else {
            let delta = i64::from(depth) - i64::from(self.last_depth);
            debug_assert!((-1..=1).contains(&delta), "depth moved by {delta}");
            self.deltas.push(delta.clamp(-128, 127) as i8);
        }
        self.starts.push(start as u32);
        self.last_depth = depth;
    }

    pub(super) fn finish(mut self) -> Index {
        self.starts.shrink_to_fit();
        self.deltas.shrink_to_fit();
        self.checkpoints.shrink_to_fit();
        Index {
            starts: self.starts,
            deltas: self.deltas,
            checkpoints: self.checkpoints,
        }
    }
}
