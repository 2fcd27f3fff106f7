//! The index being built over a body's text: where each display line starts and how deep it is,
//! as an absolute start and depth every CHECKPOINT lines and, between them, either found again
//! from the text (plain text and JSON, whose line breaks follow from the bytes alone) or packed
//! to about 1.3 bytes a line (XML: a byte of step and two bits of depth change); and why building
//! it stopped.

use super::json_lines;
use crate::budget::Stopped;

/// Bytes between two budget checks while indexing.
pub(super) const CHECK_EVERY: usize = 1 << 20;
/// Lines between two stored starts and depths; any other line's are summed from their steps.
pub(super) const CHECKPOINT: usize = 64;
/// A step that does not fit a byte: the line's start is in `far`.
const FAR: u8 = u8::MAX;
/// Two-bit depth moves: the same, one deeper, one shallower, any other (the depth is in `odd`).
const SAME: u8 = 0;
const DEEPER: u8 = 1;
const SHALLOWER: u8 = 2;
const ODD: u8 = 3;

/// How the lines between two checkpoints are had.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Between {
    /// Stored: a step and a depth move each (XML, where a line break depends on the tree).
    #[default]
    Stored,
    /// Found again: each line starts after a `\n`, at depth 0.
    Newlines,
    /// Found again by `json_lines::next_line`.
    Json,
}

#[derive(Debug, PartialEq, Default)]
pub(super) struct Index {
    len: usize,
    between: Between,
    /// The start of every CHECKPOINT-th line.
    bases: Vec<u32>,
    /// Each line's start minus the line before's (0 at a checkpoint), FAR when over a byte.
    steps: Vec<u8>,
    /// (line, start) of each line whose step is FAR, by line; when lines are found again, each
    /// line FAR or more bytes after the one before, so that finding one reads under FAR bytes.
    far: Vec<(u32, u32)>,
    /// The depth of every CHECKPOINT-th line.
    checkpoints: Vec<u32>,
    /// Each line's depth move from the line before, two bits a line, four a byte.
    moves: Vec<u8>,
    /// (line, depth) of each line whose move is ODD, by line; when lines are found again, the
    /// depth of each line in `far`.
    odd: Vec<(u32, u32)>,
}

fn side(table: &[(u32, u32)], line: usize) -> u32 {
    table
        .binary_search_by_key(&line, |(l, _)| *l as usize)
        .map_or(0, |k| table[k].1)
}

impl Index {
    pub(super) fn len(&self) -> usize {
        self.len
    }

    fn step(&self, line: usize, at: usize) -> usize {
        match self.steps[line] {
            FAR => side(&self.far, line) as usize,
            s => at + usize::from(s),
        }
    }

    fn moved(&self, line: usize, depth: u32) -> u32 {
        match (self.moves[line / 4] >> (line % 4 * 2)) & 3 {
            SAME => depth,
            DEEPER => depth.saturating_add(1),
            SHALLOWER => depth.saturating_sub(1),
            _ => side(&self.odd, line),
        }
    }

    /// Line `line`'s start and depth from the line before's (`at`, `depth`).
    fn next(&self, text: &[u8], line: usize, at: usize, depth: u32) -> (usize, u32) {
        match self.between {
            Between::Stored => (self.step(line, at), self.moved(line, depth)),
            _ if self
                .far
                .binary_search_by_key(&line, |(l, _)| *l as usize)
                .is_ok() =>
            {
                (side(&self.far, line) as usize, side(&self.odd, line))
            }
            Between::Newlines => {
                let from = text.get(at..).unwrap_or_default();
                let after = from
                    .iter()
                    .position(|c| *c == b'\n')
                    .map_or(text.len(), |p| at + p + 1);
                (after, 0)
            }
            Between::Json => json_lines::next_line(text, at, depth),
        }
    }

    /// Where line `i` starts in `text` (the text the index was built over) and how deep it is.
    fn at(&self, text: &[u8], i: usize) -> Option<(usize, u32)> {
        if i >= self.len {
            return None;
        }
        let block = i / CHECKPOINT;
        let mut at = self.bases[block] as usize;
        let mut depth = self.checkpoints[block];
        for line in block * CHECKPOINT + 1..=i {
            (at, depth) = self.next(text, line, at, depth);
        }
        Some((at, depth))
    }

