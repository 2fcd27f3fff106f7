//! Insomnia's files: a v4 export (workspace, folders, requests, environments, and client
//! certificates when the export has them) and the app's own `insomnia.ClientCertificate.db`
//! (one JSON document a line), read into a [`Collection`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::interop::collection::{
    Auth, CertSetting, Collection, NO_SCRIPTS, file_safe, inside, variables,
};
use crate::request::environment::Environment;
use crate::request::profile::{Body, BodyType, Part, Profile};

/// Whether `v` is an Insomnia v4 export.
pub fn is_export(v: &Value) -> bool {
    v.get("_type").and_then(Value::as_str) == Some("export")
        && v.get("__export_format").and_then(Value::as_u64) == Some(4)
}

/// Whether `v` is an Insomnia v5 export (YAML, read as JSON values).
pub fn is_v5(v: &Value) -> bool {
    v.get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.starts_with("collection.insomnia.rest/5"))
}

/// Reads a v5 export: the `collection` tree (folders hold `children`), the `environments`
/// (the base one's `data` as the collection's variables, each of `subEnvironments` a file).
pub fn v5(v: &Value, folder: &Path, into: &mut Collection) {
    if into.name.is_empty() {
        into.name = file_safe(v.get("name").and_then(Value::as_str).unwrap_or("insomnia"));
    }
    fn walk(items: &Value, prefix: &str, folder: &Path, into: &mut Collection, depth: usize) {
        for item in items.as_array().into_iter().flatten() {
            let name = text(item, "name");
            if let Some(children) = item.get("children") {
                if depth < 32 {
                    let sub = if prefix.is_empty() {
                        name
                    } else {
                        format!("{prefix} {name}")
                    };
                    walk(children, &sub, folder, into, depth + 1);
                }
                continue;
            }
            if item.pointer("/scripts/preRequest").is_some()
                || item.pointer("/scripts/afterResponse").is_some()
            {
                into.skip(format!("{name}: scripts"), NO_SCRIPTS);
            }
            if let Some(p) = request(item, prefix, folder, into) {
                into.add_profile(p);
            }
        }
    }
    if let Some(items) = v.get("collection") {
        walk(items, "", folder, into, 0);
    }
    let Some(base) = v.get("environments") else {
        return;
    };
    into.vars.extend(env_data(base));
    for sub in base
        .get("subEnvironments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let mut env = Environment {
            name: file_safe(&text(sub, "name")),
            ..Environment::default()
        };
        env.vars.extend(env_data(sub));
        into.environments.push(env);
    }
}

/// Whether `text` is Insomnia's client certificate database (one JSON document a line).
pub fn is_cert_db(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| serde_json::from_str::<Value>(l).ok())
        .is_some_and(|v| v.get("type").and_then(Value::as_str) == Some("ClientCertificate"))
}

/// Reads an export into `into`; `folder` is where the file is.
pub fn export(v: &Value, folder: &Path, into: &mut Collection) {
    let resources: Vec<&Value> = v
        .get("resources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let by_id: HashMap<&str, &Value> = resources
        .iter()
        .filter_map(|r| Some((r.get("_id")?.as_str()?, *r)))
        .collect();
    let kind = |r: &Value| {
        r.get("_type")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    if into.name.is_empty() {
        let workspace = resources.iter().find(|r| kind(r) == "workspace");
        into.name = file_safe(
            workspace
                .and_then(|w| w.get("name"))
                .and_then(Value::as_str)
                .unwrap_or("insomnia"),
        );
    }
    for r in &resources {
        match kind(r).as_str() {
            "request" => {
                let prefix = folders(r, &by_id);
                if let Some(p) = request(r, &prefix, folder, into) {
                    into.add_profile(p);
                }
            }
            "environment" => environment(r, &by_id, into),
            "client_certificate" => certificate(r, folder, false, into),
            "grpc_request" | "websocket_request" | "request_group" | "workspace" | "cookie_jar"
            | "api_spec" | "websocket_payload" | "proto_file" => {}
            other => into.skip(
                format!("a resource of type {other}"),
                "not a kind certbench imports",
            ),
        }
    }
}

/// The names of the folders above `r`, outermost first (a cycle or 32 levels stops the walk).
fn folders(r: &Value, by_id: &HashMap<&str, &Value>) -> String {
    let mut names = Vec::new();
    let mut at = r.get("parentId").and_then(Value::as_str);
    while let Some(id) = at {
        let Some(parent) = by_id.get(id) else { break };
        if parent.get("_type").and_then(Value::as_str) != Some("request_group") || names.len() >= 32
        {
            break;
        }
        names.push(
            parent
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("folder")
                .to_string(),
        );
        at = parent
            .get("parentId")
            .and_then(Value::as_str)
            .filter(|p| *p != id);
    }
    names.reverse();
    names.join(" ")
}

fn enabled(list: Option<&Value>) -> Vec<&Value> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|x| x.get("disabled").and_then(Value::as_bool) != Some(true))
        .collect()
}

