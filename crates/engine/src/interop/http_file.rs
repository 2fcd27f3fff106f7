//! `.http` / `.rest` files (JetBrains HTTP Client and VS Code REST Client) with their settings:
//! JetBrains' `http-client.env.json` and `http-client.private.env.json` (environments, and each
//! one's `SSLConfiguration` client certificate), VS Code's `settings.json`
//! (`rest-client.environmentVariables`, `rest-client.certificates` by host).

use std::path::Path;

use serde_json::Value;

use crate::interop::collection::{
    CertSetting, Collection, NO_SCRIPTS, file_safe, inside, variables,
};
use crate::request::environment::Environment;
use crate::request::profile::{Body, BodyType, Profile};

const METHODS: [&str; 9] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
];

/// Whether a file is one of the settings files this module reads, by its name and content.
pub fn is_env_file(name: &str) -> bool {
    matches!(
        name,
        "http-client.env.json" | "http-client.private.env.json"
    )
}

/// Whether `v` is a VS Code settings file with REST Client settings.
pub fn is_vscode_settings(v: &Value) -> bool {
    v.as_object()
        .is_some_and(|o| o.keys().any(|k| k.starts_with("rest-client.")))
}

/// The requests of one `.http` file (`stem`: its name, for requests without one).
pub fn requests(text: &str, stem: &str, folder: Option<&Path>, into: &mut Collection) {
    let mut file_vars = Vec::new();
    for (i, block) in text.split("\n###").enumerate() {
        let mut lines = block.lines();
        // After a `###`, the rest of its line names the request (JetBrains).
        let mut name = match i {
            0 => None,
            _ => {
                Some(lines.next().unwrap_or_default().trim().to_string()).filter(|n| !n.is_empty())
            }
        };
        // Comments, `# @name x` and `@var = value` before the request line.
        let mut request_line = None;
        for line in lines.by_ref() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("###") {
                if name.is_none() && !rest.trim().is_empty() {
                    name = Some(rest.trim().to_string());
                }
                continue;
            }
            if t.is_empty() {
                continue;
            }
            if let Some(c) = t.strip_prefix('#').or_else(|| t.strip_prefix("//")) {
                let c = c.trim();
                if let Some(n) = c.strip_prefix("@name") {
                    name = Some(n.trim().trim_start_matches('=').trim().to_string());
                } else if name.is_none() && !c.starts_with('@') && !c.is_empty() {
                    // A comment before the request names it when nothing else does.
                    name = Some(c.to_string());
                }
                continue;
            }
            if let Some(v) = t.strip_prefix('@')
                && let Some((k, val)) = v.split_once('=')
            {
                file_vars.push((k.trim().to_string(), val.trim().to_string()));
                continue;
            }
            request_line = Some(t.to_string());
            break;
        }
        let Some(line) = request_line else { continue };
        let mut words = line.split_whitespace();
        let first = words.next().unwrap_or_default();
        let (method, url) = if METHODS.contains(&first.to_ascii_uppercase().as_str()) {
            (
                first.to_ascii_uppercase(),
                words.next().unwrap_or_default().to_string(),
            )
        } else {
            ("GET".to_string(), first.to_string())
        };
        let title = name.unwrap_or_else(|| format!("{stem} {}", i + 1));
        let mut dynamic = Vec::new();
        let mut var = |t: &str| {
            let (t, d) = variables(t);
            dynamic.extend(d);
            t
        };
        let (base, query) = url.split_once('?').unwrap_or((&url, ""));
        let mut p = Profile {
            name: title.clone(),
            method,
            url: var(base),
            ..Profile::default()
        };
        for kv in query.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            p.query.push((var(k), var(v)));
        }
        // Headers to the first blank line, then the body to the block's end.
        let mut body = Vec::new();
        let mut in_body = false;
        for line in lines {
            if !in_body {
                if line.trim().is_empty() {
                    in_body = true;
                    continue;
                }
                if let Some((k, v)) = line.split_once(':') {
                    p.add_header(k.trim(), &var(v.trim()));
                }
                continue;
            }
            body.push(line);
        }
        // A JetBrains response handler (`> {% ... %}`, `> file.js`) and the response reference
        // (`<> file`) end the body.
        if let Some(at) = body
            .iter()
            .position(|l| l.starts_with("> ") || l.starts_with("<> "))
        {
            into.skip(format!("{title}: response handler"), NO_SCRIPTS);
            body.truncate(at);
        }
        let text = body.join("\n").trim().to_string();
        if let Some(named) = text.strip_prefix('<').filter(|t| t.starts_with([' ', '@'])) {
            // `< file` is sent as it is; `<@ file` with its {{variables}} filled in.
            let (fill, file) = match named.strip_prefix('@') {
                Some(f) => (true, f.trim()),
                None => (false, named.trim()),
            };
            match folder.map(|f| body_file(f, file)) {
                Some(Ok(content)) => {
                    let text = match fill {
                        true => var(&content),
                        false => content.replace('$', "$$"),
                    };
                    p.body = Body {
                        kind: BodyType::Raw,
                        content_type: None,
                        text: Some(text),
                        ..Body::default()
                    };
                }
                Some(Err(why)) => into.skip(format!("{title}: body from {file}"), why),
                None => into.skip(
                    format!("{title}: body from {file}"),
                    "a body read from a file: paste it into the profile's body",
                ),
            }
        } else if !text.is_empty() {
            p.body = Body {
                kind: BodyType::Raw,
                content_type: None,
                text: Some(var(&text)),
                ..Body::default()
            };
        }
        into.skip_dynamic(&title, dynamic);
        into.add_profile(p);
    }
    for (k, v) in file_vars {
        into.vars.insert(k, variables(&v).0);
    }
}

