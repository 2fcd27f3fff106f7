//! A Bruno collection folder: `bruno.json` (its client certificates), `collection.bru` (auth and
//! headers every request inherits), the `.bru` requests in their folders, and
//! `environments/*.bru`, read into a [`Collection`]. The Bru language is read by hand: blocks
//! of `key: value` lines, text blocks, and lists, each closed by a brace at the line's start.

use crate::interop::not_imported::NotImported;
use std::path::Path;

use serde_json::Value;

use crate::interop::collection::{
    Auth, CertSetting, Collection, NO_ASSERTIONS, NO_SCRIPTS, file_safe, folder_entries, inside,
    variables,
};
use crate::request::environment::Environment;
use crate::request::profile::{Body, BodyType, HeaderValues, Part, Profile};

/// The most bytes of one `.bru` file.
const BRU_FILE_LIMIT: u64 = 4 << 20;

/// One block of a `.bru` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// `key: value` lines; a `~` before the key disables the line.
    Pairs(Vec<(String, String, bool)>),
    /// The text of a body, script, tests or docs block, de-indented.
    Text(String),
    /// `name [ a, b ]`.
    List(Vec<String>),
}

/// The blocks of a `.bru` file, in order.
pub fn parse(text: &str) -> Vec<(String, Block)> {
    let mut blocks = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_end();
        let (name, list) = match (trimmed.strip_suffix('{'), trimmed.strip_suffix('[')) {
            (Some(n), _) => (n.trim(), false),
            (None, Some(n)) => (n.trim(), true),
            _ => continue,
        };
        if name.is_empty() || line.starts_with([' ', '\t']) {
            continue;
        }
        let close = if list { "]" } else { "}" };
        let mut body = Vec::new();
        for l in lines.by_ref() {
            if l.trim_end() == close {
                break;
            }
            body.push(l);
        }
        let textual = name.starts_with("body:")
            && !matches!(name, "body:form-urlencoded" | "body:multipart-form")
            || name.starts_with("script:")
            || matches!(name, "tests" | "docs");
        let block = if list {
            Block::List(
                body.iter()
                    .flat_map(|l| l.split(','))
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
            )
        } else if textual {
            let text: Vec<&str> = body
                .iter()
                .map(|l| l.strip_prefix("  ").unwrap_or(l))
                .collect();
            Block::Text(text.join("\n"))
        } else {
            Block::Pairs(
                body.iter()
                    .filter_map(|l| {
                        let l = l.trim();
                        let (enabled, l) = match l.strip_prefix('~') {
                            Some(rest) => (false, rest),
                            None => (true, l),
                        };
                        let (k, v) = l.split_once(':')?;
                        Some((k.trim().to_string(), v.trim().to_string(), enabled))
                    })
                    .collect(),
            )
        };
        blocks.push((name.to_string(), block));
    }
    blocks
}

fn pairs<'a>(blocks: &'a [(String, Block)], name: &str) -> Vec<(&'a str, &'a str)> {
    blocks
        .iter()
        .filter(|(n, _)| n == name)
        .flat_map(|(_, b)| match b {
            Block::Pairs(p) => p
                .iter()
                .filter(|(_, _, on)| *on)
                .map(|(k, v, _)| (k.as_str(), v.as_str()))
                .collect(),
            _ => Vec::new(),
        })
        .collect()
}

fn text<'a>(blocks: &'a [(String, Block)], name: &str) -> Option<&'a str> {
    blocks
        .iter()
        .find(|(n, _)| n == name)
        .and_then(|(_, b)| match b {
            Block::Text(t) => Some(t.as_str()),
            _ => None,
        })
}

fn one<'a>(blocks: &'a [(String, Block)], block: &str, key: &str) -> Option<&'a str> {
    pairs(blocks, block)
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// One `.bru` request read alone (no collection around it), for the fuzzer.
pub fn request_text(text: &str, into: &mut Collection) {
    if let Some(p) = request(&parse(text), "", &[], Path::new("/fuzz"), into) {
        into.add_profile(p);
    }
}

