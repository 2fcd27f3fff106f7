//! Environments: `environments/NAME.toml` beside the profiles, holding variables plus the
//! credential, trust and proxy a profile gets when it names none (`--env NAME`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::request::profile::Profile;
use crate::request::vars::Vars;

/// The folder of environments inside a profiles folder.
pub const FOLDER: &str = "environments";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    #[serde(skip)]
    pub name: String,
    /// The key for profiles that name none (`${...}` allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    /// Trusted certificates for profiles that name none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trust: Vec<String>,
    /// The proxy for profiles that set none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EnvironmentError {
    #[error("no environment named {name:?} in {dir}{}", known.words("the ones there are"))]
    NotFound {
        name: String,
        dir: String,
        known: crate::names::Known,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Environment {
    /// Reads `dir/environments/NAME.toml`.
    pub fn load(profiles_dir: &Path, name: &str) -> Result<Environment, EnvironmentError> {
        let path = profiles_dir.join(FOLDER).join(format!("{name}.toml"));
        if crate::home::check_name(crate::home::Named::Environment, name).is_err()
            || !path.is_file()
        {
            return Err(EnvironmentError::NotFound {
                name: name.into(),
                dir: profiles_dir.join(FOLDER).display().to_string(),
                known: crate::names::Known::among(name, list(profiles_dir).into_iter()),
            });
        }
        let invalid = |message: String| EnvironmentError::Invalid {
            path: path.display().to_string(),
            message,
        };
        let bytes = crate::home::read_bounded(&path, crate::request::profile::PROFILE_FILE_LIMIT)
            .map_err(|e| invalid(e.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|_| invalid("it is not UTF-8 text".into()))?;
        Environment::from_toml(name, &text).map_err(|e| invalid(e.message().to_string()))
    }

    /// An environment from the text of its file.
    pub fn from_toml(name: &str, text: &str) -> Result<Environment, toml::de::Error> {
        let mut env: Environment = toml::from_str(text)?;
        env.name = name.to_string();
        Ok(env)
    }

    /// Adds the environment's variables below what is already set (`--var` wins).
    pub fn add_vars(&self, vars: &mut Vars) {
        for (k, v) in &self.vars {
            vars.set_default(k, v);
        }
    }

    /// Gives the profile this environment's credential, trust and proxy where it names none.
    pub fn apply_defaults(&self, profile: &mut Profile) {
        if profile.credential.is_none() {
            profile.credential = self.credential.clone();
        }
        if profile.trust.is_empty() {
            profile.trust = self.trust.clone();
        }
        if profile.options.proxy.is_none() {
            profile.options.proxy = self.proxy.clone();
        }
    }
}

/// The environments a profiles folder has, by name.
pub fn list(profiles_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(profiles_dir.join(FOLDER)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p: &PathBuf| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_environment_suggests_the_closest_name() {
        let dir = tempfile::tempdir().unwrap();
        let e = Environment::load(dir.path(), "staging")
            .unwrap_err()
            .to_string();
        assert!(e.ends_with(": there is none yet"), "{e}");
        std::fs::create_dir(dir.path().join(FOLDER)).unwrap();
        for n in ["staging", "production"] {
            std::fs::write(dir.path().join(format!("environments/{n}.toml")), "").unwrap();
        }
        let e = Environment::load(dir.path(), "stagin")
            .unwrap_err()
            .to_string();
        assert!(e.ends_with(": did you mean \"staging\"?"), "{e}");
        let e = Environment::load(dir.path(), "qa").unwrap_err().to_string();
        assert!(
            e.ends_with(": the ones there are production, staging"),
            "{e}"
        );
    }

    #[test]
    fn an_environment_gives_defaults_and_variables_below_the_flags() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(FOLDER)).unwrap();
        std::fs::write(
            dir.path().join("environments/staging.toml"),
            "credential = \"acme-${stage}\"\ntrust = [\"acme-ca\"]\n[vars]\nbase_url = \"https://staging\"\nstage = \"staging\"\n",
        )
        .unwrap();
        let env = Environment::load(dir.path(), "staging").unwrap();
        let mut vars = Vars::new();
        vars.set("base_url", "https://from-flag");
        env.add_vars(&mut vars);
        assert_eq!(vars.get("base_url"), Some("https://from-flag"));
        assert_eq!(vars.get("stage"), Some("staging"));
        let mut p = Profile::default();
        env.apply_defaults(&mut p);
        assert_eq!(p.credential.as_deref(), Some("acme-${stage}"));
        let mut named = Profile {
            credential: Some("mine".into()),
            ..Profile::default()
        };
        env.apply_defaults(&mut named);
        assert_eq!(named.credential.as_deref(), Some("mine"));
        let e = Environment::load(dir.path(), "prod")
            .unwrap_err()
            .to_string();
        assert!(e.contains("staging"), "{e}");
        std::fs::write(dir.path().join("environments/bad.toml"), "colour = 1\n").unwrap();
        assert!(Environment::load(dir.path(), "bad").is_err());
    }
}