/// JetBrains' environment files: each environment's variables (a private file's values are
/// secrets, kept as `${env:NAME}`), and its `SSLConfiguration` client certificate, set as that
/// environment's key.
pub fn env_file(v: &Value, folder: &Path, private: bool, into: &mut Collection) {
    for (env_name, vars) in v.as_object().into_iter().flatten() {
        let Some(vars) = vars.as_object() else {
            continue;
        };
        let name = file_safe(env_name);
        let at = match into.environments.iter().position(|e| e.name == name) {
            Some(i) => i,
            None => {
                into.environments.push(Environment {
                    name: name.clone(),
                    ..Environment::default()
                });
                into.environments.len() - 1
            }
        };
        for (k, val) in vars {
            if k == "SSLConfiguration" {
                ssl(val, &name, folder, into);
                continue;
            }
            let value = match val {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            let value = if private {
                format!("${{env:{}}}", into.secret(&format!("{env_name} {k}")))
            } else {
                variables(&value).0
            };
            into.environments[at].vars.insert(k.clone(), value);
        }
    }
}

/// An environment's `SSLConfiguration`: the certificate (a path, or `{path, format}`), its key.
fn ssl(v: &Value, env: &str, folder: &Path, into: &mut Collection) {
    let path_of = |x: Option<&Value>| -> Option<(String, String)> {
        match x? {
            Value::String(s) => Some((s.clone(), String::new())),
            Value::Object(o) => Some((
                o.get("path")?.as_str()?.to_string(),
                o.get("format")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_ascii_uppercase(),
            )),
            _ => None,
        }
    };
    if v.get("verifyHostCertificate").and_then(Value::as_bool) == Some(false) {
        into.skip(format!("environment {env}: verifyHostCertificate = false"), "certbench verifies servers: trust the server's CA, or set verify_tls = false in the profiles (unsafe)");
    }
    let Some((cert, format)) = path_of(v.get("clientCertificate")) else {
        return;
    };
    let name = file_safe(&format!("http-{env}"));
    let place = |p: &str, into: &mut Collection| match inside(folder, p) {
        Ok(path) => Some(path),
        Err(why) => {
            into.skip(format!("certificate {name}"), why);
            None
        }
    };
    let cert_path = place(&cert, into);
    let key_path = path_of(v.get("clientCertificateKey")).and_then(|(k, _)| place(&k, into));
    let p12 = format == "P12"
        || cert.to_ascii_lowercase().ends_with(".p12")
        || cert.to_ascii_lowercase().ends_with(".pfx");
    if v.get("hasCertificatePassphrase").and_then(Value::as_bool) == Some(true) {
        into.skip(
            format!("certificate {name}: passphrase"),
            "give its password when importing (JetBrains keeps it in the OS keychain)",
        );
    }
    let setting = CertSetting {
        environment: Some(file_safe(env)),
        ..CertSetting::new(
            name,
            cert_path.clone().filter(|_| !p12),
            key_path,
            cert_path.filter(|_| p12),
            None,
        )
    };
    into.add_certificate(setting, &[]);
}

/// VS Code's `settings.json`: `rest-client.environmentVariables` (with `$shared` as the
/// collection's variables) and `rest-client.certificates` by host.
pub fn vscode_settings(v: &Value, folder: &Path, into: &mut Collection) {
    if let Some(envs) = v
        .get("rest-client.environmentVariables")
        .and_then(Value::as_object)
    {
        for (name, vars) in envs {
            let pairs: Vec<(String, String)> = vars
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), variables(v.as_str()?).0)))
                .collect();
            if name == "$shared" {
                into.vars.extend(pairs);
            } else {
                let mut env = Environment {
                    name: file_safe(name),
                    ..Environment::default()
                };
                env.vars.extend(pairs);
                into.environments.push(env);
            }
        }
    }
    if let Some(certs) = v.get("rest-client.certificates").and_then(Value::as_object) {
        for (host, c) in certs {
            let name = file_safe(&format!("vscode-{host}"));
            let file = |k: &str, into: &mut Collection| {
                let p = c.get(k)?.as_str()?;
                match inside(folder, p) {
                    Ok(path) => Some(path),
                    Err(why) => {
                        into.skip(format!("certificate {name}: {k}"), why);
                        None
                    }
                }
            };
            let (cert, key, pfx) = (file("cert", into), file("key", into), file("pfx", into));
            let passphrase = c
                .get("passphrase")
                .and_then(Value::as_str)
                .map(str::to_string);
            let setting = CertSetting::new(name.clone(), cert, key, pfx, passphrase);
            into.add_certificate(setting, &[host.as_str()]);
        }
    }
}