/// Whether `dir` is a Bruno collection (it holds `bruno.json`).
pub fn is_collection(dir: &Path) -> bool {
    dir.join("bruno.json").is_file()
}

/// Reads the collection folder `dir` into `into`.
pub fn collection(dir: &Path, into: &mut Collection) -> Result<(), NotImported> {
    let read = |p: &Path, limit: u64| {
        crate::home::read_bounded(p, limit)
            .map_err(|source| NotImported::Unreadable {
                path: p.to_path_buf(),
                source,
            })
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    let config: Value =
        serde_json::from_str(&read(&dir.join("bruno.json"), 1 << 20)?).map_err(|e| {
            NotImported::FileNotJson {
                path: dir.join("bruno.json"),
                reason: e.to_string(),
            }
        })?;
    let name = config
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("bruno");
    if into.name.is_empty() {
        into.name = file_safe(name);
    }
    certificates(&config, dir, into);
    let defaults = match dir.join("collection.bru") {
        p if p.is_file() => parse(&read(&p, BRU_FILE_LIMIT)?),
        _ => Vec::new(),
    };
    // The collection's request variables: the folder's vars.toml (one-line values).
    for (k, v) in pairs(&defaults, "vars:pre-request") {
        if !v.starts_with("'''") {
            into.vars.insert(k.to_string(), variables(v).0);
        }
    }
    let envs = dir.join("environments");
    if let Ok(entries) = std::fs::read_dir(&envs) {
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "bru"))
        {
            environment(p, &parse(&read(p, BRU_FILE_LIMIT)?), into);
        }
    }
    let mut seen = 0usize;
    walk(dir, dir, "", &defaults, into, &mut seen, 0)
}

fn walk(
    root: &Path,
    dir: &Path,
    prefix: &str,
    defaults: &[(String, Block)],
    into: &mut Collection,
    seen: &mut usize,
    depth: usize,
) -> Result<(), NotImported> {
    // Requests in the order Bruno shows them (`seq`), folders after.
    let mut requests = Vec::new();
    for p in folder_entries(root, dir, depth, seen, into)? {
        let file_name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if p.is_dir() {
            if depth == 0 && file_name == "environments" {
                continue;
            }
            let sub = if prefix.is_empty() {
                file_name.clone()
            } else {
                format!("{prefix} {file_name}")
            };
            walk(root, &p, &sub, defaults, into, seen, depth + 1)?;
        } else if p.extension().is_some_and(|x| x == "bru")
            && !matches!(file_name.as_str(), "collection.bru" | "folder.bru")
        {
            let text = crate::home::read_bounded(&p, BRU_FILE_LIMIT)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .map_err(|source| NotImported::Unreadable {
                    path: p.clone(),
                    source,
                })?;
            let blocks = parse(&text);
            let seq: u64 = one(&blocks, "meta", "seq")
                .and_then(|s| s.parse().ok())
                .unwrap_or(u64::MAX);
            requests.push((seq, p.clone(), blocks));
        }
    }
    requests.sort_by_key(|(seq, ..)| *seq);
    for (_, _, blocks) in requests {
        if let Some(p) = request(&blocks, prefix, defaults, root, into) {
            into.add_profile(p);
        }
    }
    Ok(())
}

const METHODS: [&str; 9] = [
    "get", "post", "put", "delete", "patch", "options", "head", "connect", "trace",
];

