//! Bruno's YAML collections (OpenCollection): `opencollection.yml` (name, client certificates,
//! environments, the variables, headers and auth every request inherits), its requests as `.yml`
//! files in folders (or inline as `items`), and `environments/*.yml`, read into a [`Collection`].

use crate::interop::not_imported::NotImported;
use std::path::Path;

use serde_json::Value;

use crate::interop::collection::{
    Auth, CertSetting, Collection, MAX_COLLECTION_DEPTH, NO_ASSERTIONS, NO_SCRIPTS, file_safe,
    folder_entries, inside, variables,
};
use crate::interop::yaml::yaml;
use crate::request::environment::Environment;
use crate::request::profile::{Body, BodyType, HeaderValues, Part, Profile};

/// The most bytes of one request or environment file.
const ITEM_FILE_LIMIT: u64 = 4 << 20;

/// The collection file's names, in the order they are looked for.
const ROOT_FILES: [&str; 2] = ["opencollection.yml", "opencollection.yaml"];

/// Whether `v` is an OpenCollection document (its root holds `opencollection: VERSION`).
pub fn is_document(v: &Value) -> bool {
    v.get("opencollection")
        .is_some_and(|o| o.is_string() || o.is_number())
}

/// The collection file of the folder `dir`, when it is an OpenCollection folder.
pub fn root_file(dir: &Path) -> Option<std::path::PathBuf> {
    ROOT_FILES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// What every request below a folder inherits: headers, and the auth `inherit` stands for.
#[derive(Debug, Clone, Default)]
struct Inherited {
    headers: Vec<(String, String)>,
    auth: Option<Value>,
}

impl Inherited {
    /// These, with what `request` (a collection's or folder's `request:`) adds or overrides.
    fn with(&self, request: Option<&Value>) -> Inherited {
        let mut next = self.clone();
        let Some(r) = request else {
            return next;
        };
        next.headers.extend(enabled_pairs(r.get("headers")));
        match r.get("auth") {
            Some(Value::String(s)) if s == "inherit" => {}
            Some(a) => next.auth = Some(a.clone()),
            None => {}
        }
        next
    }
}

/// Reads an OpenCollection document `v` (a file in `folder`): its name, certificates,
/// environments and variables, and the requests it holds inline.
pub fn document(v: &Value, folder: &Path, into: &mut Collection) {
    if into.name.is_empty() {
        into.name = file_safe(text(v.pointer("/info/name")).as_deref().unwrap_or("bruno"));
    }
    let config = v.get("config");
    certificates(
        config.and_then(|c| c.get("clientCertificates")),
        folder,
        into,
    );
    for env in config
        .and_then(|c| c.get("environments"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        environment(env, "", into);
    }
    add_vars(v.pointer("/request/variables"), "the collection", into);
    let inherited = Inherited::default().with(v.get("request"));
    items(v.get("items"), "", &inherited, folder, into, 0);
}

/// Reads the OpenCollection folder `dir`: its collection file, `environments/*.yml`, and every
/// request file below it (folders in turn, requests by their `seq`).
pub fn collection(dir: &Path, into: &mut Collection) -> Result<(), NotImported> {
    let Some(root) = root_file(dir) else {
        return Err(NotImported::NoCollectionFile(dir.to_path_buf()));
    };
    let v = read_yaml(&root)?;
    document(&v, dir, into);
    let inherited = Inherited::default().with(v.get("request"));
    let envs = dir.join("environments");
    let mut seen = 0usize;
    for p in folder_entries(dir, &envs, 0, &mut seen, into)? {
        if is_yaml(&p) {
            environment(&read_yaml(&p)?, &stem(&p), into);
        }
    }
    walk(dir, dir, "", &inherited, into, &mut seen, 0)
}

fn walk(
    root: &Path,
    dir: &Path,
    prefix: &str,
    inherited: &Inherited,
    into: &mut Collection,
    seen: &mut usize,
    depth: usize,
) -> Result<(), NotImported> {
    // A folder's own settings (`folder.yml`) apply to everything in it.
    let folder_file = dir.join("folder.yml");
    let inherited = match depth > 0 && folder_file.is_file() && !is_link(&folder_file) {
        true => {
            let folder = read_yaml(&folder_file)?;
            add_vars(
                folder.pointer("/request/variables"),
                &format!("folder {prefix}"),
                into,
            );
            inherited.with(folder.get("request"))
        }
        false => inherited.clone(),
    };
    let mut requests = Vec::new();
    for p in folder_entries(root, dir, depth, seen, into)? {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p.is_dir() {
            if depth == 0 && name == "environments" {
                continue;
            }
            let sub = joined(prefix, &name);
            walk(root, &p, &sub, &inherited, into, seen, depth + 1)?;
        } else if is_yaml(&p) && !ROOT_FILES.contains(&name.as_str()) && name != "folder.yml" {
            let item = read_yaml(&p)?;
            let seq = item
                .pointer("/info/seq")
                .and_then(Value::as_u64)
                .unwrap_or(u64::MAX);
            requests.push((seq, stem(&p), item));
        }
    }
    requests.sort_by_key(|(seq, ..)| *seq);
    for (_, file_stem, item) in requests {
        if let Some(p) = request(&item, &file_stem, prefix, &inherited, root, into) {
            into.add_profile(p);
        }
    }
    Ok(())
}

/// Inline `items`: requests, and folders holding their own `items`.
fn items(
    list: Option<&Value>,
    prefix: &str,
    inherited: &Inherited,
    root: &Path,
    into: &mut Collection,
    depth: usize,
) {
    for item in list.and_then(Value::as_array).into_iter().flatten() {
        let name = text(item.pointer("/info/name")).unwrap_or_default();
        if item.get("items").is_some() && item.get("http").is_none() {
            if depth < MAX_COLLECTION_DEPTH {
                add_vars(
                    item.pointer("/request/variables"),
                    &format!("folder {name}"),
                    into,
                );
                let inner = inherited.with(item.get("request"));
                items(
                    item.get("items"),
                    &joined(prefix, &name),
                    &inner,
                    root,
                    into,
                    depth + 1,
                );
            }
            continue;
        }
        if let Some(p) = request(item, "request", prefix, inherited, root, into) {
            into.add_profile(p);
        }
    }
}

/// One request item (a file's content, or an inline item).
fn request(
    item: &Value,
    fallback_name: &str,
    prefix: &str,
    inherited: &Inherited,
    root: &Path,
    into: &mut Collection,
) -> Option<Profile> {
    let title = text(item.pointer("/info/name")).unwrap_or_else(|| fallback_name.to_string());
    let name = joined(prefix, &title);
    let kind = text(item.pointer("/info/type")).unwrap_or_else(|| {
        ["http", "graphql", "grpc", "websocket"]
            .into_iter()
            .find(|k| item.get(*k).is_some())
            .unwrap_or("unknown")
            .to_string()
    });
    let Some(http) = item.get("http").filter(|_| kind == "http") else {
        into.skip(
            &name,
            format!("a {kind} request: certbench imports HTTP requests from Bruno"),
        );
        return None;
    };
    let mut dynamic = Vec::new();
    let mut var = |t: &str| {
        let (t, d) = variables(t);
        dynamic.extend(d);
        t
    };
    let method = text(http.get("method")).unwrap_or_else(|| "GET".into());
    let mut p = Profile {
        name: name.clone(),
        method: method.to_ascii_uppercase(),
        ..Profile::default()
    };
    let raw_url = text(http.get("url")).unwrap_or_default();
    let (base, query_in_url) = raw_url.split_once('?').unwrap_or((&raw_url, ""));
    let mut url = base.to_string();
    let params = http.get("params");
    let param_list = || {
        params
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|x| x.get("disabled").and_then(Value::as_bool) != Some(true))
    };
    for x in param_list().filter(|x| text(x.get("type")).as_deref() == Some("path")) {
        if let (Some(k), Some(v)) = (text(x.get("name")), text(x.get("value"))) {
            url = url.replace(&format!(":{k}"), &v);
        }
    }
    p.url = var(&url);
    let query: Vec<(String, String)> = param_list()
        .filter(|x| text(x.get("type")).as_deref().unwrap_or("query") == "query")
        .filter_map(|x| {
            Some((
                text(x.get("name"))?,
                text(x.get("value")).unwrap_or_default(),
            ))
        })
        .collect();
    if query.is_empty() {
        for kv in query_in_url.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            p.query.push((var(k), var(v)));
        }
    } else {
        for (k, v) in query {
            p.query.push((var(&k), var(&v)));
        }
    }
    for (k, v) in inherited
        .headers
        .iter()
        .cloned()
        .chain(enabled_pairs(http.get("headers")))
    {
        p.headers.insert(k, HeaderValues::One(var(&v)));
    }
    body(http.get("body"), &name, root, &mut p, into, &mut var);
    let auth_value = match http.get("auth") {
        None => None,
        Some(Value::String(s)) if s == "inherit" => inherited.auth.clone(),
        Some(a) => Some(a.clone()),
    };
    if let Some(a) = auth_value.as_ref().and_then(auth) {
        a.apply(&name, &mut p, into, &mut var);
    }
    add_vars(item.pointer("/runtime/variables"), &name, into);
    let runtime = item.get("runtime");
    let has = |k: &str| {
        runtime
            .and_then(|r| r.get(k))
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
    };
    if has("scripts") {
        into.skip(format!("{name}: scripts"), NO_SCRIPTS);
    }
    if has("assertions") {
        into.skip(format!("{name}: assertions"), NO_ASSERTIONS);
    }
    into.skip_dynamic(&name, dynamic);
    Some(p)
}

