//! YAML read as the JSON values the importers take (OpenAPI, Insomnia v5 and Bruno's collections
//! are written in it), with alias bombs and deep nesting refused before they cost anything.

use serde_json::Value;

/// The deepest flow nesting (`[`, `{`) a YAML document may have.
const MAX_FLOW_DEPTH: usize = 256;

/// `text` as YAML, when it is a YAML mapping (a plain string or number is not a document here).
pub fn yaml(text: &str) -> Option<Value> {
    // Flow brackets nested past any real document are refused before parsing: the YAML parser
    // takes seconds on 100,000 of them.
    let mut depth = 0usize;
    for b in text.bytes() {
        match b {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_FLOW_DEPTH {
            return None;
        }
    }
    let v: Value = yaml_serde::from_str(text).ok()?;
    v.is_object().then_some(v)
}