fn request(
    blocks: &[(String, Block)],
    prefix: &str,
    defaults: &[(String, Block)],
    root: &Path,
    into: &mut Collection,
) -> Option<Profile> {
    let title = one(blocks, "meta", "name").unwrap_or("request");
    let name = if prefix.is_empty() {
        title.to_string()
    } else {
        format!("{prefix} {title}")
    };
    let kind = one(blocks, "meta", "type").unwrap_or("http");
    if kind != "http" {
        into.skip(
            &name,
            format!("a {kind} request: certbench sends HTTP requests"),
        );
        return None;
    }
    let Some(method) = METHODS.iter().find(|m| blocks.iter().any(|(n, _)| n == *m)) else {
        into.skip(&name, "no method block (get, post, ...)");
        return None;
    };
    let mut dynamic = Vec::new();
    let mut var = |t: &str| {
        let (t, d) = variables(t);
        dynamic.extend(d);
        t
    };
    let mut p = Profile {
        name: name.clone(),
        method: method.to_ascii_uppercase(),
        ..Profile::default()
    };
    let raw_url = one(blocks, method, "url").unwrap_or_default();
    let (base, query_in_url) = raw_url.split_once('?').unwrap_or((raw_url, ""));
    let mut url = base.to_string();
    for (k, v) in pairs(blocks, "params:path") {
        url = url.replace(&format!(":{k}"), v);
    }
    p.url = var(&url);
    let query = pairs(blocks, "params:query");
    if query.is_empty() {
        for kv in query_in_url.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            p.query.push((var(k), var(v)));
        }
    } else {
        for (k, v) in query {
            p.query.push((var(k), var(v)));
        }
    }
    for (k, v) in pairs(defaults, "headers")
        .into_iter()
        .chain(pairs(blocks, "headers"))
    {
        p.headers.insert(k.to_string(), HeaderValues::One(var(v)));
    }
    let body = one(blocks, method, "body").unwrap_or("none");
    match body {
        "none" => {}
        "json" | "text" | "xml" => {
            let t = text(blocks, &format!("body:{body}")).unwrap_or_default();
            let ct = match body {
                "json" => "application/json",
                "xml" => "application/xml",
                _ => "text/plain",
            };
            p.body = Body {
                kind: BodyType::Raw,
                content_type: Some(ct.into()),
                text: Some(var(t)),
                ..Body::default()
            };
        }
        "formUrlEncoded" => {
            let fields = pairs(blocks, "body:form-urlencoded")
                .into_iter()
                .map(|(k, v)| (var(k), var(v)))
                .collect();
            p.body = Body::form(fields);
        }
        "multipartForm" => {
            let mut parts = Vec::new();
            for (k, v) in pairs(blocks, "body:multipart-form") {
                let file = v.strip_prefix("@file(").and_then(|f| f.strip_suffix(')'));
                match file {
                    Some(f) => match inside(root, f.split('|').next().unwrap_or(f)) {
                        Ok(path) => parts.push(Part::file(var(k), path.display().to_string())),
                        Err(why) => into.skip(format!("{name}: file part {k}"), why),
                    },
                    None => parts.push(Part::text(var(k), var(v))),
                }
            }
            p.body = Body::multipart(parts);
        }
        other => into.skip(
            format!("{name}: {other} body"),
            "certbench sends json, text, xml, form and multipart bodies",
        ),
    }
    let mode = one(blocks, method, "auth").unwrap_or("none");
    let (auth_blocks, mode) = if mode == "inherit" {
        (defaults, one(defaults, "auth", "mode").unwrap_or("none"))
    } else {
        (blocks, mode)
    };
    auth(&name, mode, auth_blocks, &mut p, into, &mut var);
    for unsupported in ["script:pre-request", "script:post-response", "tests"] {
        if text(blocks, unsupported).is_some_and(|t| !t.trim().is_empty()) {
            into.skip(format!("{name}: {unsupported}"), NO_SCRIPTS);
        }
    }
    if !pairs(blocks, "assert").is_empty() {
        into.skip(format!("{name}: assert"), NO_ASSERTIONS);
    }
    into.skip_dynamic(&name, dynamic);
    Some(p)
}