/// A request's `body:` (`type` and `data`) on `p`.
fn body(
    b: Option<&Value>,
    name: &str,
    root: &Path,
    p: &mut Profile,
    into: &mut Collection,
    var: &mut impl FnMut(&str) -> String,
) {
    let Some(b) = b else {
        return;
    };
    let kind = text(b.get("type")).unwrap_or_default();
    let data = b.get("data");
    let entries = || {
        data.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|x| x.get("disabled").and_then(Value::as_bool) != Some(true))
    };
    match kind.as_str() {
        "json" | "text" | "xml" | "sparql" => {
            let ct = match kind.as_str() {
                "json" => "application/json",
                "xml" => "application/xml",
                "sparql" => "application/sparql-query",
                _ => "text/plain",
            };
            p.body = Body {
                kind: BodyType::Raw,
                content_type: Some(ct.into()),
                text: Some(var(&text(data).unwrap_or_default())),
                ..Body::default()
            };
        }
        "form-urlencoded" => {
            let fields = entries()
                .filter_map(|x| {
                    Some((
                        text(x.get("name"))?,
                        text(x.get("value")).unwrap_or_default(),
                    ))
                })
                .map(|(k, v)| (var(&k), var(&v)))
                .collect();
            p.body = Body::form(fields);
        }
        "multipart-form" => {
            let mut parts = Vec::new();
            for x in entries() {
                let Some(k) = text(x.get("name")) else {
                    continue;
                };
                if text(x.get("type")).as_deref() != Some("file") {
                    parts.push(Part::text(
                        var(&k),
                        var(&text(x.get("value")).unwrap_or_default()),
                    ));
                    continue;
                }
                // A file part names one path, or several (each its own part).
                let paths: Vec<String> = match x.get("value") {
                    Some(Value::Array(a)) => a.iter().filter_map(|v| text(Some(v))).collect(),
                    v => text(v).into_iter().collect(),
                };
                for f in paths {
                    match inside(root, &f) {
                        Ok(path) => parts.push(Part::file(var(&k), path.display().to_string())),
                        Err(why) => into.skip(format!("{name}: file part {k}"), why),
                    }
                }
            }
            p.body = Body::multipart(parts);
        }
        "" => {}
        other => into.skip(
            format!("{name}: {other} body"),
            "certbench sends json, text, xml, form and multipart bodies",
        ),
    }
}

