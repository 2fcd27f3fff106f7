//! Every variable a send in a scope can use: its value (masked when secret) and where it comes
//! from, in the order they win (`--var` or set in the session, captured, the environment's,
//! `vars.toml`).

use crate::request::chain::Scope;

/// Where a variable's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarSource {
    /// `--var`, or set in the workbench for this session.
    Given,
    /// Captured from a response of this profile.
    Captured { by: String },
    /// The environment in use (its name).
    Environment(String),
    /// `vars.toml` beside the profiles.
    File,
}

/// One variable as a person sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarSeen {
    pub name: String,
    /// The value, or a mask when it is secret.
    pub shown: String,
    pub secret: bool,
    /// The source that wins.
    pub source: VarSource,
    /// Sources below it that also set it (their values unused).
    pub shadowed: Vec<VarSource>,
}

/// One variable of one source: name, value, and whether it is secret.
type Layer = (String, String, bool);

/// Names whose values are not shown: they hold credentials by their name.
fn secret_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "token",
        "secret",
        "passw",
        "apikey",
        "api_key",
        "credential",
        "auth",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// A value as shown: itself, or its length only.
fn masked(value: &str, secret: bool) -> String {
    if secret {
        format!("•••• ({} characters)", value.chars().count())
    } else {
        value.to_string()
    }
}

impl Scope {
    /// Every variable, by name, with the source that wins and those it hides.
    pub fn variables(&self) -> Vec<VarSeen> {
        let mut layers: Vec<(VarSource, Vec<Layer>)> = Vec::new();
        let plain = |v: &crate::request::vars::Vars| -> Vec<Layer> {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string(), secret_name(k)))
                .collect()
        };
        layers.push((VarSource::Given, plain(&self.flags)));
        let captured: Vec<(String, String, String, bool)> = self
            .session()
            .list()
            .into_iter()
            .map(|(k, c)| (k.to_string(), c.value.clone(), c.from.clone(), c.secret))
            .collect();
        for (name, value, by, secret) in captured {
            layers.push((
                VarSource::Captured { by },
                vec![(name.clone(), value, secret || secret_name(&name))],
            ));
        }
        if let Some(env) = self.environment_now() {
            let vars = env
                .vars
                .iter()
                .map(|(k, v)| (k.clone(), v.clone(), secret_name(k)))
                .collect();
            layers.push((VarSource::Environment(env.name.clone()), vars));
        }
        if let Ok(file) = self.file_vars() {
            layers.push((VarSource::File, plain(&file)));
        }
        let mut seen: Vec<VarSeen> = Vec::new();
        for (source, vars) in layers {
            for (name, value, secret) in vars {
                match seen.iter_mut().find(|v| v.name == name) {
                    Some(v) => v.shadowed.push(source.clone()),
                    None => seen.push(VarSeen {
                        shown: masked(&value, secret),
                        name,
                        secret,
                        source: source.clone(),
                        shadowed: Vec::new(),
                    }),
                }
            }
        }
        seen.sort_by(|a, b| a.name.cmp(&b.name));
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variable_names_the_source_that_wins_and_masks_secrets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("vars.toml"),
            "base_url = \"https://file\"\nregion = \"eu\"\napi_token = \"from-file-123\"\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("environments")).unwrap();
        std::fs::write(
            dir.path().join("environments/staging.toml"),
            "[vars]\nbase_url = \"https://staging\"\n",
        )
        .unwrap();
        let mut scope = Scope::new(dir.path().to_path_buf());
        scope.environment =
            Some(crate::request::environment::Environment::load(dir.path(), "staging").unwrap());
        scope.flags.set("region", "us");
        let vars = scope.variables();
        let get = |n: &str| vars.iter().find(|v| v.name == n).unwrap().clone();
        assert_eq!(
            get("base_url").source,
            VarSource::Environment("staging".into())
        );
        assert_eq!(get("base_url").shown, "https://staging");
        assert_eq!(get("base_url").shadowed, vec![VarSource::File]);
        assert_eq!(get("region").source, VarSource::Given);
        assert_eq!(get("region").shown, "us");
        let token = get("api_token");
        assert!(token.secret);
        assert!(!token.shown.contains("123"), "{}", token.shown);
        assert_eq!(token.source, VarSource::File);
    }

    #[test]
    fn vars_toml_and_the_environment_are_read_as_they_are_now() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("vars.toml"), "region = \"eu\"\n").unwrap();
        std::fs::create_dir(dir.path().join("environments")).unwrap();
        let env_file = dir.path().join("environments/qa.toml");
        std::fs::write(&env_file, "[vars]\nbase_url = \"https://qa-1\"\n").unwrap();
        let mut scope = Scope::new(dir.path().to_path_buf());
        scope.environment =
            Some(crate::request::environment::Environment::load(dir.path(), "qa").unwrap());
        assert_eq!(scope.vars().unwrap().get("region"), Some("eu"));
        // Edited while the scope lives (the workbench open): the next send sees it.
        std::fs::write(dir.path().join("vars.toml"), "region = \"us\"\n").unwrap();
        std::fs::write(&env_file, "[vars]\nbase_url = \"https://qa-2\"\n").unwrap();
        let vars = scope.vars().unwrap();
        assert_eq!(vars.get("region"), Some("us"));
        assert_eq!(vars.get("base_url"), Some("https://qa-2"));
        // An environment file that no longer reads: the one held is used, the send goes on.
        std::fs::write(&env_file, "[vars\n").unwrap();
        assert_eq!(scope.vars().unwrap().get("base_url"), Some("https://qa-2"));
    }
}