    /// Where line `i` starts in the text.
    #[cfg(test)]
    pub(super) fn start(&self, text: &[u8], i: usize) -> Option<usize> {
        self.at(text, i).map(|(at, _)| at)
    }

    /// How deep line `i` is (0 past the end).
    pub(super) fn depth(&self, text: &[u8], i: usize) -> u32 {
        self.at(text, i).map_or(0, |(_, depth)| depth)
    }

    /// The last line starting at or before byte `pos` (0 when none does).
    pub(super) fn line_of(&self, text: &[u8], pos: usize) -> usize {
        let block = self
            .bases
            .partition_point(|b| *b as usize <= pos)
            .saturating_sub(1);
        let base = block * CHECKPOINT;
        let Some(mut at) = self.bases.get(block).map(|b| *b as usize) else {
            return 0;
        };
        let mut depth = self.checkpoints[block];
        let mut found = base;
        for line in base + 1..self.len.min(base + CHECKPOINT) {
            (at, depth) = self.next(text, line, at, depth);
            if at > pos {
                break;
            }
            found = line;
        }
        found
    }

    /// The lines from `from` on, each one's start and depth found from the one before (linear,
    /// where asking `start` and `depth` line by line would go from a checkpoint each time).
    pub(super) fn lines_from<'a>(
        &'a self,
        text: &'a [u8],
        from: usize,
    ) -> impl Iterator<Item = (usize, u32)> + 'a {
        let mut last = self.at(text, from).unwrap_or_default();
        (from..self.len).map(move |line| {
            if line > from {
                last = if line.is_multiple_of(CHECKPOINT) {
                    let block = line / CHECKPOINT;
                    (self.bases[block] as usize, self.checkpoints[block])
                } else {
                    self.next(text, line, last.0, last.1)
                };
            }
            last
        })
    }

    /// Bytes the index holds (what memory tests weigh).
    #[cfg(test)]
    pub(super) fn weight(&self) -> usize {
        self.bases.capacity() * 4
            + self.steps.capacity()
            + self.far.capacity() * 8
            + self.checkpoints.capacity() * 4
            + self.moves.capacity()
            + self.odd.capacity() * 8
    }
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
    index: Index,
    last_start: usize,
    last_depth: u32,
}

impl Builder {
    pub(super) fn new(between: Between) -> Builder {
        Builder {
            index: Index {
                between,
                ..Index::default()
            },
            last_start: 0,
            last_depth: 0,
        }
    }

    /// Line after line, each starting after the one before.
    pub(super) fn push(&mut self, start: usize, depth: u32) {
        let ix = &mut self.index;
        let line = ix.len;
        let stored = ix.between == Between::Stored;
        if stored && line.is_multiple_of(4) {
            ix.moves.push(0);
        }
        if line.is_multiple_of(CHECKPOINT) {
            ix.bases.push(start as u32);
            ix.checkpoints.push(depth);
            if stored {
                ix.steps.push(0);
            }
        } else if !stored {
            debug_assert!(start >= self.last_start, "lines out of order");
            if start - self.last_start >= usize::from(FAR) {
                ix.far.push((line as u32, start as u32));
                ix.odd.push((line as u32, depth));
            }
        } else {
            debug_assert!(start >= self.last_start, "lines out of order");
            match u8::try_from(start - self.last_start) {
                Ok(step) if step != FAR => ix.steps.push(step),
                _ => {
                    ix.steps.push(FAR);
                    ix.far.push((line as u32, start as u32));
                }
            }
            let mv = match i64::from(depth) - i64::from(self.last_depth) {
                0 => SAME,
                1 => DEEPER,
                -1 => SHALLOWER,
                _ => {
                    ix.odd.push((line as u32, depth));
                    ODD
                }
            };
            if let Some(last) = ix.moves.last_mut() {
                *last |= mv << (line % 4 * 2);
            }
        }
        ix.len += 1;
        self.last_start = start;
        self.last_depth = depth;
    }

