//! Postman's files: a collection (v2.0 and v2.1: folders, requests, bodies, auth, variables),
//! an environment, and Newman's client certificate list (`--ssl-client-cert-list`), read into a
//! [`Collection`]. Scripts, dynamic variables and auth kinds certbench cannot run are reported.

use std::path::Path;

use serde_json::Value;

use crate::interop::collection::{
    Auth, Collection, Format, NO_SCRIPTS, file_safe, inside, variables,
};
use crate::request::profile::{Body, BodyType, Part, Profile};

/// What a parsed JSON file is, from its shape; None when it is none of Postman's.
pub fn detect(v: &Value) -> Option<Format> {
    let schema = v
        .pointer("/info/schema")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if schema.contains("schema.getpostman.com/json/collection") {
        return Some(Format::PostmanCollection);
    }
    if v.get("values").is_some_and(Value::is_array) && v.get("name").is_some_and(Value::is_string) {
        return Some(Format::PostmanEnvironment);
    }
    let certs = v.as_array().is_some_and(|a| {
        !a.is_empty()
            && a.iter().all(|c| {
                c.get("matches").is_some() && (c.get("cert").is_some() || c.get("pfx").is_some())
            })
    });
    certs.then_some(Format::NewmanCertList)
}

/// Reads a collection into `into`; `folder` is where the file is (for file parts).
pub fn collection(v: &Value, folder: &Path, into: &mut Collection) {
    let name = v
        .pointer("/info/name")
        .and_then(Value::as_str)
        .unwrap_or("postman");
    if into.name.is_empty() {
        into.name = file_safe(name);
    }
    for var in v
        .get("variable")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(k), Some(val)) = (
            var.get("key").and_then(Value::as_str),
            scalar(var.get("value")),
        ) {
            into.vars.insert(k.to_string(), variables(&val).0);
        }
    }
    let auth = v.get("auth").cloned();
    if v.get("event")
        .is_some_and(|e| e.as_array().is_some_and(|a| !a.is_empty()))
    {
        into.skip(format!("{name}: collection scripts"), NO_SCRIPTS);
    }
    for item in v
        .get("item")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        walk(item, "", auth.as_ref(), folder, into, 0);
    }
}

/// The most folders deep a collection is read.
const MAX_DEPTH: usize = 32;

fn walk(
    item: &Value,
    prefix: &str,
    auth: Option<&Value>,
    folder: &Path,
    into: &mut Collection,
    depth: usize,
) {
    let name = item
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("request");
    let full = if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix} {name}")
    };
    if depth > MAX_DEPTH {
        into.skip(full, format!("folders nested deeper than {MAX_DEPTH}"));
        return;
    }
    let auth = item.get("auth").or(auth);
    if let Some(children) = item.get("item").and_then(Value::as_array) {
        if item
            .get("event")
            .is_some_and(|e| e.as_array().is_some_and(|a| !a.is_empty()))
        {
            into.skip(
                format!("{full}: folder scripts"),
                "certbench runs no JavaScript",
            );
        }
        for child in children {
            walk(child, &full, auth, folder, into, depth + 1);
        }
        return;
    }
    let Some(req) = item.get("request") else {
        into.skip(full, "neither a folder nor a request");
        return;
    };
    if item
        .get("event")
        .is_some_and(|e| e.as_array().is_some_and(|a| !a.is_empty()))
    {
        into.skip(format!("{full}: scripts"), NO_SCRIPTS);
    }
    if let Some(p) = request(&full, req, auth, folder, into) {
        into.add_profile(p);
    }
}

