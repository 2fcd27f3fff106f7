//! One check on JSON: a path that must exist (or not), equal a value, or match a regex.

use serde::{Deserialize, Serialize};

/// One check on the JSON body: the path must exist (or not), equal a value, or match a regex.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonCheck {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches: Option<String>,
}

pub(crate) fn json_check(c: &JsonCheck, body: Option<&serde_json::Value>) -> (bool, String) {
    let Some(body) = body else {
        return (false, format!("{}: the body is not JSON", c.path));
    };
    let Ok(path) = serde_json_path::JsonPath::parse(&c.path) else {
        return (false, format!("{}: the path does not parse", c.path));
    };
    let found = path.query(body).first().cloned();
    if let Some(want) = c.exists {
        return (
            found.is_some() == want,
            if want {
                format!("{} does not exist", c.path)
            } else {
                format!("{} exists", c.path)
            },
        );
    }
    if let Some(want) = &c.equals {
        return match &found {
            Some(got) => (got == want, format!("{} is {got}, not {want}", c.path)),
            None => (false, format!("{} does not exist (wanted {want})", c.path)),
        };
    }
    if let Some(r) = &c.matches {
        let text = match &found {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => return (false, format!("{} does not exist", c.path)),
        };
        return (
            regex::Regex::new(r).is_ok_and(|re| re.is_match(&text)),
            format!("{} is {text:?}, which does not match {r:?}", c.path),
        );
    }
    (found.is_some(), format!("{} does not exist", c.path))
}
