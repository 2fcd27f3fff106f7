//! Comparing two sends: status, headers, and the body (JSON structurally with ignored paths, XML and text by lines).

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use crate::diagnose::Failure;
use crate::exchange::{BodyFormat, BodyView, Exchange};

/// Headers that differ on every response; hidden unless asked for by name.
pub const NOISY_HEADERS: [&str; 2] = ["date", "age"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tag {
    Same,
    Removed,
    Added,
}

/// One line of the body diff; `old`/`new` are 1-based line numbers on each side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffLine {
    pub tag: Tag,
    pub old: Option<usize>,
    pub new: Option<usize>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum HeaderChange {
    Added {
        name: String,
        value: String,
    },
    Removed {
        name: String,
        value: String,
    },
    Changed {
        name: String,
        old: String,
        new: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// "200 OK" or the failure kind, each side.
    pub status: (String, String),
    /// The client certificate each side presented (subject), when they differ.
    pub client_cert: Option<(String, String)>,
    pub headers: Vec<HeaderChange>,
    /// How the bodies were compared.
    pub body_kind: ComparedAs,
    pub body: Vec<DiffLine>,
    /// Ignore rules that were applied (JSON paths and header names).
    pub ignored: Vec<String>,
}

/// How two bodies were made comparable; `--json` writes it in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::Display)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ComparedAs {
    /// Parsed, keys sorted, ignore paths removed.
    Json,
    Xml,
    Text,
    /// Size and SHA-256 only.
    Binary,
    /// Neither side has a body.
    None,
}

impl Comparison {
    pub fn status_differs(&self) -> bool {
        self.status.0 != self.status.1
    }

    pub fn body_differs(&self) -> bool {
        self.body.iter().any(|l| l.tag != Tag::Same)
    }

    pub fn is_equal(&self) -> bool {
        !self.status_differs()
            && self.client_cert.is_none()
            && self.headers.is_empty()
            && !self.body_differs()
    }

    /// Indices into `body` where a run of changed lines begins (for next/previous change).
    pub fn change_starts(&self) -> Vec<usize> {
        let mut out = Vec::new();
        let mut prev_same = true;
        for (i, l) in self.body.iter().enumerate() {
            let same = l.tag == Tag::Same;
            if !same && prev_same {
                out.push(i);
            }
            prev_same = same;
        }
        out
    }

    /// The whole comparison as text: status, headers, then a unified body diff with `context` lines.
    pub fn to_text(&self, labels: (&str, &str), context: usize) -> String {
        let mut out = String::new();
        let (a, b) = labels;
        out.push_str(&format!("--- {a}\n+++ {b}\n"));
        if self.status_differs() {
            out.push_str(&format!("status: {} -> {}\n", self.status.0, self.status.1));
        } else {
            out.push_str(&format!("status: {} (same)\n", self.status.0));
        }
        if let Some((x, y)) = &self.client_cert {
            out.push_str(&format!("client certificate: {x} -> {y}\n"));
        }
        for h in &self.headers {
            match h {
                HeaderChange::Added { name, value } => {
                    out.push_str(&format!("header + {name}: {value}\n"))
                }
                HeaderChange::Removed { name, value } => {
                    out.push_str(&format!("header - {name}: {value}\n"))
                }
                HeaderChange::Changed { name, old, new } => {
                    out.push_str(&format!("header ~ {name}: {old} -> {new}\n"))
                }
            }
        }
        if !self.ignored.is_empty() {
            out.push_str(&format!("ignored: {}\n", self.ignored.join(", ")));
        }
        if !self.body_differs() {
            out.push_str(&format!("body ({}): same\n", self.body_kind));
            return out;
        }
        out.push_str(&format!("body ({}):\n", self.body_kind));
        let show: Vec<bool> = (0..self.body.len())
            .map(|i| {
                let lo = i.saturating_sub(context);
                let hi = (i + context + 1).min(self.body.len());
                self.body[lo..hi].iter().any(|l| l.tag != Tag::Same)
            })
            .collect();
        let mut skipped = false;
        for (i, l) in self.body.iter().enumerate() {
            if !show[i] {
                skipped = true;
                continue;
            }
            if skipped {
                out.push_str(&format!("@@ line {} @@\n", l.old.or(l.new).unwrap_or(0)));
                skipped = false;
            }
            let mark = match l.tag {
                Tag::Same => ' ',
                Tag::Removed => '-',
                Tag::Added => '+',
            };
            out.push_str(&format!("{mark} {}\n", l.text));
        }
        out
    }
}

/// Compares two outcomes; `ignore` holds JSON paths (`$.a.b`, `$.items[*].id`, `$..requestId`)
/// and header names (anything not starting with `$`).
pub fn compare(
    a: &Result<Exchange, Failure>,
    b: &Result<Exchange, Failure>,
    ignore: &[String],
) -> Comparison {
    let (paths, header_names): (Vec<&String>, Vec<&String>) =
        ignore.iter().partition(|r| r.starts_with('$'));
    let paths: Vec<Vec<Step>> = paths.iter().filter_map(|p| parse_path(p)).collect();
    let hidden: Vec<String> = header_names
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .chain(NOISY_HEADERS.iter().map(|h| h.to_string()))
        .collect();
    let mut ignored: Vec<String> = ignore.to_vec();
    ignored.extend(NOISY_HEADERS.iter().map(|h| format!("{h} (header)")));

    let status = (status_label(a), status_label(b));
    let client_cert = {
        let sent = |r: &Result<Exchange, Failure>| {
            let tls = match r {
                Ok(ex) => ex.tls.as_ref(),
                Err(f) => f.tls.as_ref(),
            };
            tls.and_then(|t| t.client_cert_sent.clone())
                .unwrap_or_else(|| "none".into())
        };
        let (x, y) = (sent(a), sent(b));
        (x != y).then_some((x, y))
    };
    let headers = match (a, b) {
        (Ok(x), Ok(y)) => header_changes(&x.headers, &y.headers, &hidden),
        _ => Vec::new(),
    };
    let (body_kind, old, new) = body_texts(a, b, &paths);
    let body = line_diff(&old, &new);
    Comparison {
        status,
        client_cert,
        headers,
        body_kind,
        body,
        ignored,
    }
}

fn status_label(r: &Result<Exchange, Failure>) -> String {
    match r {
        Ok(ex) => format!("{} {}", ex.status, ex.reason).trim().to_string(),
        Err(f) => format!("failed: {}", f.diagnosis.kind),
    }
}

fn header_changes(
    a: &[(String, String)],
    b: &[(String, String)],
    hidden: &[String],
) -> Vec<HeaderChange> {
    let group = |hs: &[(String, String)]| {
        let mut m: indexmap::IndexMap<String, Vec<String>> = indexmap::IndexMap::new();
        for (k, v) in hs {
            let k = k.to_ascii_lowercase();
            if !hidden.contains(&k) {
                m.entry(k).or_default().push(v.clone());
            }
        }
        m.into_iter()
            .map(|(k, v)| (k, v.join(", ")))
            .collect::<indexmap::IndexMap<_, _>>()
    };
    let (ga, gb) = (group(a), group(b));
    let mut out = Vec::new();
    for (k, v) in &ga {
        match gb.get(k) {
            None => out.push(HeaderChange::Removed {
                name: k.clone(),
                value: v.clone(),
            }),
            Some(w) if w != v => out.push(HeaderChange::Changed {
                name: k.clone(),
                old: v.clone(),
                new: w.clone(),
            }),
            Some(_) => {}
        }
    }
    for (k, v) in &gb {
        if !ga.contains_key(k) {
            out.push(HeaderChange::Added {
                name: k.clone(),
                value: v.clone(),
            });
        }
    }
    out
}

/// The two bodies as comparable text, and how they were made comparable.
fn body_texts(
    a: &Result<Exchange, Failure>,
    b: &Result<Exchange, Failure>,
    paths: &[Vec<Step>],
) -> (ComparedAs, String, String) {
    let (x, y) = match (a, b) {
        (Ok(x), Ok(y)) => (x, y),
        (Ok(x), Err(_)) => return (ComparedAs::Text, x.view.pretty_text(), String::new()),
        (Err(_), Ok(y)) => return (ComparedAs::Text, String::new(), y.view.pretty_text()),
        (Err(_), Err(_)) => return (ComparedAs::None, String::new(), String::new()),
    };
    // serde's recursion limit keeps a hostile nesting out of the tree; such a body is compared
    // as its (depth-capped) lines instead.
    let json = |ex: &Exchange| match &ex.view {
        BodyView::Json { lines } => serde_json::from_str::<Value>(lines.text()).ok(),
        BodyView::Unparsed {
            format: BodyFormat::Json,
            ..
        } => None,
        _ => serde_json::from_slice::<Value>(&ex.body)
            .ok()
            .filter(|v| v.is_object() || v.is_array()),
    };
    if let (Some(mut vx), Some(mut vy)) = (json(x), json(y)) {
        for p in paths {
            remove_path(&mut vx, p);
            remove_path(&mut vy, p);
        }
        return (ComparedAs::Json, sorted_pretty(&vx), sorted_pretty(&vy));
    }
    if matches!(x.view, BodyView::Binary) || matches!(y.view, BodyView::Binary) {
        let summary = |ex: &Exchange| {
            format!(
                "{} bytes, sha256 {}",
                ex.body.len(),
                hex::encode(ring::digest::digest(&ring::digest::SHA256, &ex.body))
            )
        };
        return (ComparedAs::Binary, summary(x), summary(y));
    }
    let kind = match (&x.view, &y.view) {
        (BodyView::Xml { .. }, BodyView::Xml { .. }) => ComparedAs::Xml,
        (BodyView::Empty, BodyView::Empty) => ComparedAs::None,
        _ => ComparedAs::Text,
    };
    (kind, x.view.pretty_text(), y.view.pretty_text())
}

fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::configure()
        .timeout(Duration::from_secs(2))
        .diff_lines(old, new);
    diff.iter_all_changes()
        .map(|c| DiffLine {
            tag: match c.tag() {
                ChangeTag::Equal => Tag::Same,
                ChangeTag::Delete => Tag::Removed,
                ChangeTag::Insert => Tag::Added,
            },
            old: c.old_index().map(|i| i + 1),
            new: c.new_index().map(|i| i + 1),
            text: c.value().trim_end_matches(['\n', '\r']).to_string(),
        })
        .collect()
}