/// One request as a profile; None (reported) when it cannot be one.
fn request(
    name: &str,
    req: &Value,
    auth: Option<&Value>,
    folder: &Path,
    into: &mut Collection,
) -> Option<Profile> {
    let mut dynamic = Vec::new();
    let mut var = |text: &str| {
        let (t, d) = variables(text);
        dynamic.extend(d);
        t
    };
    let mut p = Profile {
        name: name.to_string(),
        ..Profile::default()
    };
    // v2: the request may be only its URL.
    let (url, method) = match req {
        Value::String(u) => (Value::String(u.clone()), "GET".to_string()),
        _ => (
            req.get("url").cloned().unwrap_or(Value::Null),
            req.get("method")
                .and_then(Value::as_str)
                .unwrap_or("GET")
                .to_string(),
        ),
    };
    p.method = method.to_ascii_uppercase();
    let Some((raw, query)) = url_of(&url) else {
        into.skip(name, "the request has no URL");
        return None;
    };
    p.url = var(&raw);
    for (k, v) in query {
        p.query.push((var(&k), var(&v)));
    }
    if let Some(d) = req.get("description").and_then(Value::as_str)
        && !d.is_empty()
    {
        p.description = Some(d.lines().next().unwrap_or_default().to_string());
    }
    for h in req
        .get("header")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if h.get("disabled").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let (Some(k), Some(v)) = (h.get("key").and_then(Value::as_str), scalar(h.get("value")))
        else {
            continue;
        };
        p.add_header(k, &var(&v));
    }
    if let Some(body) = req.get("body").filter(|b| !b.is_null()) {
        body_of(name, body, &mut p, folder, into, &mut var);
    }
    let auth = req.get("auth").or(auth);
    if let Some(a) = auth {
        auth_of(name, a, &mut p, into, &mut var);
    }
    // A request's own certificate (v2.1 `certificate`: the same shape as Newman's list
    // entries): imported and bound to its matches, once for every request that names it.
    if let Some(cert) = req.get("certificate").filter(|c| c.is_object()) {
        let mut cert = cert.clone();
        if cert.get("name").is_none() {
            cert["name"] = Value::String(format!("{name} certificate"));
        }
        let known = into.certificates.len();
        crate::interop::newman::cert_list(&Value::Array(vec![cert]), folder, into);
        let added = into.certificates.split_off(known);
        for c in added {
            if !into
                .certificates
                .iter()
                .any(|k| k.cert == c.cert && k.pfx == c.pfx)
            {
                into.certificates.push(c);
            }
        }
    }
    for d in dynamic {
        into.skip(
            format!("{name}: {{{{{d}}}}}"),
            "a Postman dynamic variable: give it a value in vars.toml",
        );
    }
    Some(p)
}

/// A URL and its enabled query pairs: the raw URL without its query, or one built from parts.
fn url_of(url: &Value) -> Option<(String, Vec<(String, String)>)> {
    if let Some(s) = url.as_str() {
        return Some(split_query(s));
    }
    let obj = url.as_object()?;
    let mut query = Vec::new();
    for q in obj
        .get("query")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if q.get("disabled").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        if let Some(k) = q.get("key").and_then(Value::as_str) {
            query.push((k.to_string(), scalar(q.get("value")).unwrap_or_default()));
        }
    }
    let base = match obj.get("raw").and_then(Value::as_str) {
        Some(raw) => split_query(raw).0,
        None => {
            let join = |v: Option<&Value>, sep: &str| match v {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|x| scalar(Some(x)))
                    .collect::<Vec<_>>()
                    .join(sep),
                Some(other) => scalar(Some(other)).unwrap_or_default(),
                None => String::new(),
            };
            let host = join(obj.get("host"), ".");
            if host.is_empty() {
                return None;
            }
            let protocol = obj
                .get("protocol")
                .and_then(Value::as_str)
                .unwrap_or("https");
            let port = scalar(obj.get("port"))
                .map(|p| format!(":{p}"))
                .unwrap_or_default();
            let path = join(obj.get("path"), "/");
            format!("{protocol}://{host}{port}/{}", path.trim_start_matches('/'))
        }
    };
    if base.trim().is_empty() {
        return None;
    }
    // With a query list, the list is the query; without one, the raw URL's own.
    if obj.contains_key("query") {
        Some((base, query))
    } else {
        Some(split_query(
            obj.get("raw").and_then(Value::as_str).unwrap_or(&base),
        ))
    }
}

/// `url?a=1&b=2` as the URL and its pairs (variables untouched).
fn split_query(raw: &str) -> (String, Vec<(String, String)>) {
    match raw.split_once('?') {
        None => (raw.to_string(), Vec::new()),
        Some((base, q)) => {
            let pairs = q
                .split('&')
                .filter(|kv| !kv.is_empty())
                .map(|kv| match kv.split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => (kv.to_string(), String::new()),
                })
                .collect();
            (base.to_string(), pairs)
        }
    }
}