fn text(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn request(r: &Value, prefix: &str, folder: &Path, into: &mut Collection) -> Option<Profile> {
    let title = text(r, "name");
    let name = if prefix.is_empty() {
        title
    } else {
        format!("{prefix} {title}")
    };
    let mut dynamic = Vec::new();
    let mut var = |t: &str| {
        let (t, d) = variables(t);
        dynamic.extend(d);
        t
    };
    let url = text(r, "url");
    if url.trim().is_empty() {
        into.skip(&name, "the request has no URL");
        return None;
    }
    let (base, in_url) = url.split_once('?').unwrap_or((&url, ""));
    let mut p = Profile {
        name: name.clone(),
        method: text(r, "method").to_ascii_uppercase(),
        url: var(base),
        ..Profile::default()
    };
    if p.method.is_empty() {
        p.method = "GET".into();
    }
    for kv in in_url.split('&').filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        p.query.push((var(k), var(v)));
    }
    for q in enabled(r.get("parameters")) {
        p.query
            .push((var(&text(q, "name")), var(&text(q, "value"))));
    }
    for h in enabled(r.get("headers")) {
        let (k, v) = (text(h, "name"), var(&text(h, "value")));
        if k.is_empty() {
            continue;
        }
        p.add_header(&k, &v);
    }
    if let Some(body) = r
        .get("body")
        .filter(|b| b.as_object().is_some_and(|o| !o.is_empty()))
    {
        let mime = text(body, "mimeType");
        match mime.as_str() {
            "application/x-www-form-urlencoded" => {
                p.body = Body {
                    kind: BodyType::Form,
                    fields: enabled(body.get("params"))
                        .into_iter()
                        .map(|f| (var(&text(f, "name")), var(&text(f, "value"))))
                        .collect(),
                    ..Body::default()
                };
            }
            "multipart/form-data" => {
                let mut parts = Vec::new();
                for f in enabled(body.get("params")) {
                    let key = text(f, "name");
                    if text(f, "type") == "file" {
                        match inside(folder, &text(f, "fileName")) {
                            Ok(path) => {
                                parts.push(Part::file(var(&key), path.display().to_string()))
                            }
                            Err(why) => into.skip(format!("{name}: file part {key}"), why),
                        }
                    } else {
                        parts.push(Part::text(var(&key), var(&text(f, "value"))));
                    }
                }
                p.body = Body::multipart(parts);
            }
            _ => {
                let t = text(body, "text");
                if !t.is_empty() {
                    // GraphQL bodies are sent as the JSON Insomnia holds.
                    let ct = match mime.as_str() {
                        "" => None,
                        "application/graphql" => Some("application/json".to_string()),
                        m => Some(m.to_string()),
                    };
                    let has_type = p
                        .headers
                        .keys()
                        .any(|k| k.eq_ignore_ascii_case("content-type"));
                    p.body = Body {
                        kind: BodyType::Raw,
                        content_type: ct.filter(|_| !has_type),
                        text: Some(var(&t)),
                        ..Body::default()
                    };
                }
            }
        }
    }
    if let Some(auth) = r
        .get("authentication")
        .filter(|a| a.get("disabled").and_then(Value::as_bool) != Some(true))
    {
        let kind = text(auth, "type");
        let auth = match kind.as_str() {
            "" | "none" => None,
            "bearer" => Some(Auth::Bearer {
                prefix: text(auth, "prefix"),
                token: text(auth, "token"),
            }),
            "basic" => Some(Auth::Basic {
                user: text(auth, "username"),
                password: text(auth, "password"),
            }),
            "apikey" => Some(Auth::ApiKey {
                key: text(auth, "key"),
                value: text(auth, "value"),
                in_query: text(auth, "addTo") == "queryParams",
            }),
            other => Some(Auth::Other(other.to_string())),
        };
        if let Some(auth) = auth {
            auth.apply(&name, &mut p, into, &mut var);
        }
    }
    if !text(r, "preRequestScript").trim().is_empty()
        || !text(r, "afterResponseScript").trim().is_empty()
    {
        into.skip(format!("{name}: scripts"), NO_SCRIPTS);
    }
    for d in dynamic {
        into.skip(
            format!("{name}: {{{{{d}}}}}"),
            "a template tag: give it a value in vars.toml",
        );
    }
    Some(p)
}

