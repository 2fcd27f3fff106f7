//! The XML indexer: quick-xml's tokens turned into display lines (an element whose content is only
//! text stays on one line), without recursion and without writing indentation.

use super::line_index::{Between, Builder, CHECK_EVERY, IndexError, syntax};
use crate::budget::Budget;

/// What the XML indexer holds back to see whether an element fits on one line.
enum Held {
    Nothing,
    /// A start tag at this depth, from this byte.
    Start {
        from: usize,
        depth: u32,
    },
}

struct XmlLines {
    lines: Builder,
    held: Held,
    /// The text, CDATA and entity events since the last other event.
    run: Option<(usize, usize)>,
}

impl XmlLines {
    /// One line per non-blank piece of `[from, to)` split at newlines.
    fn emit(&mut self, text: &[u8], from: usize, to: usize, depth: u32) {
        let mut at = from;
        for piece in text[from..to].split(|c| *c == b'\n') {
            if let Some(p) = piece.iter().position(|c| !c.is_ascii_whitespace()) {
                self.lines.push(at + p, depth);
            }
            at += piece.len() + 1;
        }
    }

    fn flush_held(&mut self, text: &[u8], upto: usize) {
        if let Held::Start { from, depth } = std::mem::replace(&mut self.held, Held::Nothing) {
            self.emit(text, from, upto, depth);
        }
    }

    /// Ends a text run: blank runs vanish, anything else becomes lines at `depth`, after the
    /// start tag held before it.
    fn close_run(&mut self, text: &[u8], depth: u32) {
        let Some((from, to)) = self.run.take() else {
            return;
        };
        if text[from..to].iter().all(u8::is_ascii_whitespace) {
            return;
        }
        self.flush_held(text, from);
        self.emit(text, from, to, depth);
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(s, |p| p + 1);
    &b[s..e.max(s)]
}

pub(super) fn index_xml(b: &[u8], budget: &Budget) -> Result<Builder, IndexError> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(b).map_err(|_| syntax("the body is not UTF-8", 0))?;
    // quick-xml skips a leading byte-order mark and counts its positions after it: skip it
    // here instead, so that every position below is one in `b`.
    let skip = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut reader = quick_xml::Reader::from_str(text.get(skip..).unwrap_or_default());
    let mut x = XmlLines {
        lines: Builder::new(Between::Stored),
        held: Held::Nothing,
        run: None,
    };
    let mut depth: u32 = 0;
    let mut next_check = CHECK_EVERY;
    let err = |reader: &quick_xml::Reader<&[u8]>, e: &dyn std::fmt::Display| {
        syntax(&e.to_string(), skip + reader.error_position() as usize)
    };
    loop {
        let from = skip + reader.buffer_position() as usize;
        if from >= next_check {
            budget.check()?;
            next_check = from + CHECK_EVERY;
        }
        let event = reader.read_event().map_err(|e| err(&reader, &e))?;
        let to = skip + reader.buffer_position() as usize;
        match event {
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                x.run = Some(x.run.map_or((from, to), |(f, _)| (f, to)));
            }
            Event::Start(_) => {
                x.close_run(b, depth);
                x.flush_held(b, from);
                x.held = Held::Start { from, depth };
                depth += 1;
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                match x.held {
                    // The element fits on one line: start tag, text and end tag together.
                    Held::Start { from: s, depth: d }
                        if !trim_ascii(&b[s..to]).contains(&b'\n') =>
                    {
                        x.held = Held::Nothing;
                        x.run = None;
                        x.lines.push(s, d);
                    }
                    _ => {
                        x.close_run(b, depth + 1);
                        x.flush_held(b, from);
                        x.emit(b, from, to, depth);
                    }
                }
            }
            Event::Eof => {
                x.close_run(b, depth);
                x.flush_held(b, b.len());
                break;
            }
            _ => {
                x.close_run(b, depth);
                x.flush_held(b, from);
                x.emit(b, from, to, depth);
            }
        }
    }
    if depth != 0 {
        return Err(syntax("unclosed element at end of document", b.len()));
    }
    Ok(x.lines)
}
