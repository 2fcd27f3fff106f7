//! Where the next display line of indexed JSON starts, found again from a line's start without
//! the indexer's stack: in JSON the indexer accepted, a line starts at the first token after a
//! `,` or a non-empty `{` / `[`, and at each `}` / `]` that closes a non-empty one.

/// The byte after the string starting at `i` (a `"`), or None when it does not end.
pub(super) fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'"' => return Some(j + 1),
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
    None
}

pub(super) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// The line after the one starting at `at` with depth `depth` (its start and depth, as
/// `index_json` pushed them), or the text's end when none follows.
pub(super) fn next_line(b: &[u8], at: usize, depth: u32) -> (usize, u32) {
    let mut i = at;
    let mut first = true;
    loop {
        i = skip_ws(b, i);
        let Some(&c) = b.get(i) else {
            return (b.len(), depth);
        };
        match c {
            b'}' | b']' if !first => return (i, depth.saturating_sub(1)),
            b'}' | b']' | b':' => i += 1,
            b'{' | b'[' => {
                let close = if c == b'{' { b'}' } else { b']' };
                let n = skip_ws(b, i + 1);
                if b.get(n) == Some(&close) {
                    i = n + 1;
                } else {
                    return (n, depth + 1);
                }
            }
            b',' => return (skip_ws(b, i + 1), depth),
            b'"' => i = string_end(b, i).unwrap_or(b.len()),
            _ => {
                while i < b.len()
                    && !matches!(
                        b[i],
                        b',' | b'}' | b']' | b':' | b' ' | b'\t' | b'\n' | b'\r'
                    )
                {
                    i += 1;
                }
            }
        }
        first = false;
    }
}

#[cfg(test)]
mod tests {
    use super::super::json_index::index_json;
    use super::super::line_index::{Between, Index};
    use crate::budget::Budget;
    use serde::Serialize;
    use serde_json::{Value, json};

    fn both(text: &str) -> (Index, Index) {
        let budget = Budget::unlimited();
        let found = index_json(text.as_bytes(), &budget, Between::Json).map(|b| b.finish());
        let stored = index_json(text.as_bytes(), &budget, Between::Stored).map(|b| b.finish());
        (found.expect("indexes"), stored.expect("indexes"))
    }

    /// A deterministic tree of every JSON shape: nesting, empty containers, strings holding
    /// brackets, commas, colons, quotes and escapes, long strings, numbers and literals.
    fn tree(seed: &mut u64, depth: u32) -> Value {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let pick = (*seed >> 33) % 10;
        if depth > 6 {
            return json!(pick);
        }
        match pick {
            0 => json!({}),
            1 => json!([]),
            2 => json!("a, b: [c] {d} \"e\" \\ \n"),
            3 => Value::String("x".repeat(300 + (*seed % 500) as usize)),
            4 => json!(-12.5e-3),
            5 => json!([true, false, null]),
            6 | 7 => Value::Array((0..(*seed % 5)).map(|_| tree(seed, depth + 1)).collect()),
            _ => Value::Object(
                (0..(*seed % 6))
                    .map(|k| (format!("k{k}, [{{:"), tree(seed, depth + 1)))
                    .collect(),
            ),
        }
    }

    /// Lines found again from the text are the lines the indexer stored, for every line, in
    /// pretty, compact and oddly spaced JSON; and long lines are jumped, not read again.
    #[test]
    fn found_again_is_what_was_stored() {
        let mut seed = 7;
        for round in 0..60 {
            let doc = Value::Array((0..40).map(|_| tree(&mut seed, 0)).collect());
            let pretty = serde_json::to_string_pretty(&doc).unwrap();
            let compact = serde_json::to_string(&doc).unwrap();
            let mut spaced = Vec::new();
            let odd = serde_json::ser::PrettyFormatter::with_indent(b" \t\r\n");
            doc.serialize(&mut serde_json::Serializer::with_formatter(
                &mut spaced,
                odd,
            ))
            .unwrap();
            let spaced = String::from_utf8(spaced).unwrap();
            for text in [&pretty, &compact, &spaced] {
                let (found, stored) = both(text);
                let b = text.as_bytes();
                assert_eq!(found.len(), stored.len());
                let want: Vec<_> = stored.lines_from(b, 0).collect();
                assert_eq!(
                    found.lines_from(b, 0).collect::<Vec<_>>(),
                    want,
                    "round {round}"
                );
                for (i, (s, d)) in want.iter().enumerate() {
                    assert_eq!(found.start(b, i), Some(*s), "round {round} line {i}");
                    assert_eq!(found.depth(b, i), *d, "round {round} line {i}");
                    assert_eq!(found.line_of(b, *s), stored.line_of(b, *s));
                }
            }
        }
    }

    #[test]
    fn a_scalar_document_and_nested_closes() {
        for text in [
            "5",
            "\"s\"",
            "[]",
            "{}",
            "[[[1]]]",
            "{\"a\":{\"b\":[{},[],{\"c\":1}]}}",
        ] {
            let (found, stored) = both(text);
            let b = text.as_bytes();
            assert_eq!(
                found.lines_from(b, 0).collect::<Vec<_>>(),
                stored.lines_from(b, 0).collect::<Vec<_>>(),
                "{text}"
            );
        }
    }
}
