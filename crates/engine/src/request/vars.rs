//! `${name}` and `${env:NAME}` interpolation in profile strings.

use crate::home::TextFileError;
use std::collections::BTreeMap;

/// Variable values: `--var` first, then `vars.toml` beside the profiles.
#[derive(Debug, Clone)]
pub struct Vars {
    values: BTreeMap<String, String>,
    /// Where `${env:NAME}` is read: the process environment, or a given one (tests).
    env: fn(&str) -> Option<String>,
}

impl Default for Vars {
    fn default() -> Vars {
        Vars {
            values: BTreeMap::new(),
            env: |name| std::env::var(name).ok(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VarError {
    #[error(
        "variable ${{{0}}} is not set: give it a value, or add it to vars.toml beside the profiles"
    )]
    Unset(String),
    #[error(
        "environment variable {0} (used as ${{env:{0}}}) is not set: export it or change the profile"
    )]
    UnsetEnv(String),
    #[error("unterminated ${{ in {0:?}: close it with }}")]
    Unterminated(String),
}

impl Vars {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a value unless one is already there (so earlier sources win).
    pub fn set_default(&mut self, name: &str, value: &str) {
        self.values
            .entry(name.to_string())
            .or_insert_with(|| value.to_string());
    }

    /// Adds every value of `other` that is not set here yet.
    pub fn add_defaults(&mut self, other: &Vars) {
        for (k, v) in &other.values {
            self.set_default(k, v);
        }
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.values.insert(name.to_string(), value.to_string());
    }

    /// The same values, with `${env:NAME}` read from `env` instead of the process environment.
    pub fn with_env(mut self, env: fn(&str) -> Option<String>) -> Vars {
        self.env = env;
        self
    }

    /// Every name and value, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Reads `vars.toml` (a flat table of strings) and adds what `--var` did not set.
    pub fn load_file(&mut self, path: &std::path::Path) -> Result<(), TextFileError> {
        // A shared file like any profile: a regular file of at most the profile limit, so a
        // symlink to /dev/zero or a FIFO is refused at once.
        let bytes = match crate::home::read_bounded(path, crate::home::TEXT_FILE_LIMIT) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => {
                return Err(TextFileError::Unreadable {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let text = String::from_utf8(bytes).map_err(|_| TextFileError::NotText {
            path: path.to_path_buf(),
        })?;
        let table: toml::Table = toml::from_str(&text).map_err(|e| TextFileError::Malformed {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        })?;
        for (k, v) in table {
            let value = match v {
                toml::Value::String(s) => s,
                other => other.to_string(),
            };
            self.set_default(&k, &value);
        }
        Ok(())
    }

    /// Replaces every `${name}` / `${env:NAME}` in `text`; `$$` stands for a literal `$`.
    pub fn expand(&self, text: &str) -> Result<String, VarError> {
        if !text.contains('$') {
            return Ok(text.to_string());
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(pos) = rest.find('$') {
            out.push_str(rest.get(..pos).unwrap_or_default());
            let after = rest.get(pos + 1..).unwrap_or_default();
            if let Some(stripped) = after.strip_prefix('$') {
                out.push('$');
                rest = stripped;
            } else if let Some(inner) = after.strip_prefix('{') {
                let end = inner
                    .find('}')
                    .ok_or_else(|| VarError::Unterminated(text.to_string()))?;
                let name = inner.get(..end).unwrap_or_default().trim();
                out.push_str(&self.lookup(name)?);
                rest = inner.get(end + 1..).unwrap_or_default();
            } else {
                out.push('$');
                rest = after;
            }
        }
        out.push_str(rest);
        Ok(out)
    }

    fn lookup(&self, name: &str) -> Result<String, VarError> {
        if let Some(env) = name.strip_prefix("env:") {
            return (self.env)(env).ok_or_else(|| VarError::UnsetEnv(env.to_string()));
        }
        self.get(name)
            .map(str::to_string)
            .ok_or_else(|| VarError::Unset(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_names_env_and_dollar_escape() {
        let mut v = Vars::new()
            .with_env(|name| (name == "CERTBENCH_TEST_TOKEN").then(|| "t0k".to_string()));
        v.set("base", "https://x");
        assert_eq!(
            v.expand("${base}/a?t=${env:CERTBENCH_TEST_TOKEN}$$")
                .unwrap(),
            "https://x/a?t=t0k$"
        );
        assert_eq!(v.expand("${nope}"), Err(VarError::Unset("nope".into())));
        assert_eq!(
            v.expand("${HOME}"),
            Err(VarError::Unset("HOME".into())),
            "plain names never read the environment"
        );
        assert!(matches!(v.expand("${open"), Err(VarError::Unterminated(_))));
    }

    #[test]
    fn earlier_sources_win() {
        let mut v = Vars::new();
        v.set("a", "cli");
        v.set_default("a", "file");
        v.set_default("b", "file");
        assert_eq!(v.get("a"), Some("cli"));
        assert_eq!(v.get("b"), Some("file"));
    }
}