fn auth(
    name: &str,
    mode: &str,
    blocks: &[(String, Block)],
    p: &mut Profile,
    into: &mut Collection,
    var: &mut impl FnMut(&str) -> String,
) {
    let field = |block: &str, key: &str| one(blocks, block, key).unwrap_or_default().to_string();
    let auth = match mode {
        "none" => return,
        "bearer" => Auth::Bearer {
            prefix: String::new(),
            token: field("auth:bearer", "token"),
        },
        "basic" => Auth::Basic {
            user: field("auth:basic", "username"),
            password: field("auth:basic", "password"),
        },
        "apikey" => Auth::ApiKey {
            key: field("auth:apikey", "key"),
            value: field("auth:apikey", "value"),
            in_query: field("auth:apikey", "placement") == "queryparams",
        },
        other => Auth::Other(other.to_string()),
    };
    auth.apply(name, p, into, var);
}

fn environment(path: &Path, blocks: &[(String, Block)], into: &mut Collection) {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut env = Environment {
        name: file_safe(&stem),
        ..Environment::default()
    };
    for (k, v) in pairs(blocks, "vars") {
        env.vars.insert(k.to_string(), variables(v).0);
    }
    for (n, b) in blocks {
        if let (true, Block::List(secrets)) = (n == "vars:secret", b) {
            for s in secrets {
                let var = into.secret(&format!("{stem} {s}"));
                env.vars.insert(s.clone(), format!("${{env:{var}}}"));
            }
        }
    }
    into.environments.push(env);
}

/// `bruno.json` `clientCertificates`: each cert or pfx, relative to the collection; a
/// passphrase is used once; a disabled list is imported but not bound.
fn certificates(config: &Value, dir: &Path, into: &mut Collection) {
    let Some(cc) = config.get("clientCertificates") else {
        return;
    };
    let enabled = cc.get("enabled").and_then(Value::as_bool).unwrap_or(true);
    for (i, c) in cc
        .get("certs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let domain = c.get("domain").and_then(Value::as_str).unwrap_or_default();
        let name = file_safe(&format!(
            "bruno-{}",
            if domain.is_empty() {
                (i + 1).to_string()
            } else {
                domain.to_string()
            }
        ));
        let file = |k: &str, into: &mut Collection| -> Option<std::path::PathBuf> {
            let src = c.get(k)?.as_str().filter(|s| !s.is_empty())?;
            match inside(dir, src) {
                Ok(p) => Some(p),
                Err(why) => {
                    into.skip(format!("certificate {name}: {k}"), why);
                    None
                }
            }
        };
        let (cert, key, pfx) = match c.get("type").and_then(Value::as_str) {
            Some("pfx" | "pkcs12") => (None, None, file("pfxFilePath", into)),
            _ => (file("certFilePath", into), file("keyFilePath", into), None),
        };
        let cert = CertSetting {
            disabled: !enabled,
            ..CertSetting::new(
                name,
                cert,
                key,
                pfx,
                c.get("passphrase")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            )
        };
        into.add_certificate(cert, &[domain]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_pairs_text_and_lists_read_as_bruno_writes_them() {
        let b = parse(
            "meta {\n  name: echo json\n  seq: 2\n}\n\npost {\n  url: {{host}}/api/echo/json\n  body: json\n}\n\nheaders {\n  foo: bar\n  ~off: 1\n}\n\nbody:json {\n  {\n    \"hello\": \"bruno\"\n  }\n}\nvars:secret [\n  a,\n  b\n]\n",
        );
        assert_eq!(one(&b, "meta", "name"), Some("echo json"));
        assert_eq!(one(&b, "post", "url"), Some("{{host}}/api/echo/json"));
        assert_eq!(pairs(&b, "headers"), [("foo", "bar")]);
        assert_eq!(text(&b, "body:json"), Some("{\n  \"hello\": \"bruno\"\n}"));
        assert!(
            b.iter()
                .any(|(n, bl)| n == "vars:secret"
                    && *bl == Block::List(vec!["a".into(), "b".into()]))
        );
    }
}
