//! Keys bound to hosts (`certbench keys bind NAME PATTERN`): the key a send presents when neither
//! the flags, the profile nor the environment names one. Stored in the home as `bindings.toml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use url::Url;

use crate::home::TextFileError;

pub const FILE_NAME: &str = "bindings.toml";

/// Why the bindings could not be read, changed or written.
#[derive(Debug, thiserror::Error)]
pub enum BindingsError {
    #[error("{0:?} is not a host pattern: use host, host:port or *.domain (e.g. *.acme.test)")]
    NotAPattern(String),
    #[error(transparent)]
    BadKeyName(#[from] crate::home::BadName),
    /// Unreadable, not text, or not a table of pattern = key.
    #[error(transparent)]
    File(#[from] crate::home::TextFileError),
    #[error("cannot write {}: {source}", path.display())]
    Unwritable {
        path: PathBuf,
        source: std::io::Error,
    },
}

worded!(BindingsError);

/// A host pattern: `host`, `host:port`, or `*.domain` (any host below the domain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    HostPort(String, u16),
    Host(String),
    Below(String),
}

impl std::str::FromStr for Pattern {
    type Err = BindingsError;

    fn from_str(text: &str) -> Result<Pattern, BindingsError> {
        // A URL pasted from a profile binds its host, and its port when it names one.
        if let Ok(url) = Url::parse(text.trim())
            && url.has_host()
            && matches!(url.scheme(), "https" | "http" | "wss" | "ws")
        {
            let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']);
            return Ok(match url.port() {
                Some(port) => Pattern::HostPort(host.to_ascii_lowercase(), port),
                None => Pattern::Host(host.to_ascii_lowercase()),
            });
        }
        let t = text.trim().to_ascii_lowercase();
        let bad = || BindingsError::NotAPattern(text.to_string());
        if let Some(domain) = t.strip_prefix("*.") {
            return if domain.is_empty() || domain.contains(['*', ':', '/']) {
                Err(bad())
            } else {
                Ok(Pattern::Below(domain.to_string()))
            };
        }
        if t.is_empty() || t.contains(['*', '/', ' ']) {
            return Err(bad());
        }
        match t.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') => {
                let port = port.parse::<u16>().map_err(|_| bad())?;
                Ok(Pattern::HostPort(host.to_string(), port))
            }
            _ => Ok(Pattern::Host(t)),
        }
    }
}

impl std::fmt::Display for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Pattern::HostPort(h, p) => write!(f, "{h}:{p}"),
            Pattern::Host(h) => f.write_str(h),
            Pattern::Below(d) => write!(f, "*.{d}"),
        }
    }
}

impl Pattern {
    /// Whether a request to `url` is one this pattern binds a key to.
    pub fn matches(&self, url: &Url) -> bool {
        let Some(host) = url.host_str() else {
            return false;
        };
        let host = host.trim_matches(['[', ']']).to_ascii_lowercase();
        self.score(&host, url.port_or_known_default().unwrap_or(0))
            .is_some()
    }

    /// How specific a match is (higher wins), or None when it does not match.
    fn score(&self, host: &str, port: u16) -> Option<usize> {
        match self {
            Pattern::HostPort(h, p) => (h == host && *p == port).then_some(usize::MAX),
            Pattern::Host(h) => (h == host).then_some(usize::MAX - 1),
            Pattern::Below(d) => host
                .strip_suffix(d.as_str())
                .is_some_and(|rest| rest.ends_with('.') && rest.len() > 1)
                .then_some(d.len()),
        }
    }
}

/// The home's bindings: pattern -> key name, each pattern parsed once (the form asks on every
/// frame which key a URL is bound to).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bindings {
    path: PathBuf,
    rules: BTreeMap<String, Rule>,
}

#[derive(Debug, Clone, PartialEq)]
struct Rule {
    key: String,
    /// None for a pattern written by hand that does not parse: kept in the file, never matched.
    pattern: Option<Pattern>,
}

/// The key a binding chose, and the pattern that chose it (for `-v` and the form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub key: String,
    pub pattern: String,
}

