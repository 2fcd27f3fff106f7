//! The body as display lines: an index over the body's own text (where each line starts and how
//! deep it is), so the pretty view costs O(body) at any nesting depth; indentation is drawn when a
//! line is shown, never stored.
//!
//! The JSON and XML indexers are written here rather than taken from serde_json / quick-xml's
//! writer: both of those recurse or write indentation (quadratic in depth), and neither gives the
//! byte position of every line break. quick-xml still does the XML tokenising.

use std::borrow::Cow;

use aho_corasick::{AhoCorasick, MatchKind};
use std::io::Write;
use std::sync::Arc;

use bytes::Bytes;

use super::json_index::index_json;
use super::json_lines::string_end;
use super::line_index::{Between, Builder, CHECK_EVERY, Index, syntax};
pub use super::line_index::{IndexError, MAX_TEXT, SyntaxError};
use super::xml_index::index_xml;
use crate::budget::Budget;

/// Levels drawn as two spaces each; deeper lines draw this much and a depth marker.
pub const INDENT_LEVELS: u32 = 24;
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    Json,
    Xml,
    #[default]
    Plain,
}

/// Lines over one text: starts and depths only, the text itself shared with the exchange.
/// Cloning shares both (a display and the exchange hold the same index).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BodyLines {
    /// Valid UTF-8 (checked when built); every line boundary falls on an ASCII byte.
    text: Bytes,
    shape: Shape,
    index: Arc<Index>,
}

fn checked_text(text: &Bytes) -> Result<(), IndexError> {
    if text.len() > MAX_TEXT {
        return Err(syntax("the body is over 4 GiB, too large to show", 0));
    }
    if std::str::from_utf8(text).is_err() {
        return Err(syntax("the body is not UTF-8", 0));
    }
    Ok(())
}

impl BodyLines {
    /// Lines split at `\n` (a trailing `\r` is not shown); no depth.
    pub fn plain(text: Bytes, budget: &Budget) -> Result<BodyLines, IndexError> {
        checked_text(&text)?;
        let mut b = Builder::new(Between::Newlines);
        if !text.is_empty() {
            b.push(0, 0);
        }
        let mut next_check = CHECK_EVERY;
        let mut from = 0;
        while let Some(p) = text[from..].iter().position(|c| *c == b'\n') {
            let at = from + p + 1;
            if at >= next_check {
                budget.check()?;
                next_check = at + CHECK_EVERY;
            }
            if at < text.len() {
                b.push(at, 0);
            }
            from = at;
        }
        Ok(BodyLines {
            text,
            shape: Shape::Plain,
            index: Arc::new(b.finish()),
        })
    }

    /// Validates JSON (any depth: the nesting is a byte stack, not recursion) and indexes it
    /// the way `serde_json::to_string_pretty` would break it into lines.
    pub fn json(text: Bytes, budget: &Budget) -> Result<BodyLines, IndexError> {
        checked_text(&text)?;
        let b = index_json(&text, budget, Between::Json)?;
        Ok(BodyLines {
            text,
            shape: Shape::Json,
            index: Arc::new(b.finish()),
        })
    }