fn body_of(
    name: &str,
    body: &Value,
    p: &mut Profile,
    folder: &Path,
    into: &mut Collection,
    var: &mut impl FnMut(&str) -> String,
) {
    if body.get("disabled").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let mode = body.get("mode").and_then(Value::as_str).unwrap_or("raw");
    let enabled = |list: Option<&Value>| -> Vec<Value> {
        list.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|f| f.get("disabled").and_then(Value::as_bool) != Some(true))
            .cloned()
            .collect()
    };
    match mode {
        "raw" => {
            let text = body.get("raw").and_then(Value::as_str).unwrap_or_default();
            if text.is_empty() {
                return;
            }
            let language = body
                .pointer("/options/raw/language")
                .and_then(Value::as_str);
            let content_type = match language {
                Some("json") => Some("application/json"),
                Some("xml") => Some("application/xml"),
                Some("html") => Some("text/html"),
                Some("javascript") => Some("application/javascript"),
                Some("text") => Some("text/plain"),
                _ => None,
            };
            let has_type = p
                .headers
                .keys()
                .any(|k| k.eq_ignore_ascii_case("content-type"));
            p.body = Body {
                kind: BodyType::Raw,
                content_type: content_type.filter(|_| !has_type).map(str::to_string),
                text: Some(var(text)),
                ..Body::default()
            };
        }
        "urlencoded" => {
            let fields = enabled(body.get("urlencoded"))
                .iter()
                .filter_map(|f| {
                    Some((
                        var(f.get("key")?.as_str()?),
                        var(&scalar(f.get("value")).unwrap_or_default()),
                    ))
                })
                .collect();
            p.body = Body::form(fields);
        }
        "formdata" => {
            let mut parts = Vec::new();
            for f in enabled(body.get("formdata")) {
                let Some(key) = f.get("key").and_then(Value::as_str) else {
                    continue;
                };
                if f.get("type").and_then(Value::as_str) == Some("file") {
                    let src = match f.get("src") {
                        Some(Value::String(s)) => Some(s.clone()),
                        Some(Value::Array(a)) => {
                            a.first().and_then(Value::as_str).map(str::to_string)
                        }
                        _ => None,
                    };
                    match src.map(|s| inside(folder, &s)) {
                        Some(Ok(path)) => parts.push(Part {
                            name: var(key),
                            text: None,
                            file: Some(path.display().to_string()),
                            filename: None,
                            content_type: f
                                .get("contentType")
                                .and_then(Value::as_str)
                                .map(str::to_string),
                        }),
                        Some(Err(why)) => into.skip(format!("{name}: file part {key}"), why),
                        None => into.skip(
                            format!("{name}: file part {key}"),
                            "no file is chosen for it",
                        ),
                    }
                } else {
                    parts.push(Part {
                        name: var(key),
                        text: Some(var(&scalar(f.get("value")).unwrap_or_default())),
                        file: None,
                        filename: None,
                        content_type: f
                            .get("contentType")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                    });
                }
            }
            p.body = Body::multipart(parts);
        }
        other => into.skip(
            format!("{name}: {other} body"),
            "certbench sends raw, form and multipart bodies",
        ),
    }
}

/// The auth as headers; a secret written literally becomes `${env:NAME}` (listed to set).
fn auth_of(
    name: &str,
    auth: &Value,
    p: &mut Profile,
    into: &mut Collection,
    var: &mut impl FnMut(&str) -> String,
) {
    let kind = auth.get("type").and_then(Value::as_str).unwrap_or("noauth");
    // v2.1: a list of {key, value}; v2.0: an object.
    let field = |k: &str| -> Option<String> {
        let params = auth.get(kind)?;
        match params {
            Value::Array(a) => a
                .iter()
                .find(|x| x.get("key").and_then(Value::as_str) == Some(k))
                .and_then(|x| scalar(x.get("value"))),
            Value::Object(o) => scalar(o.get(k)),
            _ => None,
        }
    };

    let get = |k: &str| field(k).unwrap_or_default();
    let auth = match kind {
        "noauth" | "inherit" => return,
        "bearer" => Auth::Bearer {
            prefix: String::new(),
            token: get("token"),
        },
        "basic" => Auth::Basic {
            user: get("username"),
            password: get("password"),
        },
        "apikey" => Auth::ApiKey {
            key: get("key"),
            value: get("value"),
            in_query: get("in") == "query",
        },
        other => Auth::Other(other.to_string()),
    };
    auth.apply(name, p, into, var);
}

