//! A collection from another tool, as certbench will hold it: profiles, the collection's
//! variables, environments, and the client certificates its settings name, with what could not
//! be carried over and why. The parsers (`postman`) fill it; `collection_write` puts it on disk.

pub use crate::interop::format::Format;
use crate::interop::not_imported::NotImported;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::request::environment::Environment;
use crate::request::profile::Profile;

/// The most bytes a collection, environment or settings file may have.
pub const COLLECTION_FILE_LIMIT: u64 = 64 << 20;

/// A client certificate named by the imported settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSetting {
    /// Its name in the settings (a keystore name is made from it).
    pub name: String,
    /// The hosts it is for, as certbench patterns (`host`, `host:port`, `*.domain`).
    pub patterns: Vec<String>,
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
    pub pfx: Option<PathBuf>,
    /// From the settings file: used once to import, never kept.
    pub passphrase: Option<String>,
    /// Imported but not bound.
    pub disabled: bool,
    /// The environment whose key it is (set as that environment's `credential`), when the
    /// settings tie it to an environment rather than to hosts.
    pub environment: Option<String>,
}

impl CertSetting {
    /// A certificate named `name` from these files, bound to no host yet, enabled, tied to no
    /// environment (the importer sets what its settings say).
    pub fn new(
        name: String,
        cert: Option<PathBuf>,
        key: Option<PathBuf>,
        pfx: Option<PathBuf>,
        passphrase: Option<String>,
    ) -> CertSetting {
        CertSetting {
            name,
            patterns: Vec::new(),
            cert,
            key,
            pfx,
            passphrase,
            disabled: false,
            environment: None,
        }
    }
}

/// Why scripts are left behind.
pub const NO_SCRIPTS: &str = "certbench runs no JavaScript; expectations go in [expect]";
/// Why a tool's assertions are left behind.
pub const NO_ASSERTIONS: &str = "write them as [expect] rules (status, json, headers)";

/// Something left behind, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    pub what: String,
    pub why: String,
}

/// Everything read from the files of one import.
#[derive(Debug, Clone, Default)]
pub struct Collection {
    /// The collection's name (its folder's, once written).
    pub name: String,
    pub profiles: Vec<Profile>,
    /// The collection's own variables: its folder's `vars.toml`.
    pub vars: BTreeMap<String, String>,
    pub environments: Vec<Environment>,
    pub certificates: Vec<CertSetting>,
    pub skipped: Vec<Skipped>,
    /// Environment variables the user must set: secrets that were not stored.
    pub secrets: Vec<String>,
}

impl Collection {
    pub fn skip(&mut self, what: impl Into<String>, why: impl Into<String>) {
        self.skipped.push(Skipped {
            what: what.into(),
            why: why.into(),
        });
    }

    /// Reports each dynamic variable (`{{$guid}}`, `{{$timestamp}}`) `request` uses.
    pub fn skip_dynamic(&mut self, request: &str, dynamic: Vec<String>) {
        for d in dynamic {
            self.skip(
                format!("{request}: {{{{{d}}}}}"),
                "a dynamic variable: give it a value in vars.toml",
            );
        }
    }

    /// Adds `p` under a file-safe name no other profile has; one that would not load back (a
    /// header name HTTP does not allow, say) is reported instead.
    pub fn add_profile(&mut self, mut p: Profile) {
        let title = p.name.clone();
        let base = file_safe(&p.name);
        let mut name = base.clone();
        let mut n = 2;
        while self.profiles.iter().any(|q| q.name == name) {
            // The number fits in the 64 characters a name may have (found by the fuzzer).
            let suffix = format!("-{n}");
            let keep: String = base.chars().take(64 - suffix.len()).collect();
            name = format!("{}{suffix}", keep.trim_end_matches(['-', '.']));
            n += 1;
        }
        p.name = name;
        if let Err(e) = p.validate() {
            self.skip(title, e.to_string());
            return;
        }
        self.profiles.push(p);
    }

    /// How many things were read so far (profiles, variables, environments, certificates, and
    /// what was left behind): a file that adds none gave nothing.
    pub fn size(&self) -> usize {
        self.profiles.len()
            + self.vars.len()
            + self.environments.len()
            + self.certificates.len()
            + self.skipped.len()
    }

    /// Whether there is anything to write as a folder (profiles, variables, environments).
    pub fn has_files(&self) -> bool {
        !self.profiles.is_empty() || !self.vars.is_empty() || !self.environments.is_empty()
    }

    /// Adds a certificate for `hosts` (each made a certbench host pattern, or reported); one
    /// that names no file is reported instead.
    pub fn add_certificate(&mut self, mut cert: CertSetting, hosts: &[&str]) {
        if cert.cert.is_none() && cert.pfx.is_none() {
            self.skip(
                format!("certificate {}", cert.name),
                "it names no certificate file that can be read",
            );
            return;
        }
        for host in hosts {
            match host_pattern(host) {
                Some(p) if !cert.patterns.contains(&p) => cert.patterns.push(p),
                Some(_) => {}
                None => self.skip(
                    format!("certificate {}: host {host:?}", cert.name),
                    "not a host certbench can bind a key to",
                ),
            }
        }
        self.certificates.push(cert);
    }