    /// Validates XML with quick-xml's reader and indexes one element, text run or other node
    /// per line; an element holding only one line of text stays on one line.
    pub fn xml(text: Bytes, budget: &Budget) -> Result<BodyLines, IndexError> {
        checked_text(&text)?;
        let b = index_xml(&text, budget)?;
        Ok(BodyLines {
            text,
            shape: Shape::Xml,
            index: Arc::new(b.finish()),
        })
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.len() == 0
    }

    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The whole text the lines index (as received, after charset decoding).
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.text).unwrap_or("")
    }

    /// The text's bytes, shared.
    pub fn bytes(&self) -> &Bytes {
        &self.text
    }

    pub fn depth(&self, i: usize) -> u32 {
        self.index.depth(&self.text, i)
    }

    /// The lines from `from` on as (start, end, depth) in the text, each found from the one
    /// before.
    fn spans(&self, from: usize) -> impl Iterator<Item = (usize, usize, u32)> + '_ {
        let mut lines = self.index.lines_from(&self.text, from).peekable();
        std::iter::from_fn(move || {
            let (start, depth) = lines.next()?;
            let end = lines.peek().map_or(self.text.len(), |(e, _)| *e);
            Some((start, end, depth))
        })
    }

    fn slice(&self, start: usize, end: usize) -> &str {
        std::str::from_utf8(&self.text[start..end]).unwrap_or("")
    }

    fn raw(&self, i: usize) -> &str {
        self.spans(i)
            .next()
            .map_or("", |(start, end, _)| self.slice(start, end))
    }

    /// Line `i` without its indentation, at most `max_chars` characters of it.
    pub fn content(&self, i: usize, max_chars: usize) -> Cow<'_, str> {
        self.content_of(self.raw(i), max_chars)
    }

    fn content_of<'a>(&self, raw: &'a str, max_chars: usize) -> Cow<'a, str> {
        match self.shape {
            Shape::Plain => {
                let line = raw.strip_suffix('\n').unwrap_or(raw);
                Cow::Borrowed(cut(line.strip_suffix('\r').unwrap_or(line), max_chars))
            }
            Shape::Xml => Cow::Borrowed(cut(raw.trim(), max_chars)),
            Shape::Json => json_content(raw.trim(), max_chars),
        }
    }

    /// The indentation line `i` is drawn with.
    pub fn indent_of(&self, i: usize) -> Cow<'static, str> {
        self.indent_at(self.depth(i))
    }

    fn indent_at(&self, depth: u32) -> Cow<'static, str> {
        match self.shape {
            Shape::Plain => Cow::Borrowed(""),
            _ => indent(depth),
        }
    }

    /// The lines from `from` on as shown, found in one pass: each one's indentation and at most
    /// `max_chars` characters in all (its content gets what the indentation leaves).
    pub fn shown(
        &self,
        from: usize,
        max_chars: usize,
    ) -> impl Iterator<Item = (Cow<'static, str>, Cow<'_, str>)> + '_ {
        self.spans(from).map(move |(start, end, depth)| {
            let indent = self.indent_at(depth);
            let content = self.content_of(
                self.slice(start, end),
                max_chars.saturating_sub(indent.len()),
            );
            (indent, content)
        })
    }

    /// Line `i` as shown: indentation (capped, with a depth marker when deeper) and content.
    pub fn line(&self, i: usize) -> String {
        self.shown(i, usize::MAX)
            .next()
            .map(|(indent, content)| indent.into_owned() + &content)
            .unwrap_or_default()
    }

    /// Every line, indented, joined by `\n` (no trailing newline), written as it goes.
    pub fn write_to(&self, w: &mut dyn Write) -> std::io::Result<()> {
        for (k, (indent, content)) in self.shown(0, usize::MAX).enumerate() {
            if k > 0 {
                w.write_all(b"\n")?;
            }
            w.write_all(indent.as_bytes())?;
            w.write_all(content.as_bytes())?;
        }
        Ok(())
    }

    /// The whole view as one string (comparison and tests; displays draw line by line).
    pub fn to_text(&self) -> String {
        let mut out = Vec::with_capacity(self.text.len() + self.len() * 4);
        let _ = self.write_to(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// The line holding byte offset `pos` of the text.
    pub fn line_of(&self, pos: usize) -> usize {
        self.index.line_of(&self.text, pos)
    }

    /// The first line after `from` (wrapping round) whose text contains `term`, ignoring ASCII
    /// case; backwards when `back`. Searches the text as received, without copying it; for JSON
    /// the term is also tried without the blanks the pretty view adds (`"id": 5` finds `"id":5`).
    pub fn find(&self, term: &str, from: usize, back: bool) -> Option<usize> {
        if term.is_empty() || self.is_empty() {
            return None;
        }
        let (start, after, _) = self.spans(from).next().unwrap_or((0, self.text.len(), 0));
        let mut needles = vec![term.to_string()];
        if self.shape == Shape::Json {
            let tight = json_content(term, usize::MAX).replace(": ", ":");
            if tight != term {
                needles.push(tight);
            }
        }
        // All needles at once, ASCII case ignored, over the body's own bytes (no lowercase copy).
        let Ok(ac) = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(&needles)
        else {
            return None;
        };
        let hay: &[u8] = &self.text;
        let hit = if back {
            // The last match before the current line, else (wrapping) the last from it on.
            let last = |from: usize, to: usize| {
                ac.find_iter(&hay[from..to])
                    .last()
                    .map(|m| from + m.start())
            };
            last(0, start).or_else(|| last(start, hay.len()))
        } else {
            // The first match after the current line, else (wrapping) the first from the top.
            ac.find(&hay[after..])
                .map(|m| after + m.start())
                .or_else(|| ac.find(hay).map(|m| m.start()).filter(|p| *p < after))
        };
        hit.map(|p| self.line_of(p))
    }
}

/// The indentation of a line at `depth`: two spaces a level, and past INDENT_LEVELS a marker
/// with the real depth in the same width.
pub fn indent(depth: u32) -> Cow<'static, str> {
    const SPACES: &str = "                                                                ";
    if depth <= INDENT_LEVELS {
        let n = (depth * 2) as usize;
        if n <= SPACES.len() {
            return Cow::Borrowed(SPACES.get(..n).unwrap_or_default());
        }
        return Cow::Owned(" ".repeat(n));
    }
    let width = (INDENT_LEVELS * 2) as usize;
    Cow::Owned(format!("{:>width$}", format!("»{depth} ")))
}