/// A JSON string, number or bool as text.
pub(crate) fn scalar(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::profile::HeaderValues;

    #[test]
    fn a_request_certificate_is_imported_once_and_bound_to_its_matches() {
        let cert = serde_json::json!({"name": "partner", "matches": ["https://api.acme.test/*"], "cert": {"src": "c.pem"}, "key": {"src": "k.pem"}});
        let v = serde_json::json!({
            "info": {"name": "c", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "item": [
                {"name": "a", "request": {"url": "https://api.acme.test/a", "certificate": cert}},
                {"name": "b", "request": {"url": "https://api.acme.test/b", "certificate": cert}}
            ]
        });
        let mut c = Collection::default();
        collection(&v, Path::new("/col"), &mut c);
        assert_eq!(c.certificates.len(), 1);
        assert_eq!(c.certificates[0].patterns, ["api.acme.test"]);
        assert_eq!(
            c.certificates[0].cert.as_deref(),
            Some(Path::new("/col/c.pem"))
        );
    }

    #[test]
    fn matches_become_host_patterns() {
        use crate::interop::collection::host_pattern;
        assert_eq!(
            host_pattern("https://test.domain1.com/*").as_deref(),
            Some("test.domain1.com")
        );
        assert_eq!(
            host_pattern("https://localhost:3000/*").as_deref(),
            Some("localhost:3000")
        );
        assert_eq!(
            host_pattern("https://*.acme.test:*/*").as_deref(),
            Some("*.acme.test")
        );
        assert_eq!(host_pattern("https://a*b.test/*"), None);
    }

    #[test]
    fn a_request_with_folders_auth_and_bodies_becomes_profiles() {
        let v: Value = serde_json::json!({
            "info": {"name": "Shop API", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "variable": [{"key": "base", "value": "https://localhost:8443"}],
            "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}"}]},
            "item": [{"name": "Orders", "item": [
                {"name": "Create order", "request": {"method": "POST",
                    "header": [{"key": "X-Trace", "value": "{{trace}}"}, {"key": "X-Off", "value": "1", "disabled": true}],
                    "body": {"mode": "raw", "raw": "{\"sku\": \"{{sku}}\"}", "options": {"raw": {"language": "json"}}},
                    "url": {"raw": "{{base}}/orders?draft=1", "host": ["{{base}}"], "path": ["orders"], "query": [{"key": "draft", "value": "1"}, {"key": "x", "value": "2", "disabled": true}]}}},
                {"name": "Login", "request": {"method": "POST",
                    "auth": {"type": "apikey", "apikey": [{"key": "key", "value": "X-Key"}, {"key": "value", "value": "literal-secret"}]},
                    "body": {"mode": "urlencoded", "urlencoded": [{"key": "user", "value": "ann"}]},
                    "url": "{{base}}/login?t={{$timestamp}}"}, "event": [{"listen": "test", "script": {"exec": ["pm.test()"]}}]}
            ]}]
        });
        assert_eq!(detect(&v), Some(Format::PostmanCollection));
        let mut c = Collection::default();
        collection(&v, Path::new("/c"), &mut c);
        assert_eq!(c.name, "shop-api");
        assert_eq!(c.vars["base"], "https://localhost:8443");
        let create = &c.profiles[0];
        assert_eq!(create.name, "orders-create-order");
        assert_eq!(
            (create.method.as_str(), create.url.as_str()),
            ("POST", "${base}/orders")
        );
        assert_eq!(create.query, [("draft".to_string(), "1".to_string())]);
        assert_eq!(
            create.headers["X-Trace"],
            HeaderValues::One("${trace}".into())
        );
        assert!(!create.headers.contains_key("X-Off"));
        assert_eq!(
            create.headers["Authorization"],
            HeaderValues::One("Bearer ${token}".into())
        );
        assert_eq!(
            create.body.content_type.as_deref(),
            Some("application/json")
        );
        assert_eq!(create.body.text.as_deref(), Some("{\"sku\": \"${sku}\"}"));
        let login = &c.profiles[1];
        assert_eq!(login.body.fields, [("user".to_string(), "ann".to_string())]);
        // The literal key is not stored: an environment variable holds it.
        assert_eq!(
            login.headers["X-Key"],
            HeaderValues::One("${env:ORDERS_LOGIN_X_KEY}".into())
        );
        assert_eq!(c.secrets, ["ORDERS_LOGIN_X_KEY"]);
        let said: Vec<&str> = c.skipped.iter().map(|s| s.what.as_str()).collect();
        assert!(said.contains(&"Orders Login: scripts"), "{said:?}");
        assert!(said.contains(&"Orders Login: {{$timestamp}}"), "{said:?}");
    }
}