    /// Names an environment variable for a secret the files held literally, and notes it.
    pub fn secret(&mut self, hint: &str) -> String {
        let base = env_name(hint);
        let mut name = base.clone();
        let mut n = 2;
        while self.secrets.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.secrets.push(name.clone());
        name
    }

    /// The same, one variable for every use of `hint` (a security scheme's token).
    pub fn shared_secret(&mut self, hint: &str) -> String {
        let name = env_name(hint);
        if !self.secrets.contains(&name) {
            self.secrets.push(name.clone());
        }
        name
    }
}

/// A request's auth as the tools write it, before it becomes headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: PREFIX TOKEN` (the prefix is `Bearer` unless the tool says otherwise).
    Bearer {
        prefix: String,
        token: String,
    },
    Basic {
        user: String,
        password: String,
    },
    ApiKey {
        key: String,
        value: String,
        in_query: bool,
    },
    /// A kind certbench does not carry (reported).
    Other(String),
}

impl Auth {
    /// Sets the auth on `p` (a request called `name`): variables stay variables, a literal
    /// secret becomes `${env:NAME}` (listed for the user to set), basic goes in the URL (the
    /// engine makes its header, redacted), an API key's name is redacted.
    pub fn apply(
        self,
        name: &str,
        p: &mut Profile,
        into: &mut Collection,
        var: &mut impl FnMut(&str) -> String,
    ) {
        let mut secret = |v: &str, hint: &str, into: &mut Collection| {
            if v.contains("{{") || v.is_empty() {
                var(v)
            } else {
                format!("${{env:{}}}", into.secret(hint))
            }
        };
        match self {
            Auth::Bearer { prefix, token } => {
                let token = secret(&token, &format!("{name} token"), into);
                let prefix = if prefix.is_empty() {
                    "Bearer".into()
                } else {
                    prefix
                };
                p.add_header("Authorization", &format!("{prefix} {token}"));
            }
            Auth::Basic { user, password } => {
                let pass = secret(&password, &format!("{name} password"), into);
                if let Some((scheme, rest)) = p.url.split_once("://") {
                    p.url = format!("{scheme}://{user}:{pass}@{rest}");
                }
            }
            Auth::ApiKey {
                key,
                value,
                in_query,
            } => {
                let key = if key.is_empty() {
                    "X-API-Key".into()
                } else {
                    key
                };
                let value = secret(&value, &format!("{name} {key}"), into);
                if in_query {
                    p.query.push((key.clone(), value));
                } else {
                    p.add_header(&key, &value);
                }
                p.redact.push(key);
            }
            Auth::Other(kind) => into.skip(
                format!("{name}: {kind} auth"),
                "certbench carries bearer, basic and API key auth; add the header by hand",
            ),
        }
    }
}

/// An environment variable's name from `hint`: `orders login X-Key` -> `ORDERS_LOGIN_X_KEY`.
fn env_name(hint: &str) -> String {
    let name: String = hint
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_matches('_').to_string();
    if name.is_empty() {
        "SECRET".into()
    } else {
        name
    }
}

/// A name that is a safe file and profile name: letters, digits, `.`, `_`, `-`; at most 64.
pub fn file_safe(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            c.to_ascii_lowercase()
        } else {
            '-'
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_matches(['-', '.']).to_string();
    let out: String = out.chars().take(64).collect();
    let out = out.trim_end_matches(['-', '.']).to_string();
    if out.is_empty() {
        "request".into()
    } else {
        out
    }
}

/// `{{name}}` variables as certbench writes them, `${name}` (`{{process.env.X}}` as `${env:X}`);
/// Postman's dynamic variables
/// (`{{$guid}}`) stay as they are and are returned to be reported.
pub fn variables(text: &str) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut dynamic = Vec::new();
    let mut rest = text;
    while let Some((before, after)) = rest.split_once("{{") {
        out.push_str(before);
        let Some((inner, tail)) = after.split_once("}}") else {
            out.push_str("{{");
            out.push_str(after);
            return (out, dynamic);
        };
        // Insomnia writes `{{ _.name }}`.
        let name = inner.trim();
        let name = name.strip_prefix("_.").unwrap_or(name);
        if let Some(env) = name.strip_prefix("process.env.") {
            // Bruno's way of reading the process environment.
            out.push_str("${env:");
            out.push_str(env);
            out.push('}');
        } else if name.starts_with('$') || name.is_empty() || name.contains(['{', '}']) {
            dynamic.push(name.to_string());
            out.push_str("{{");
            out.push_str(inner);
            out.push_str("}}");
        } else {
            out.push_str("${");
            out.push_str(name);
            out.push('}');
        }
        rest = tail;
    }
    out.push_str(rest);
    (out, dynamic)
}

