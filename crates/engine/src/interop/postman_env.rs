//! A Postman environment file: its enabled values as an environment, a `secret` one as
//! `${env:NAME}` to set.

use serde_json::Value;

use crate::interop::collection::{Collection, file_safe, variables};
use crate::interop::postman::scalar;
use crate::request::environment::Environment;

/// An environment file: its enabled values; a `secret` one becomes `${env:NAME}`.
pub fn environment(v: &Value, into: &mut Collection) {
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("environment");
    let mut env = Environment {
        name: file_safe(name),
        ..Environment::default()
    };
    for val in v
        .get("values")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if val.get("enabled").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        let Some(k) = val.get("key").and_then(Value::as_str) else {
            continue;
        };
        let value = scalar(val.get("value")).unwrap_or_default();
        let value = if val.get("type").and_then(Value::as_str) == Some("secret") {
            format!("${{env:{}}}", into.secret(&format!("{name} {k}")))
        } else {
            variables(&value).0
        };
        env.vars.insert(k.to_string(), value);
    }
    into.environments.push(env);
}
