//! OpenAPI 3.0 / 3.1 and Swagger 2.0 descriptions (JSON): one profile an operation, its URL
//! from the first server (`${base_url}`), path parameters as variables, example bodies from
//! `example`, `examples` or the schema, auth as headers with secrets left to set, and the
//! operations a `mutualTLS` scheme guards marked as needing a client certificate.

use serde_json::{Map, Value, json};

use crate::interop::collection::{Auth, Collection, file_safe};
use crate::request::profile::{Body, BodyType, Part, Profile};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How deep a schema's `$ref`s and nesting are followed to make an example.
const MAX_SCHEMA_DEPTH: usize = 12;

/// Whether `v` is an OpenAPI (3.x) or Swagger (2.0) description.
pub fn is_openapi(v: &Value) -> bool {
    v.get("openapi")
        .and_then(Value::as_str)
        .is_some_and(|s| s.starts_with("3."))
        || v.get("swagger").and_then(Value::as_str) == Some("2.0")
}

/// Reads every operation into `into`.
pub fn openapi(v: &Value, into: &mut Collection) {
    let title = v
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or("openapi");
    if into.name.is_empty() {
        into.name = file_safe(title);
    }
    let base = base_url(v);
    if let Some(base) = base {
        into.vars.insert("base_url".into(), base);
    } else {
        into.skip(
            "servers",
            "the description names no server: set base_url in vars.toml",
        );
    }
    let global_security = v.get("security");
    let Some(paths) = v.get("paths").and_then(Value::as_object) else {
        into.skip("paths", "the description has no paths");
        return;
    };
    let mut guarded = 0usize;
    for (path, item) in paths {
        let shared: Vec<&Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let name = op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| format!("{method} {path}"));
            let mut p = Profile {
                name: name.clone(),
                method: method.to_ascii_uppercase(),
                url: format!("${{base_url}}{}", path_with_vars(path)),
                description: op
                    .get("summary")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                ..Profile::default()
            };
            let params = shared.iter().copied().chain(
                op.get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            );
            for param in params {
                let param = resolve(v, param, 0);
                parameter(v, &param, &name, &mut p, into);
            }
            if let Some(body) = op.get("requestBody") {
                request_body(v, &resolve(v, body, 0), &name, &mut p, into);
            }
            // Swagger 2.0: the body is a parameter `in: body` (read above) or form data.
            let security = op.get("security").or(global_security);
            if security_of(v, security, &name, &mut p, into) {
                guarded += 1;
            }
            into.add_profile(p);
        }
    }
    if guarded > 0 {
        into.skip(
            format!("{guarded} operations need a client certificate (mutualTLS)"),
            "certbench presents one once it is chosen: bind a key to the server's host (`keys bind`), or set `credential` in an environment",
        );
    }
}

/// The first server's URL, its `{variables}` at their defaults; Swagger's scheme, host and base path.
fn base_url(v: &Value) -> Option<String> {
    if let Some(server) = v.pointer("/servers/0") {
        let mut url = server.get("url")?.as_str()?.to_string();
        for (k, var) in server
            .get("variables")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(d) = var.get("default").and_then(Value::as_str) {
                url = url.replace(&format!("{{{k}}}"), d);
            }
        }
        return Some(url.trim_end_matches('/').to_string());
    }
    let host = v.get("host")?.as_str()?;
    let scheme = v
        .pointer("/schemes/0")
        .and_then(Value::as_str)
        .unwrap_or("https");
    let base = v.get("basePath").and_then(Value::as_str).unwrap_or("");
    Some(format!("{scheme}://{host}{}", base.trim_end_matches('/')))
}

/// `/pets/{petId}` as `/pets/${petId}`.
fn path_with_vars(path: &str) -> String {
    path.replace('{', "${")
}