/// The most bytes of a body file (`< file`) read into a profile.
const BODY_FILE_LIMIT: u64 = 16 << 20;

/// A `< file` body's text, from inside the folder of the `.http` file that names it.
fn body_file(folder: &Path, named: &str) -> Result<String, String> {
    let path = inside(folder, named)?;
    let bytes = crate::home::read_bounded(&path, BODY_FILE_LIMIT)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| {
        format!(
            "{} is not text: send it as a multipart file part (name=@file)",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_from_a_file_is_read_in_the_folder_and_only_there() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("order.json"),
            "{\"price\": \"${not_a_var}\"}",
        )
        .unwrap();
        std::fs::write(dir.path().join("tmpl.json"), "{\"id\": \"{{order_id}}\"}").unwrap();
        let text = "POST https://api.test/orders\nContent-Type: application/json\n\n< ./order.json\n\n### templated\nPOST https://api.test/orders\n\n<@ ./tmpl.json\n\n### outside\nPOST https://api.test/x\n\n< ../../etc/passwd\n";
        let mut c = Collection::default();
        requests(text, "orders", Some(dir.path()), &mut c);
        let body = |i: usize| c.profiles[i].body.text.clone().unwrap_or_default();
        assert_eq!(body(0), "{\"price\": \"$${not_a_var}\"}", "sent as it is");
        assert_eq!(body(1), "{\"id\": \"${order_id}\"}");
        assert!(c.profiles[2].body.text.is_none());
        assert!(
            c.skipped.iter().any(|s| s.why.contains("is outside")),
            "{:?}",
            c.skipped
        );
    }

    #[test]
    fn requests_headers_bodies_and_names_read_as_both_dialects_write_them() {
        let mut c = Collection::default();
        requests(
            "@host = https://localhost:8443\n\n### Get users\nGET {{host}}/users?page=1\nAccept: application/json\n\n###\n# @name create\nPOST {{host}}/orders HTTP/1.1\nContent-Type: application/json\n\n{\"sku\": \"{{sku}}\"}\n\n> {% client.test(\"ok\", () => {}) %}\n\n### Upload\nPOST {{host}}/up\n\n< ./data.json\n",
            "api",
            None,
            &mut c,
        );
        let names: Vec<&str> = c.profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["get-users", "create", "upload"]);
        assert_eq!(c.profiles[0].url, "${host}/users");
        assert_eq!(c.profiles[0].query, [("page".to_string(), "1".to_string())]);
        assert_eq!(
            c.profiles[1].body.text.as_deref(),
            Some("{\"sku\": \"${sku}\"}")
        );
        assert_eq!(c.vars["host"], "https://localhost:8443");
        let said: Vec<&str> = c.skipped.iter().map(|s| s.what.as_str()).collect();
        assert!(said.contains(&"create: response handler"), "{said:?}");
        assert!(said.contains(&"Upload: body from ./data.json"), "{said:?}");
    }
}
