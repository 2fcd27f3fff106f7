//! The JSON indexer: one pass over the body's bytes that finds where each display line starts and
//! how deep it is, without recursion and without writing indentation.

use super::json_lines::skip_ws;
use super::line_index::{Between, Builder, CHECK_EVERY, IndexError, syntax};
use crate::budget::Budget;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Value,
    Key,
    Colon,
    CommaOrClose,
}

/// `between` says how the index keeps the lines between checkpoints (`Between::Json` to show;
/// the tests compare it with `Between::Stored`).
pub(super) fn index_json(
    b: &[u8],
    budget: &Budget,
    between: Between,
) -> Result<Builder, IndexError> {
    let mut stack: Vec<u8> = Vec::new();
    let mut lines = Builder::new(between);
    let mut i = skip_ws(b, 0);
    if i == b.len() {
        return Err(syntax("EOF while parsing a value", i));
    }
    lines.push(i, 0);
    let mut line_next = false;
    let mut expect = Expect::Value;
    let mut next_check = CHECK_EVERY;
    loop {
        i = skip_ws(b, i);
        if i >= next_check {
            budget.check()?;
            next_check = i + CHECK_EVERY;
        }
        if i == b.len() {
            break;
        }
        let depth = stack.len() as u32;
        match expect {
            Expect::Value | Expect::Key => {
                if line_next {
                    lines.push(i, depth);
                    line_next = false;
                }
                let c = b[i];
                if expect == Expect::Key {
                    if c != b'"' {
                        return Err(syntax(
                            if c == b'}' {
                                "trailing comma"
                            } else {
                                "key must be a string"
                            },
                            i,
                        ));
                    }
                    i = scan_string(b, i)?;
                    expect = Expect::Colon;
                    continue;
                }
                match c {
                    b'{' | b'[' => {
                        let close = if c == b'{' { b'}' } else { b']' };
                        let n = skip_ws(b, i + 1);
                        if n < b.len() && b[n] == close {
                            i = n + 1;
                            expect = Expect::CommaOrClose;
                        } else {
                            stack.push(c);
                            i += 1;
                            line_next = true;
                            expect = if c == b'{' {
                                Expect::Key
                            } else {
                                Expect::Value
                            };
                        }
                    }
                    b'"' => {
                        i = scan_string(b, i)?;
                        expect = Expect::CommaOrClose;
                    }
                    b'-' | b'0'..=b'9' => {
                        i = scan_number(b, i)?;
                        expect = Expect::CommaOrClose;
                    }
                    b't' | b'f' | b'n' => {
                        let word: &[u8] = match c {
                            b't' => b"true",
                            b'f' => b"false",
                            _ => b"null",
                        };
                        if !b[i..].starts_with(word) {
                            return Err(syntax("expected ident", i));
                        }
                        i += word.len();
                        expect = Expect::CommaOrClose;
                    }
                    b']' => return Err(syntax("trailing comma", i)),
                    _ => return Err(syntax("expected value", i)),
                }
            }
            Expect::Colon => {
                if b[i] != b':' {
                    return Err(syntax("expected `:`", i));
                }
                i += 1;
                expect = Expect::Value;
            }
            Expect::CommaOrClose => {
                let Some(&top) = stack.last() else {
                    return Err(syntax("trailing characters", i));
                };
                let close = if top == b'{' { b'}' } else { b']' };
                match b[i] {
                    b',' => {
                        i += 1;
                        line_next = true;
                        expect = if top == b'{' {
                            Expect::Key
                        } else {
                            Expect::Value
                        };
                    }
                    c if c == close => {
                        stack.pop();
                        lines.push(i, stack.len() as u32);
                        i += 1;
                    }
                    _ => {
                        return Err(syntax(
                            if top == b'{' {
                                "expected `,` or `}`"
                            } else {
                                "expected `,` or `]`"
                            },
                            i,
                        ));
                    }
                }
            }
        }
    }
    if expect != Expect::CommaOrClose || !stack.is_empty() {
        return Err(syntax("EOF while parsing", b.len()));
    }
    Ok(lines)
}

fn scan_string(b: &[u8], i: usize) -> Result<usize, IndexError> {
    let mut j = i + 1;
    loop {
        let Some(&c) = b.get(j) else {
            return Err(syntax("EOF while parsing a string", b.len()));
        };
        match c {
            b'"' => return Ok(j + 1),
            b'\\' => match b.get(j + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => j += 2,
                Some(b'u') => {
                    let hex = b.get(j + 2..j + 6).unwrap_or(&[]);
                    if hex.len() != 4 || !hex.iter().all(u8::is_ascii_hexdigit) {
                        return Err(syntax("invalid escape", j));
                    }
                    j += 6;
                }
                _ => return Err(syntax("invalid escape", j)),
            },
            0..=0x1f => return Err(syntax("control character in string", j)),
            _ => j += 1,
        }
    }
}

fn scan_number(b: &[u8], i: usize) -> Result<usize, IndexError> {
    let digits = |mut j: usize| {
        let from = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        (j, j - from)
    };
    let mut j = i;
    if b[j] == b'-' {
        j += 1;
    }
    match b.get(j) {
        Some(b'0') => j += 1,
        Some(b'1'..=b'9') => j = digits(j).0,
        _ => return Err(syntax("invalid number", j)),
    }
    if b.get(j) == Some(&b'.') {
        let (k, n) = digits(j + 1);
        if n == 0 {
            return Err(syntax("invalid number", k));
        }
        j = k;
    }
    if matches!(b.get(j), Some(b'e' | b'E')) {
        j += 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let (k, n) = digits(j);
        if n == 0 {
            return Err(syntax("invalid number", k));
        }
        j = k;
    }
    Ok(j)
}