/// An environment's `data` as variables (text, numbers and booleans; nested values left out).
fn env_data(e: &Value) -> Vec<(String, String)> {
    e.get("data")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| {
            let v = match v {
                Value::String(s) => variables(s).0,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((k.clone(), v))
        })
        .collect()
}

/// The base environment (under the workspace) is the collection's variables; each
/// sub-environment is an environment file.
fn environment(r: &Value, by_id: &HashMap<&str, &Value>, into: &mut Collection) {
    let data = env_data(r);
    let parent = r
        .get("parentId")
        .and_then(Value::as_str)
        .and_then(|id| by_id.get(id))
        .and_then(|p| p.get("_type"))
        .and_then(Value::as_str);
    if parent == Some("environment") {
        let mut env = Environment {
            name: file_safe(&text(r, "name")),
            ..Environment::default()
        };
        env.vars.extend(data);
        into.environments.push(env);
    } else {
        into.vars.extend(data);
    }
}

/// A client certificate: `host`, `cert` + `key` or `pfx`, `passphrase`, `disabled`. The app's
/// database holds its files as absolute paths on this machine (`local`): used as they are.
fn certificate(r: &Value, folder: &Path, local: bool, into: &mut Collection) {
    let host = text(r, "host");
    let name = file_safe(&format!("insomnia-{host}"));
    let file = |k: &str, into: &mut Collection| -> Option<PathBuf> {
        let src = text(r, k);
        if src.is_empty() {
            return None;
        }
        if local && Path::new(&src).is_absolute() {
            return Some(PathBuf::from(src));
        }
        match inside(folder, &src) {
            Ok(p) => Some(p),
            Err(why) => {
                into.skip(format!("certificate {name}: {k}"), why);
                None
            }
        }
    };
    let (cert, key, pfx) = (file("cert", into), file("key", into), file("pfx", into));
    let setting = CertSetting {
        disabled: r.get("disabled").and_then(Value::as_bool) == Some(true),
        ..CertSetting::new(
            name,
            cert,
            key,
            pfx,
            r.get("passphrase")
                .and_then(Value::as_str)
                .map(str::to_string),
        )
    };
    into.add_certificate(setting, &[host.as_str()]);
}

/// The app's `insomnia.ClientCertificate.db`: each line a certificate (a deleted one, marked
/// `$$deleted`, is left out).
pub fn cert_db(text: &str, folder: &Path, into: &mut Collection) {
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            into.skip("a line of the certificate database", "not JSON");
            continue;
        };
        if v.get("$$deleted").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        certificate(&v, folder, true, into);
    }
}
