//! One profile in two environments at once, for a comparison: each side with its own
//! environment, requirements and session, both recorded. The CLI's `--compare-env` and the
//! workbench's environment comparison are this one use case.

use crate::budget::Budget;
use crate::pipeline::{Pipeline, Sent};
use crate::request::chain::Scope;
use crate::request::environment::{Environment, EnvironmentError};
use crate::request::profile::Profile;

/// The two sends of an environment comparison and the environments they ran in.
pub struct EnvPair {
    /// In the scope's own environment (`here_env`: its name, None without one).
    pub here: Sent,
    pub here_env: Option<String>,
    /// In the other environment, named `there_env`.
    pub there: Sent,
    pub there_env: String,
}

impl Pipeline {
    /// Sends `profile` in `scope`'s environment and in `other` (read from the scope's profiles
    /// folder) at once. An unknown environment is the error, before anything is sent.
    pub async fn send_in_two_envs(
        &self,
        profile: Profile,
        scope: &Scope,
        other: &str,
        budget: &Budget,
    ) -> Result<EnvPair, EnvironmentError> {
        let mut scope_b = scope.apart();
        scope_b.environment = Some(Environment::load(&scope.profiles_dir, other)?);
        let (mut a, mut b) = tokio::join!(
            self.send_chain(profile.clone(), scope, budget, |_| {}),
            self.send_chain(profile, &scope_b, budget, |_| {}),
        );
        let ends = "a chain ends with the profile's own send";
        Ok(EnvPair {
            here: a.pop().expect(ends),
            here_env: scope.environment.as_ref().map(|e| e.name.clone()),
            there: b.pop().expect(ends),
            there_env: other.to_string(),
        })
    }
}