/// A local `$ref` (`#/components/...`, `#/definitions/...`) followed, at most a few levels.
fn resolve(root: &Value, v: &Value, depth: usize) -> Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) if depth < MAX_SCHEMA_DEPTH => match r.strip_prefix('#') {
            Some(pointer) => root
                .pointer(pointer)
                .map(|t| resolve(root, t, depth + 1))
                .unwrap_or(Value::Null),
            None => Value::Null,
        },
        Some(_) => Value::Null,
        None => v.clone(),
    }
}

/// An example value for `schema`: its `example`, `default` or first `enum`, else one made from
/// its type (objects from their properties, arrays of one item).
fn example(root: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(root, schema, depth);
    if depth > MAX_SCHEMA_DEPTH {
        return Value::Null;
    }
    for k in ["example", "default"] {
        if let Some(x) = schema.get(k) {
            return x.clone();
        }
    }
    if let Some(first) = schema.pointer("/enum/0") {
        return first.clone();
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in all {
            if let Value::Object(o) = example(root, part, depth + 1) {
                merged.extend(o);
            }
        }
        return Value::Object(merged);
    }
    if let Some(first) = schema
        .get("oneOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(|a| a.get(0))
    {
        return example(root, first, depth + 1);
    }
    let kind = schema.get("type").and_then(|t| match t {
        Value::String(s) => Some(s.as_str()),
        Value::Array(a) => a.iter().filter_map(Value::as_str).find(|s| *s != "null"),
        _ => None,
    });
    match kind {
        Some("object") | None if schema.get("properties").is_some() => {
            let mut o = Map::new();
            for (k, prop) in schema
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                o.insert(k.clone(), example(root, prop, depth + 1));
            }
            Value::Object(o)
        }
        Some("object") => json!({}),
        Some("array") => {
            let item = schema
                .get("items")
                .map(|i| example(root, i, depth + 1))
                .unwrap_or(Value::Null);
            json!([item])
        }
        Some("integer") | Some("number") => json!(0),
        Some("boolean") => json!(false),
        Some("string") => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2026-01-01T00:00:00Z"),
            Some("date") => json!("2026-01-01"),
            Some("uuid") => json!("00000000-0000-0000-0000-000000000000"),
            _ => json!("string"),
        },
        _ => Value::Null,
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn parameter(root: &Value, param: &Value, op: &str, p: &mut Profile, into: &mut Collection) {
    let Some(name) = param.get("name").and_then(Value::as_str) else {
        return;
    };
    let place = param.get("in").and_then(Value::as_str).unwrap_or_default();
    let required = param.get("required").and_then(Value::as_bool) == Some(true);
    let given = param
        .get("example")
        .cloned()
        .or_else(|| param.get("schema").map(|s| example(root, s, 0)))
        .or_else(|| param.get("default").cloned())
        .filter(|x| !x.is_null());
    match place {
        "path" => {
            // A path parameter is a variable; its example, when there is one, its value.
            if let Some(x) = given {
                into.vars
                    .entry(name.to_string())
                    .or_insert_with(|| text_of(&x));
            }
        }
        "query" if required || param.get("example").is_some() => {
            p.query.push((
                name.to_string(),
                given.map(|x| text_of(&x)).unwrap_or_default(),
            ));
        }
        "header" if required => {
            p.add_header(name, &given.map(|x| text_of(&x)).unwrap_or_default());
        }
        "body" => {
            let body = param
                .get("schema")
                .map(|s| example(root, s, 0))
                .unwrap_or(Value::Null);
            p.body = Body {
                kind: BodyType::Raw,
                content_type: Some("application/json".into()),
                text: Some(serde_json::to_string_pretty(&body).unwrap_or_default()),
                ..Body::default()
            };
        }
        "formData" => {
            if param.get("type").and_then(Value::as_str) == Some("file") {
                into.skip(
                    format!("{op}: file field {name}"),
                    "add the file part to the profile by hand",
                );
            } else {
                p.body.kind = BodyType::Form;
                p.body.fields.push((
                    name.to_string(),
                    given.map(|x| text_of(&x)).unwrap_or_default(),
                ));
            }
        }
        _ => {}
    }
}

fn request_body(root: &Value, body: &Value, op: &str, p: &mut Profile, into: &mut Collection) {
    let Some(content) = body.get("content").and_then(Value::as_object) else {
        return;
    };
    let pick = [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ]
    .into_iter()
    .find_map(|m| content.get(m).map(|c| (m.to_string(), c)))
    .or_else(|| content.iter().next().map(|(m, c)| (m.clone(), c)));
    let Some((media, c)) = pick else { return };
    let value = c
        .get("example")
        .cloned()
        .or_else(|| {
            c.get("examples")
                .and_then(Value::as_object)
                .and_then(|e| e.values().next())
                .map(|e| resolve(root, e, 0))
                .and_then(|e| e.get("value").cloned())
        })
        .or_else(|| c.get("schema").map(|s| example(root, s, 0)))
        .unwrap_or(Value::Null);
    match media.as_str() {
        "application/x-www-form-urlencoded" => {
            p.body = Body {
                kind: BodyType::Form,
                fields: value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| (k.clone(), text_of(v)))
                    .collect(),
                ..Body::default()
            };
        }
        "multipart/form-data" => {
            let schema = c
                .get("schema")
                .map(|s| resolve(root, s, 0))
                .unwrap_or(Value::Null);
            let mut parts = Vec::new();
            for (k, v) in value.as_object().into_iter().flatten() {
                let binary = schema
                    .pointer(&format!("/properties/{k}/format"))
                    .and_then(Value::as_str)
                    .is_some_and(|f| f == "binary" || f == "base64");
                if binary {
                    into.skip(
                        format!("{op}: file part {k}"),
                        "add the file part to the profile by hand",
                    );
                } else {
                    parts.push(Part::text(k.clone(), text_of(v)));
                }
            }
            p.body = Body::multipart(parts);
        }
        m => {
            let text = match &value {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => serde_json::to_string_pretty(other).unwrap_or_default(),
            };
            p.body = Body {
                kind: BodyType::Raw,
                content_type: Some(if m == "*/*" {
                    "application/json".into()
                } else {
                    m.to_string()
                }),
                text: Some(text),
                ..Body::default()
            };
        }
    }
}