fn cut(s: &str, max_chars: usize) -> &str {
    if s.len() <= max_chars {
        return s;
    }
    match s.char_indices().nth(max_chars) {
        Some((at, _)) => s.get(..at).unwrap_or_default(),
        None => s,
    }
}

/// A JSON line as serde's pretty printer writes it: no blanks outside strings, `": "` after a key.
fn json_content(raw: &str, max_chars: usize) -> Cow<'_, str> {
    let b = raw.as_bytes();
    let tidy = !b.iter().any(|c| c.is_ascii_whitespace() || *c == b':');
    if tidy {
        return Cow::Borrowed(cut(raw, max_chars));
    }
    let mut out = String::with_capacity(raw.len().min(max_chars) + 2);
    let mut chars = 0usize;
    let mut i = 0;
    while i < b.len() && chars < max_chars {
        match b[i] {
            b'"' => {
                let end = string_end(b, i).unwrap_or(b.len());
                let piece = cut(raw.get(i..end).unwrap_or_default(), max_chars - chars);
                chars += piece.chars().count();
                out.push_str(piece);
                i = end;
            }
            b':' => {
                out.push_str(": ");
                chars += 2;
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                let end = b[i..]
                    .iter()
                    .position(|c| matches!(c, b'"' | b':') || c.is_ascii_whitespace())
                    .map_or(b.len(), |p| i + p);
                let piece = cut(raw.get(i..end).unwrap_or_default(), max_chars - chars);
                chars += piece.chars().count();
                out.push_str(piece);
                i = end;
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::Stopped;

    fn json(s: &str) -> BodyLines {
        BodyLines::json(Bytes::from(s.to_string()), &Budget::unlimited()).unwrap()
    }

    fn xml(s: &str) -> String {
        BodyLines::xml(Bytes::from(s.to_string()), &Budget::unlimited())
            .unwrap()
            .to_text()
    }

    #[test]
    fn xml_after_a_byte_order_mark_keeps_its_lines() {
        // Found by the body_view fuzzer: the mark shifted every position by three bytes.
        assert_eq!(xml("\u{feff}<a>\n<b>x</b>\n</a>"), "<a>\n  <b>x</b>\n</a>");
        let lines = BodyLines::xml(Bytes::from("\u{feff}\nï"), &Budget::unlimited()).unwrap();
        assert_eq!((lines.len(), lines.line(0)), (1, "ï".into()));
    }

    #[test]
    fn json_lines_match_serde_pretty() {
        // Numbers keep the text the server sent (serde would print -1.5e3 as -1500.0).
        for doc in [
            r#"{"a":"x\"}{[,:","b":[],"c":{},"d":[1,{"e":null}],"f":"\\","g":"é ☃","h":-1.5}"#,
            "[ ]",
            " { \"k\" : [ true , false ] } ",
            "\"just a string\"",
            "42",
            "{\"a\" : { } , \"b\":[ [ ] ]}",
        ] {
            let v: serde_json::Value = serde_json::from_str(doc).unwrap();
            assert_eq!(
                json(doc).to_text(),
                serde_json::to_string_pretty(&v).unwrap(),
                "{doc}"
            );
        }
    }

    #[test]
    fn json_errors_agree_with_serde_on_what_is_invalid() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "[1 2]",
            "01",
            "1.",
            "-",
            "1e",
            "tru",
            "nul",
            "\"a",
            "\"\\x\"",
            "\"\\u12\"",
            "\"a\u{1}\"",
            "{1:2}",
            "[1]]",
            "{}x",
        ] {
            assert!(
                serde_json::from_str::<serde::de::IgnoredAny>(bad).is_err(),
                "serde accepts {bad:?}"
            );
            assert!(
                BodyLines::json(Bytes::from(bad.to_string()), &Budget::unlimited()).is_err(),
                "we accept {bad:?}"
            );
        }
    }

    #[test]
    fn deep_json_costs_linear_memory_and_shows_its_depth() {
        let depth = 100_000;
        let doc = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let lines = json(&doc);
        assert_eq!(lines.len(), 2 * depth - 1);
        assert_eq!(lines.depth(depth - 1), (depth - 1) as u32);
        assert_eq!(lines.content(depth - 1, 80), "[]");
        let shown = lines.line(depth - 1);
        assert!(shown.contains(&format!("»{}", depth - 1)), "{shown}");
        assert!(shown.len() < 80, "{shown}");
        // Memory: the index, not a pretty copy (which would be ~10 GB here).
        assert!(lines.index.weight() < 2 * depth * 2);
    }

    #[test]
    fn xml_is_indented_like_before() {
        assert_eq!(xml("<a><b>1</b></a>"), "<a>\n  <b>1</b>\n</a>");
        assert_eq!(
            xml("<?xml version=\"1.0\"?><r a=\"1\"><e/><t>x &amp; y</t><m>t<i/>u</m><n></n></r>"),
            "<?xml version=\"1.0\"?>\n<r a=\"1\">\n  <e/>\n  <t>x &amp; y</t>\n  <m>\n    t\n    <i/>\n    u\n  </m>\n  <n></n>\n</r>"
        );
        assert_eq!(
            xml("<a>\n  <b>line one\nline two</b>\n</a>"),
            "<a>\n  <b>\n    line one\n    line two\n  </b>\n</a>"
        );
        assert!(BodyLines::xml(Bytes::from_static(b"<a><b></a>"), &Budget::unlimited()).is_err());
        assert!(BodyLines::xml(Bytes::from_static(b"<a><b>"), &Budget::unlimited()).is_err());
    }

    #[test]
    fn deep_xml_is_linear() {
        let depth = 50_000;
        let doc = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let lines = BodyLines::xml(Bytes::from(doc), &Budget::unlimited()).unwrap();
        assert_eq!(lines.len(), 2 * depth - 1);
        assert_eq!(lines.depth(depth - 1), (depth - 1) as u32);
    }

    #[test]
    fn plain_lines_search_and_cut() {
        let p = BodyLines::plain(
            Bytes::from_static(b"one\r\ntwo\nthree\n"),
            &Budget::unlimited(),
        )
        .unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p.content(0, 99), "one");
        assert_eq!(p.content(2, 3), "thr");
        assert_eq!(p.find("THREE", 0, false), Some(2));
        assert_eq!(p.find("one", 0, false), Some(0));
        assert_eq!(p.find("one", 2, true), Some(0));
        assert_eq!(p.find("nope", 0, false), None);
        // From the current line on in its direction, wrapping round at the ends.
        assert_eq!(p.find("three", 0, true), Some(2));
        assert_eq!(p.find("T", 1, false), Some(2));
        assert_eq!(p.find("t", 2, true), Some(1));
        assert_eq!(p.find("T", 2, false), Some(1));
        assert_eq!(p.content(1, 99), "two");
        let j = json(r#"{"a":1,"id":5}"#);
        assert_eq!(j.find("\"id\": 5", 0, false), Some(2));
    }

    #[test]
    fn a_cancelled_budget_stops_indexing() {
        let switch = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let budget = Budget::unlimited().cancelled_by(switch);
        let big = Bytes::from(format!("[{}1]", "1,".repeat(2 << 20)));
        assert_eq!(
            BodyLines::json(big, &budget).unwrap_err(),
            IndexError::Stopped(Stopped::Cancelled)
        );
    }
}
