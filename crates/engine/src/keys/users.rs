//! Who uses a key: the host bindings, environments and profiles that name it, said before the
//! key is deleted.

use std::path::Path;

use crate::keys::bindings::Bindings;
use crate::request::environment::{self, Environment};
use crate::request::profile_dir;

/// What names a key, each list in name order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyUsers {
    /// Host patterns bound to the key.
    pub bindings: Vec<String>,
    /// Environments whose `credential` it is.
    pub environments: Vec<String>,
    /// Profiles whose `credential` it is.
    pub profiles: Vec<String>,
}

impl KeyUsers {
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty() && self.environments.is_empty() && self.profiles.is_empty()
    }
}

/// The users of key `name` among `bindings` and the profiles folder's environments and profiles.
pub fn users_of(name: &str, bindings: Option<&Bindings>, profiles_dir: &Path) -> KeyUsers {
    let bindings = bindings
        .map(|b| {
            b.list()
                .into_iter()
                .filter(|(_, key)| key == name)
                .map(|(pattern, _)| pattern)
                .collect()
        })
        .unwrap_or_default();
    let environments = environment::list(profiles_dir)
        .into_iter()
        .filter(|e| {
            Environment::load(profiles_dir, e)
                .is_ok_and(|env| env.credential.as_deref() == Some(name))
        })
        .collect();
    let profiles = profile_dir::load_dir(profiles_dir)
        .into_iter()
        .filter(|p| {
            p.result
                .as_ref()
                .is_ok_and(|p| p.credential.as_deref() == Some(name))
        })
        .map(|p| p.name)
        .collect();
    KeyUsers {
        bindings,
        environments,
        profiles,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bindings_environments_and_profiles_naming_a_key_are_found() {
        let home = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut b = Bindings::open(home.path()).unwrap();
        b.bind("acme", "*.acme.test").unwrap();
        b.bind("other", "api.other.test").unwrap();
        std::fs::create_dir(dir.path().join("environments")).unwrap();
        std::fs::write(
            dir.path().join("environments/prod.toml"),
            "credential = \"acme\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("environments/qa.toml"),
            "credential = \"other\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("orders.toml"),
            "url = \"https://x\"\ncredential = \"acme\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("ping.toml"), "url = \"https://x\"\n").unwrap();
        let users = users_of("acme", Some(&b), dir.path());
        assert_eq!(users.bindings, vec!["*.acme.test"]);
        assert_eq!(users.environments, vec!["prod"]);
        assert_eq!(users.profiles, vec!["orders"]);
        assert!(users_of("nobody", Some(&b), dir.path()).is_empty());
    }
}