impl Bindings {
    /// Reads `<home>/bindings.toml`; a missing file is no bindings.
    pub fn open(home: &Path) -> Result<Bindings, BindingsError> {
        let path = home.join(FILE_NAME);
        match crate::home::read_bounded(&path, crate::home::KEY_FILE_LIMIT) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Bindings::from_text(path, &text),
                Err(_) => Err(TextFileError::NotText { path }.into()),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Bindings {
                path,
                rules: BTreeMap::new(),
            }),
            Err(source) => Err(TextFileError::Unreadable { path, source }.into()),
        }
    }

    /// Bindings from the text of a bindings file, to be saved at `path`.
    pub fn from_text(path: PathBuf, text: &str) -> Result<Bindings, BindingsError> {
        let text_rules: BTreeMap<String, String> = match toml::from_str(text) {
            Ok(rules) => rules,
            Err(e) => {
                return Err(TextFileError::Malformed {
                    path,
                    message: e.message().to_string(),
                }
                .into());
            }
        };
        let rules = text_rules
            .into_iter()
            .map(|(text, key)| {
                let pattern = text.parse().ok();
                (text, Rule { key, pattern })
            })
            .collect();
        Ok(Bindings { path, rules })
    }

    /// Binds `key` to `pattern` (replacing what that pattern had).
    pub fn bind(&mut self, key: &str, pattern: &str) -> Result<Pattern, BindingsError> {
        let p: Pattern = pattern.parse()?;
        crate::home::check_name(crate::home::Named::Key, key)?;
        self.rules.insert(
            p.to_string(),
            Rule {
                key: key.to_string(),
                pattern: Some(p.clone()),
            },
        );
        self.save()?;
        Ok(p)
    }

    /// Removes the binding of `pattern`; false when there was none.
    pub fn unbind(&mut self, pattern: &str) -> Result<bool, BindingsError> {
        let p: Pattern = pattern.parse()?;
        let had = self.rules.remove(&p.to_string()).is_some();
        if had {
            self.save()?;
        }
        Ok(had)
    }

    /// Every binding, as (pattern, key), sorted by pattern.
    pub fn list(&self) -> Vec<(String, String)> {
        self.rules
            .iter()
            .map(|(p, r)| (p.clone(), r.key.clone()))
            .collect()
    }

    /// The key bound to the URL's host, the most specific pattern winning.
    pub fn for_url(&self, url: &Url) -> Option<Bound> {
        let host = url
            .host_str()?
            .trim_matches(['[', ']'])
            .to_ascii_lowercase();
        let port = url.port_or_known_default().unwrap_or(0);
        self.rules
            .iter()
            .filter_map(|(p, r)| {
                let score = r.pattern.as_ref()?.score(&host, port)?;
                Some((score, p, &r.key))
            })
            .max_by_key(|(s, ..)| *s)
            .map(|(_, p, key)| Bound {
                key: key.clone(),
                pattern: p.clone(),
            })
    }

    fn save(&self) -> Result<(), BindingsError> {
        let table: toml::Table = self
            .rules
            .iter()
            .map(|(p, r)| (p.clone(), toml::Value::String(r.key.clone())))
            .collect();
        let text = table.to_string();
        crate::home::write_atomic(&self.path, text.as_bytes(), 0o600).map_err(|source| {
            BindingsError::Unwritable {
                path: self.path.clone(),
                source,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_binds_its_host_and_port() {
        let p: Pattern = "https://API.acme.test:8443/v2/orders".parse().unwrap();
        assert_eq!(p.to_string(), "api.acme.test:8443");
        let p: Pattern = "https://api.acme.test/".parse().unwrap();
        assert_eq!(p.to_string(), "api.acme.test");
    }

    #[test]
    fn the_most_specific_pattern_wins() {
        let home = tempfile::tempdir().unwrap();
        let mut b = Bindings::open(home.path()).unwrap();
        b.bind("wide", "*.acme.test").unwrap();
        b.bind("deeper", "*.eu.acme.test").unwrap();
        b.bind("host", "api.eu.acme.test").unwrap();
        b.bind("port", "api.eu.acme.test:8443").unwrap();
        let key = |u: &str| b.for_url(&Url::parse(u).unwrap()).map(|x| x.key);
        assert_eq!(
            key("https://api.eu.acme.test:8443/").as_deref(),
            Some("port")
        );
        assert_eq!(key("https://api.eu.acme.test/").as_deref(), Some("host"));
        assert_eq!(key("https://x.eu.acme.test/").as_deref(), Some("deeper"));
        assert_eq!(key("https://x.acme.test/").as_deref(), Some("wide"));
        assert_eq!(
            key("https://acme.test/"),
            None,
            "*.domain is below the domain only"
        );
        assert_eq!(key("https://evilacme.test/"), None);
        let again = Bindings::open(home.path()).unwrap();
        assert_eq!(again.list().len(), 4, "saved");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.path().join(FILE_NAME))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(b.bind("k", "*").is_err());
        assert!(b.bind("k", "ftp://x/").is_err());
        assert!(b.unbind("*.acme.test").unwrap());
        assert!(!b.unbind("*.acme.test").unwrap());
    }
}
