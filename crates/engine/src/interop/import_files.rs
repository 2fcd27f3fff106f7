//! The files of one import, each told by its content (a Postman collection, environment or
//! Newman certificate list; an Insomnia export or certificate database; a Bruno collection
//! folder), read into one [`Collection`].

use crate::interop::not_imported::NotImported;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::interop::collection::{COLLECTION_FILE_LIMIT, Collection, Format};
use crate::interop::yaml::yaml;
use crate::interop::{bruno, har, http_file, insomnia, openapi, opencollection, postman};

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
    if opencollection::is_document(&v) {
        return Some((Format::OpenCollection, Some(v)));
    }
    postman::detect(&v).map(|f| (f, Some(v)))
}

/// Reads `text` (a file in `folder`) into `into`; an error says what the file is not.
pub fn read_text(text: &str, folder: &Path, into: &mut Collection) -> Result<Format, NotImported> {
    let Some((format, v)) = detect(text) else {
        if let Some(what) = yaml_kind(text) {
            return Err(NotImported::YamlNotRead {
                what,
                reason: match yaml_serde::from_str::<Value>(text) {
                    Err(e) => e.to_string(),
                    Ok(_) => "not a shape certbench imports".into(),
                },
            });
        }
        return Err(match serde_json::from_str::<Value>(text) {
            Err(e) => NotImported::NotJson {
                reason: e.to_string(),
            },
            Ok(_) => NotImported::UnknownFormat,
        });
    };
    read_as(format, text, v, folder, into)?;
    Ok(format)
}

/// Reads `text` as `format` (its JSON or YAML value `v` when already parsed).
pub fn read_as(
    format: Format,
    text: &str,
    v: Option<Value>,
    folder: &Path,
    into: &mut Collection,
) -> Result<(), NotImported> {
    if format == Format::InsomniaCertDb {
        insomnia::cert_db(text, folder, into);
        return Ok(());
    }
    if format == Format::HttpFile {
        http_file::requests(text, "requests", Some(folder), into);
        return Ok(());
    }
    let v = match v {
        Some(v) => v,
        None => serde_json::from_str::<Value>(text)
            .ok()
            .or_else(|| yaml(text))
            .ok_or(NotImported::NotJsonOrYaml(format))?,
    };
    match format {
        Format::PostmanCollection => postman::collection(&v, folder, into),
        Format::PostmanEnvironment => crate::interop::postman_env::environment(&v, into),
        Format::NewmanCertList => crate::interop::newman::cert_list(&v, folder, into),
        Format::InsomniaExport => insomnia::export(&v, folder, into),
        Format::InsomniaV5 => insomnia::v5(&v, folder, into),
        Format::Har => har::har(&v, into),
        Format::OpenApi => openapi::openapi(&v, into),
        Format::OpenCollection => opencollection::document(&v, folder, into),
        Format::HttpClientEnv => http_file::env_file(&v, folder, false, into),
        Format::VsCodeSettings => {
            // `.vscode/settings.json`: paths are the workspace's, one folder up.
            let workspace = match folder.file_name().is_some_and(|n| n == ".vscode") {
                true => folder.parent().unwrap_or(folder),
                false => folder,
            };
            http_file::vscode_settings(&v, workspace, into)
        }
        Format::InsomniaCertDb | Format::HttpFile => {}
        Format::BrunoFolder => {
            return Err(NotImported::BrunoFile);
        }
    }
    Ok(())
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
    } else if keys.contains(&"opencollection") {
        Some("a Bruno YAML collection")
    } else {
        None
    }
}

/// Reads every file (a Bruno collection is its folder, or its `bruno.json` or
/// `opencollection.yml`), each told by its content unless `forced` names the format.
pub fn read_files(files: &[PathBuf], forced: Option<Format>) -> Result<Collection, NotImported> {
    let mut c = Collection::default();
    for path in files {
        read_file(path, forced, &mut c)?;
    }
    Ok(c)
}

fn read_file(path: &Path, forced: Option<Format>, c: &mut Collection) -> Result<(), NotImported> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let root_file = file_name == "bruno.json" || file_name.starts_with("opencollection.y");
    let dir = match root_file && path.is_file() {
        true => path.parent().map(Path::to_path_buf).unwrap_or_default(),
        false => path.to_path_buf(),
    };
    let folder_format = match (bruno::is_collection(&dir), opencollection::root_file(&dir)) {
        (true, _) => Some(Format::BrunoFolder),
        (false, Some(_)) => Some(Format::OpenCollection),
        (false, None) => None,
    };
    if let Some(found) = folder_format
        && forced.is_none_or(|f| f == found)
    {
        return match found {
            Format::BrunoFolder => bruno::collection(&dir, c),
            _ => opencollection::collection(&dir, c),
        };
    }
    if path.is_dir() {
        return Err(NotImported::NotACollectionFolder(path.to_path_buf()));
    }
    let bytes = crate::home::read_bounded(path, COLLECTION_FILE_LIMIT).map_err(|source| {
        NotImported::Unreadable {
            path: path.to_path_buf(),
            source,
        }
    })?;
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let text = String::from_utf8_lossy(&bytes);
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let told = if matches!(ext.as_str(), "http" | "rest") {
        Some(Format::HttpFile)
    } else if http_file::is_env_file(&file_name) {
        Some(Format::HttpClientEnv)
    } else if serde_json::from_str::<Value>(&text).is_ok_and(|v| http_file::is_vscode_settings(&v))
    {
        Some(Format::VsCodeSettings)
    } else {
        None
    };
    let Some(format) = forced.or(told) else {
        return read_text(&text, folder, c)
            .map(|_| ())
            .map_err(|e| in_file(path, e));
    };
    if format == Format::HttpFile {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if c.name.is_empty() {
            c.name = crate::interop::collection::file_safe(&stem);
        }
        http_file::requests(&text, &stem, Some(folder), c);
        return Ok(());
    }
    if format == Format::HttpClientEnv && forced.is_none() {
        let v: Value = serde_json::from_str(&text).map_err(|e| NotImported::FileNotJson {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        http_file::env_file(&v, folder, file_name.contains(".private."), c);
        return Ok(());
    }
    let before = c.size();
    read_as(format, &text, None, folder, c).map_err(|e| in_file(path, e))?;
    if forced.is_some() && c.size() == before {
        return Err(NotImported::NothingAs {
            path: path.to_path_buf(),
            forced: format,
            reads_as: detect(&text).map(|(f, _)| f),
        });
    }
    Ok(())
}

fn in_file(path: &Path, error: NotImported) -> NotImported {
    NotImported::InFile {
        path: path.to_path_buf(),
        error: Box::new(error),
    }
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