/// An `auth:` mapping as [`Auth`] (`none` is no auth).
fn auth(a: &Value) -> Option<Auth> {
    let field = |k: &str| text(a.get(k)).unwrap_or_default();
    Some(match text(a.get("type"))?.as_str() {
        "none" => return None,
        "bearer" => Auth::Bearer {
            prefix: String::new(),
            token: field("token"),
        },
        "basic" => Auth::Basic {
            user: field("username"),
            password: field("password"),
        },
        "apikey" => Auth::ApiKey {
            key: field("key"),
            value: field("value"),
            in_query: field("placement") == "query",
        },
        other => Auth::Other(other.to_string()),
    })
}

/// An environment (in the collection file, or `environments/NAME.yml`): its variables, with
/// secret ones as `${env:...}` references (Bruno exports leave their values out).
fn environment(v: &Value, file_stem: &str, into: &mut Collection) {
    let name = text(v.get("name")).unwrap_or_else(|| file_stem.to_string());
    let mut env = Environment {
        name: file_safe(&name),
        ..Environment::default()
    };
    for var in v
        .get("variables")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|x| x.get("disabled").and_then(Value::as_bool) != Some(true))
    {
        let Some(key) = text(var.get("name")) else {
            continue;
        };
        if var.get("secret").and_then(Value::as_bool) == Some(true) {
            let env_var = into.secret(&format!("{name} {key}"));
            env.vars.insert(key, format!("${{env:{env_var}}}"));
        } else {
            let value = text(var.get("value")).unwrap_or_default();
            env.vars.insert(key, variables(&value).0);
        }
    }
    into.environments.push(env);
}