/// Pretty JSON with object keys sorted at every level, so key order never shows as a change.
pub fn sorted_pretty(v: &Value) -> String {
    fn sort(v: &Value) -> Value {
        match v {
            Value::Object(m) => {
                let mut entries: Vec<(&String, &Value)> = m.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), sort(v)))
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(items.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    serde_json::to_string_pretty(&sort(v)).unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
    AnyIndex,
    /// `..name`: that key at any depth below.
    Anywhere(String),
}

/// `$.a.b`, `$.a[0]`, `$.a[*].b`, `$..name`, `$['a b']`; None when it does not parse.
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.strip_prefix('$')?;
    let mut steps = Vec::new();
    let ident_end = |s: &str| s.find(['.', '[']).unwrap_or(s.len());
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("..") {
            let end = ident_end(r);
            if end == 0 {
                return None;
            }
            steps.push(Step::Anywhere(r.get(..end).unwrap_or_default().to_string()));
            rest = r.get(end..).unwrap_or_default();
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = ident_end(r);
            if end == 0 {
                return None;
            }
            steps.push(if r.get(..end).unwrap_or_default() == "*" {
                Step::AnyIndex
            } else {
                Step::Key(r.get(..end).unwrap_or_default().to_string())
            });
            rest = r.get(end..).unwrap_or_default();
        } else if let Some(r) = rest.strip_prefix('[') {
            let close = r.find(']')?;
            let inner = r.get(..close).unwrap_or_default().trim();
            steps.push(if inner == "*" {
                Step::AnyIndex
            } else if let Ok(i) = inner.parse() {
                Step::Index(i)
            } else {
                Step::Key(inner.trim_matches(['\'', '"']).to_string())
            });
            rest = r.get(close + 1..).unwrap_or_default();
        } else {
            return None;
        }
    }
    (!steps.is_empty()).then_some(steps)
}