/// The operation's auth as headers; true when a `mutualTLS` scheme guards it.
fn security_of(
    root: &Value,
    security: Option<&Value>,
    op: &str,
    p: &mut Profile,
    into: &mut Collection,
) -> bool {
    // The first requirement that certbench can meet is used.
    let Some(first) = security.and_then(Value::as_array).and_then(|a| a.first()) else {
        return false;
    };
    let mut mutual = false;
    for name in first.as_object().into_iter().flatten().map(|(k, _)| k) {
        let scheme = root
            .pointer(&format!("/components/securitySchemes/{name}"))
            .or_else(|| root.pointer(&format!("/securityDefinitions/{name}")))
            .cloned()
            .unwrap_or(Value::Null);
        let kind = scheme
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let http = scheme
            .get("scheme")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // No value is known: each secret is an environment variable to set, one a scheme.
        let mut env = |what: &str| {
            format!(
                "{{{{env:{}}}}}",
                into.shared_secret(&format!("{name} {what}"))
            )
        };
        let auth = match (kind, http.to_ascii_lowercase().as_str()) {
            ("mutualTLS", _) => {
                mutual = true;
                p.options.mutual_tls = Some(true);
                continue;
            }
            ("http", "bearer") => Auth::Bearer {
                prefix: String::new(),
                token: env("token"),
            },
            ("http", "basic") | ("basic", _) => Auth::Basic {
                user: env("user"),
                password: env("password"),
            },
            ("apiKey", _) => Auth::ApiKey {
                key: scheme
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                value: env("key"),
                in_query: scheme.get("in").and_then(Value::as_str) == Some("query"),
            },
            (other, _) => Auth::Other(format!("{name} ({other})")),
        };
        auth.apply(op, p, into, &mut |t: &str| {
            crate::interop::collection::variables(t).0
        });
    }
    mutual
}