/// The most files and folders one collection folder may hold, and how deep it may nest.
pub const MAX_COLLECTION_FILES: usize = 10_000;
pub const MAX_COLLECTION_DEPTH: usize = 32;

/// The entries of `dir` (inside the collection folder `root`, `depth` folders down) a walk
/// visits, sorted: hidden files, `node_modules` and symbolic links left out (a collection's files
/// are its own); each counts against `seen`, and past [`MAX_COLLECTION_FILES`] the walk is
/// refused. A folder deeper than [`MAX_COLLECTION_DEPTH`] is reported and gives none.
pub fn folder_entries(
    root: &Path,
    dir: &Path,
    depth: usize,
    seen: &mut usize,
    into: &mut Collection,
) -> Result<Vec<PathBuf>, NotImported> {
    if depth > MAX_COLLECTION_DEPTH {
        into.skip(
            dir.display().to_string(),
            format!("folders nested deeper than {MAX_COLLECTION_DEPTH}"),
        );
        return Ok(Vec::new());
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    *seen += paths.len();
    if *seen > MAX_COLLECTION_FILES {
        return Err(NotImported::TooManyFiles {
            path: root.to_path_buf(),
            limit: MAX_COLLECTION_FILES,
        });
    }
    paths.retain(|p| {
        let hidden = p.file_name().is_none_or(|n| {
            let n = n.to_string_lossy();
            n.starts_with('.') || n == "node_modules"
        });
        let link = p
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink());
        !hidden && !link
    });
    Ok(paths)
}

/// A file a collection names, relative to the folder of the file that names it; one outside
/// that folder (`../../etc/shadow`, an absolute path elsewhere) is refused.
pub fn inside(named_in: &Path, named: &str) -> Result<PathBuf, String> {
    // Absolute, so the profile written elsewhere still finds it, wherever it runs from.
    let folder = std::path::absolute(named_in).unwrap_or_else(|_| named_in.to_path_buf());
    let folder = folder.as_path();
    let path = Path::new(named);
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        folder.join(path)
    };
    let mut clean = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    let base: PathBuf = folder
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect();
    if clean.starts_with(&base) {
        Ok(clean)
    } else {
        Err(format!(
            "{named} is outside {}, the folder of the file that names it: copy it there, or import it with `keys import`",
            named_in.display()
        ))
    }
}

/// A Postman match (`https://*.example.com:8443/*`) as a certbench host pattern
/// (`*.example.com` when the port is a wildcard or absent, else `host:port`).
pub fn host_pattern(m: &str) -> Option<String> {
    let rest = m.split_once("://").map_or(m, |(_, r)| r);
    let host_port = rest.split('/').next()?.trim();
    if host_port.is_empty() {
        return None;
    }
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => (h, Some(p)),
        _ => (host_port, None),
    };
    let host = host.to_ascii_lowercase();
    let wildcard_ok = host.strip_prefix("*.").is_some_and(|d| !d.contains('*'));
    if host.contains('*') && !wildcard_ok {
        return None;
    }
    let pattern = match port {
        Some(p) if p != "*" && p.parse::<u16>().is_ok() && !host.starts_with("*.") => {
            format!("{host}:{p}")
        }
        _ => host,
    };
    pattern
        .parse::<crate::keys::bindings::Pattern>()
        .ok()
        .map(|p| p.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_become_certbench_ones_and_dynamic_ones_are_reported() {
        assert_eq!(
            variables("{{base}}/a/{{ id }}?t={{$timestamp}}"),
            (
                "${base}/a/${id}?t={{$timestamp}}".to_string(),
                vec!["$timestamp".to_string()]
            )
        );
        assert_eq!(variables("no {{ end"), ("no {{ end".to_string(), vec![]));
    }

    #[test]
    fn a_long_name_taken_twice_stays_within_64_characters() {
        let mut c = Collection::default();
        for _ in 0..3 {
            c.add_profile(Profile {
                name: "x".repeat(80),
                url: "https://h".into(),
                ..Profile::default()
            });
        }
        let names: Vec<&str> = c.profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names.len(), 3);
        assert!(
            names.iter().all(|n| n.len() <= 64 && file_safe(n) == *n),
            "{names:?}"
        );
        assert!(
            names[1].ends_with("-2") && names[2].ends_with("-3"),
            "{names:?}"
        );
    }

    #[test]
    fn names_are_file_safe_and_paths_stay_inside() {
        assert_eq!(file_safe("GET /users/{id} — list"), "get-users-id-list");
        assert_eq!(file_safe("../.."), "request");
        let folder = Path::new("/c/col");
        assert_eq!(
            inside(folder, "./certs/a.pem").unwrap(),
            Path::new("/c/col/certs/a.pem")
        );
        assert!(inside(folder, "../../etc/shadow").is_err());
        assert!(inside(folder, "/etc/shadow").is_err());
        assert!(inside(folder, "certs/../../col2/x").is_err());
    }
}