/// Whether a path is well formed (for messages about ignore rules that do nothing).
pub fn is_valid_path(path: &str) -> bool {
    parse_path(path).is_some()
}

fn remove_path(v: &mut Value, steps: &[Step]) {
    let Some((first, rest)) = steps.split_first() else {
        return;
    };
    match first {
        Step::Anywhere(name) => {
            let here = [Step::Key(name.clone())]
                .into_iter()
                .chain(rest.iter().cloned())
                .collect::<Vec<_>>();
            remove_path(v, &here);
            match v {
                Value::Object(m) => m.values_mut().for_each(|c| remove_path(c, steps)),
                Value::Array(items) => items.iter_mut().for_each(|c| remove_path(c, steps)),
                _ => {}
            }
        }
        Step::Key(k) => {
            if let Value::Object(m) = v {
                if rest.is_empty() {
                    m.shift_remove(k);
                } else if let Some(c) = m.get_mut(k) {
                    remove_path(c, rest);
                }
            }
        }
        Step::Index(i) => {
            if let Value::Array(items) = v {
                if rest.is_empty() {
                    if *i < items.len() {
                        items.remove(*i);
                    }
                } else if let Some(c) = items.get_mut(*i) {
                    remove_path(c, rest);
                }
            }
        }
        Step::AnyIndex => match v {
            Value::Array(items) if rest.is_empty() => items.clear(),
            Value::Array(items) => items.iter_mut().for_each(|c| remove_path(c, rest)),
            Value::Object(m) if rest.is_empty() => m.clear(),
            Value::Object(m) => m.values_mut().for_each(|c| remove_path(c, rest)),
            _ => {}
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_remove_what_they_name() {
        let mut v = json!({"a": {"b": 1, "c": 2}, "items": [{"id": 1, "x": 1}, {"id": 2, "x": 2}], "deep": {"k": {"requestId": "r"}}, "requestId": "q"});
        for p in ["$.a.b", "$.items[*].id", "$..requestId"] {
            remove_path(&mut v, &parse_path(p).expect(p));
        }
        assert_eq!(
            v,
            json!({"a": {"c": 2}, "items": [{"x": 1}, {"x": 2}], "deep": {"k": {}}})
        );
        assert!(parse_path("a.b").is_none());
        assert!(parse_path("$.").is_none());
        assert_eq!(
            parse_path("$['a b'][0]"),
            Some(vec![Step::Key("a b".into()), Step::Index(0)])
        );
    }

    #[test]
    fn key_order_is_not_a_change() {
        let a = sorted_pretty(&json!({"b": 1, "a": [1, 2]}));
        let b = sorted_pretty(&json!({"a": [1, 2], "b": 1}));
        assert_eq!(a, b);
        assert!(line_diff(&a, &b).iter().all(|l| l.tag == Tag::Same));
    }
}