    pub(super) fn finish(mut self) -> Index {
        let ix = &mut self.index;
        ix.bases.shrink_to_fit();
        ix.steps.shrink_to_fit();
        ix.far.shrink_to_fit();
        ix.checkpoints.shrink_to_fit();
        ix.moves.shrink_to_fit();
        ix.odd.shrink_to_fit();
        self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of every step size (none, a byte, the FAR edge, far beyond) and every depth move
    /// read back as pushed, across checkpoints.
    #[test]
    fn what_is_pushed_reads_back() {
        let mut want = Vec::new();
        let (mut at, mut depth) = (3usize, 0u32);
        for i in 0..1000usize {
            at += [0, 1, 254, 255, 256, 70_000][i % 6];
            depth = match i % 7 {
                0 => depth + 1,
                1 => depth.saturating_sub(1),
                2 => depth + 5,
                3 => 0,
                _ => depth,
            };
            want.push((at, depth));
        }
        let mut b = Builder::new(Between::Stored);
        for (s, d) in &want {
            b.push(*s, *d);
        }
        let ix = b.finish();
        assert_eq!(ix.len(), want.len());
        for (i, (s, d)) in want.iter().enumerate() {
            assert_eq!(ix.start(b"", i), Some(*s), "start of {i}");
            assert_eq!(ix.depth(b"", i), *d, "depth of {i}");
        }
        assert_eq!(ix.start(b"", want.len()), None);
        assert_eq!(ix.lines_from(b"", 0).collect::<Vec<_>>(), want);
        assert_eq!(ix.line_of(b"", 0), 0);
        for (i, (s, _)) in want.iter().enumerate() {
            // A line of step 0 shares its start with the one before: the last of them wins.
            let last = want.iter().rposition(|(t, _)| t == s).unwrap_or(i);
            assert_eq!(ix.line_of(b"", *s), last, "line at {s}");
            assert_eq!(ix.line_of(b"", *s + 1).max(last), ix.line_of(b"", *s + 1));
        }
    }

    #[test]
    fn ordinary_json_lines_cost_under_two_bytes_each() {
        let mut b = Builder::new(Between::Stored);
        for i in 0..100_000usize {
            b.push(i * 40, [0, 1, 2, 1][i % 4]);
        }
        let ix = b.finish();
        assert!(ix.weight() < 2 * 100_000, "{} bytes", ix.weight());
    }

    /// Plain text's lines found again after each `\n` are the lines stored, long ones jumped.
    #[test]
    fn plain_lines_found_again_are_the_stored_ones() {
        let mut text = String::new();
        for i in 0..2000usize {
            text.push_str(&"y".repeat([0, 1, 80, 254, 255, 256, 3000][i % 7]));
            text.push_str(if i % 3 == 0 { "\r\n" } else { "\n" });
        }
        text.push_str("no newline at the end");
        let b = text.as_bytes();
        let (mut found, mut stored) = (
            Builder::new(Between::Newlines),
            Builder::new(Between::Stored),
        );
        for (at, _) in
            std::iter::once((0, ' ')).chain(text.match_indices('\n').map(|(p, _)| (p + 1, ' ')))
        {
            found.push(at, 0);
            stored.push(at, 0);
        }
        let (found, stored) = (found.finish(), stored.finish());
        let want: Vec<_> = stored.lines_from(b, 0).collect();
        assert_eq!(found.lines_from(b, 0).collect::<Vec<_>>(), want);
        for (i, (s, _)) in want.iter().enumerate() {
            assert_eq!(found.start(b, i), Some(*s), "line {i}");
            assert_eq!(found.line_of(b, *s + 1), stored.line_of(b, *s + 1));
        }
    }

    #[test]
    fn lines_found_again_cost_a_checkpoint_each_64() {
        let mut b = Builder::new(Between::Newlines);
        for i in 0..100_000usize {
            b.push(i * 40, 0);
        }
        let ix = b.finish();
        assert!(ix.weight() < 100_000 / 4, "{} bytes", ix.weight());
    }
}
