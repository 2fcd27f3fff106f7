//! The files of one import, each told by its content (a Postman collection, environment or
//! Newman certificate list; an Insomnia export or certificate database; a Bruno collection
//! folder), read into one [`Collection`].

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::interop::collection::{COLLECTION_FILE_LIMIT, Collection, Format};
use crate::interop::{bruno, har, http_file, insomnia, openapi, postman};

/// What `text` is, and its JSON when it is JSON.
pub fn detect(text: &str) -> Option<(Format, Option<Value>)> {
    if insomnia::is_cert_db(text) {
        return Some((Format::InsomniaCertDb, None));
    }
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        // YAML (OpenAPI is mostly written in it): the same shapes, read as JSON values. The
        // parser refuses alias bombs and deep nesting.
        Err(_) => yaml(text)?,
    };
    if insomnia::is_export(&v) {
        return Some((Format::InsomniaExport, Some(v)));
    }
    if insomnia::is_v5(&v) {
        return Some((Format::InsomniaV5, Some(v)));
    }
    if har::is_har(&v) {
        return Some((Format::Har, Some(v)));
    }
    if openapi::is_openapi(&v) {
        return Some((Format::OpenApi, Some(v)));
    }
    postman::detect(&v).map(|f| (f, Some(v)))
}

/// Reads `text` (a file in `folder`) into `into`; an error says what the file is not.
pub fn read_text(text: &str, folder: &Path, into: &mut Collection) -> Result<Format, String> {
    let Some((format, v)) = detect(text) else {
        if let Some(what) = yaml_kind(text) {
            return Err(format!(
                "{what} in YAML that certbench does not read ({}); for an Insomnia v5 or Bruno YAML export, export JSON (or a Bruno folder) from the tool",
                match yaml_serde::from_str::<Value>(text) {
                    Err(e) => e.to_string(),
                    Ok(_) => "not a shape certbench imports".into(),
                }
            ));
        }
        return Err(match serde_json::from_str::<Value>(text) {
            Err(e) => format!("not JSON ({e}); certbench imports {KNOWN}"),
            Ok(_) => format!("not a format certbench imports: {KNOWN}"),
        });
    };
    let v = v.unwrap_or(Value::Null);
    match format {
        Format::PostmanCollection => postman::collection(&v, folder, into),
        Format::PostmanEnvironment => crate::interop::postman_env::environment(&v, into),
        Format::NewmanCertList => crate::interop::newman::cert_list(&v, folder, into),
        Format::InsomniaExport => insomnia::export(&v, folder, into),
        Format::InsomniaV5 => insomnia::v5(&v, folder, into),
        Format::InsomniaCertDb => insomnia::cert_db(text, folder, into),
        Format::Har => har::har(&v, into),
        Format::OpenApi => openapi::openapi(&v, into),
    }
    Ok(format)
}

/// The deepest flow nesting (`[`, `{`) a YAML document may have.
const MAX_FLOW_DEPTH: usize = 256;

/// `text` as YAML, when it is a YAML mapping (a plain string or number is not a document here).
fn yaml(text: &str) -> Option<Value> {
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

/// What a YAML file would be, from its first keys (OpenAPI, Insomnia v5, Bruno's YAML).
fn yaml_kind(text: &str) -> Option<&'static str> {
    let keys: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .filter(|l| !l.starts_with([' ', '\t', '-']))
        .take(20)
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim()))
        .collect();
    if keys.iter().any(|k| *k == "openapi" || *k == "swagger") {
        Some("an OpenAPI description")
    } else if text.contains("collection.insomnia.rest/5") {
        Some("an Insomnia v5 export")
    } else if keys.contains(&"opencollection") || text.contains("clientCertificates:") {
        Some("a Bruno collection")
    } else {
        None
    }
}

const KNOWN: &str = "a Postman collection (info.schema of getpostman.com), a Postman environment (name and values), a Newman certificate list (entries with matches and cert or pfx), an Insomnia v4 export or its insomnia.ClientCertificate.db, a HAR 1.2 file, an OpenAPI 3.x or Swagger 2.0 description (JSON), .http / .rest files with http-client.env.json or VS Code's settings.json, or a Bruno collection folder";

/// Reads every file (a Bruno collection is its folder, or its `bruno.json`).
pub fn read_files(files: &[PathBuf]) -> Result<Collection, String> {
    let mut c = Collection::default();
    for path in files {
        let dir = match path.file_name().is_some_and(|n| n == "bruno.json") {
            true => path.parent().map(Path::to_path_buf).unwrap_or_default(),
            false => path.clone(),
        };
        if bruno::is_collection(&dir) {
            bruno::collection(&dir, &mut c)?;
            continue;
        }
        if path.is_dir() {
            return Err(format!(
                "{}: a folder without bruno.json; certbench imports {KNOWN}",
                path.display()
            ));
        }
        let bytes = crate::home::read_bounded(path, COLLECTION_FILE_LIMIT)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let text = String::from_utf8_lossy(&bytes);
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if matches!(ext.as_str(), "http" | "rest") {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            if c.name.is_empty() {
                c.name = crate::interop::collection::file_safe(&stem);
            }
            http_file::requests(&text, &stem, &mut c);
            continue;
        }
        if http_file::is_env_file(&file_name) {
            let v: Value = serde_json::from_str(&text)
                .map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
            let private = file_name.contains(".private.");
            http_file::env_file(&v, folder, private, &mut c);
            continue;
        }
        if let Ok(v) = serde_json::from_str::<Value>(&text)
            && http_file::is_vscode_settings(&v)
        {
            // `.vscode/settings.json`: paths are the workspace's, one folder up.
            let workspace = match folder.file_name().is_some_and(|n| n == ".vscode") {
                true => folder.parent().unwrap_or(folder),
                false => folder,
            };
            http_file::vscode_settings(&v, workspace, &mut c);
            continue;
        }
        read_text(&text, folder, &mut c).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_openapi_in_yaml_is_told_and_an_alias_bomb_is_refused() {
        let spec = "openapi: 3.1.0\ninfo:\n  title: Orders\nservers:\n  - url: https://api.test\npaths:\n  /orders:\n    get:\n      operationId: listOrders\n";
        assert!(matches!(detect(spec), Some((Format::OpenApi, _))));
        let mut bomb = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let mut prev = 'a';
        for name in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
            let refs = vec![format!("*{prev}"); 9].join(",");
            bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
            prev = name;
        }
        bomb.push_str("openapi: 3.1.0\n");
        assert!(detect(&bomb).is_none(), "a billion laughs is not read");
        let deep = format!("openapi: 3.1.0\nx: {}", "[".repeat(100_000));
        assert!(detect(&deep).is_none());
    }
}