/// `config.clientCertificates`: `pem` (a certificate and key) or `pkcs12`, paths relative to the
/// collection; a passphrase is used once; a disabled one is imported but not bound.
fn certificates(list: Option<&Value>, dir: &Path, into: &mut Collection) {
    for (i, c) in list
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let domain = text(c.get("domain")).unwrap_or_default();
        let name = file_safe(&format!(
            "bruno-{}",
            if domain.is_empty() {
                (i + 1).to_string()
            } else {
                domain.clone()
            }
        ));
        let file = |k: &str, into: &mut Collection| -> Option<std::path::PathBuf> {
            let src = text(c.get(k)).filter(|s| !s.is_empty())?;
            match inside(dir, &src) {
                Ok(p) => Some(p),
                Err(why) => {
                    into.skip(format!("certificate {name}: {k}"), why);
                    None
                }
            }
        };
        let (cert, key, pfx) = match text(c.get("type")).as_deref() {
            Some("pkcs12" | "pfx") => (None, None, file("pkcs12FilePath", into)),
            _ => (
                file("certificateFilePath", into),
                file("privateKeyFilePath", into),
                None,
            ),
        };
        let cert = CertSetting {
            disabled: c.get("disabled").and_then(Value::as_bool) == Some(true),
            ..CertSetting::new(name, cert, key, pfx, text(c.get("passphrase")))
        };
        into.add_certificate(cert, &[domain.as_str()]);
    }
}

/// A collection's, folder's or request's variables, as the collection's (certbench keeps one set
/// per folder of profiles): the first value of a name is kept, a different later one reported.
fn add_vars(list: Option<&Value>, scope: &str, into: &mut Collection) {
    for (name, value) in enabled_pairs(list) {
        let value = variables(&value).0;
        match into.vars.get(&name) {
            None => {
                into.vars.insert(name, value);
            }
            Some(kept) if *kept == value => {}
            Some(_) => into.skip(
                format!("{scope}: variable {name}"),
                "another value of it was imported first (certbench keeps one value per collection); give it in vars.toml or an environment",
            ),
        }
    }
}

/// Enabled `{name, value}` entries of a list.
fn enabled_pairs(list: Option<&Value>) -> Vec<(String, String)> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|x| x.get("disabled").and_then(Value::as_bool) != Some(true))
        .filter_map(|x| {
            Some((
                text(x.get("name"))?,
                text(x.get("value")).unwrap_or_default(),
            ))
        })
        .collect()
}

/// A scalar as text; a typed value (`{type, data}`) as its data.
fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(o) => text(o.get("data")),
        _ => None,
    }
}

fn joined(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix} {name}")
    }
}

fn read_yaml(path: &Path) -> Result<Value, NotImported> {
    let bytes = crate::home::read_bounded(path, ITEM_FILE_LIMIT).map_err(|source| {
        NotImported::Unreadable {
            path: path.to_path_buf(),
            source,
        }
    })?;
    yaml(&String::from_utf8_lossy(&bytes))
        .ok_or_else(|| NotImported::NotBrunoYaml(path.to_path_buf()))
}

fn is_yaml(p: &Path) -> bool {
    p.extension().is_some_and(|x| x == "yml" || x == "yaml")
}

fn is_link(p: &Path) -> bool {
    p.symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inline_document_gives_requests_inherited_auth_and_a_pkcs12() {
        let doc = "opencollection: 1.0.0\ninfo:\n  name: Orders API\nconfig:\n  clientCertificates:\n    - domain: api.test\n      type: pkcs12\n      pkcs12FilePath: certs/client.p12\n      passphrase: pw\n    - domain: other.test\n      type: pem\n      certificateFilePath: ../../etc/passwd\n      privateKeyFilePath: k.pem\n  environments:\n    - name: Prod\n      variables:\n        - name: host\n          value: https://api.test\n        - name: token\n          secret: true\nrequest:\n  auth:\n    type: bearer\n    token: '{{token}}'\nitems:\n  - info:\n      name: Orders\n    items:\n      - info:\n          name: list\n          type: http\n        http:\n          method: get\n          url: '{{host}}/orders?limit=5'\n          auth: inherit\n          headers:\n            - name: Accept\n              value: application/json\n            - name: X-Off\n              value: '1'\n              disabled: true\n";
        let v = yaml(doc).unwrap();
        assert!(is_document(&v));
        let mut c = Collection::default();
        document(&v, Path::new("/col"), &mut c);
        assert_eq!(c.name, "orders-api");
        let p = &c.profiles[0];
        assert_eq!((p.name.as_str(), p.method.as_str()), ("orders-list", "GET"));
        assert_eq!(p.url, "${host}/orders");
        assert_eq!(p.query, [("limit".to_string(), "5".to_string())]);
        assert!(p.headers.contains_key("Accept") && !p.headers.contains_key("X-Off"));
        assert_eq!(
            p.headers.get("Authorization"),
            Some(&HeaderValues::One("Bearer ${token}".into()))
        );
        assert_eq!(c.certificates.len(), 1, "{:?}", c.skipped);
        assert_eq!(
            c.certificates[0].pfx.as_deref(),
            Some(Path::new("/col/certs/client.p12"))
        );
        assert_eq!(c.certificates[0].patterns, ["api.test"]);
        assert!(
            c.skipped
                .iter()
                .any(|s| s.what.contains("certificateFilePath"))
        );
        assert_eq!(c.environments[0].vars["token"], "${env:PROD_TOKEN}");
    }
}
