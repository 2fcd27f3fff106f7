//! Chained sends, the same for the TUI, `send` and `run`: a profile's `requires` are sent first
//! when a variable they capture is unset in the session, and every response's captures go into
//! the session. A scope holds what every send of a session shares.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use super::bindings::Bindings;
use super::budget::Budget;
use super::capture::Session;
use super::diagnose::Failure;
use super::environment::Environment;
use super::exchange::Diagnosis;
use super::kind::DiagnosisKind;
use super::pipeline::{Pipeline, Sent};
use super::prepare::{self, Context, PreparedRequest};
use super::profile::{self, Profile};
use super::vars::Vars;

/// How deep `requires` may nest before it is called a loop.
const MAX_DEPTH: usize = 16;

/// What the sends of one session share: where profiles live, the environment, the host
/// bindings, the `--var` values and the captured variables.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub profiles_dir: PathBuf,
    pub environment: Option<Environment>,
    pub bindings: Option<Bindings>,
    /// `--var` values: above everything else.
    pub flags: Vars,
    pub session: Arc<Mutex<Session>>,
    /// One dependency check at a time, so two sends needing the same token fetch it once.
    requires: Arc<tokio::sync::Mutex<()>>,
    /// `vars.toml`, read on the first send of the scope.
    file_vars: Arc<std::sync::OnceLock<Result<Vars, String>>>,
}

impl Scope {
    pub fn new(profiles_dir: PathBuf) -> Scope {
        Scope {
            profiles_dir,
            ..Scope::default()
        }
    }

    pub fn session(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The variables of a send now: `--var` > captured > the environment's > `vars.toml`.
    pub fn vars(&self) -> Result<Vars, String> {
        let mut vars = self.flags.clone();
        self.session().add_vars(&mut vars);
        if let Some(env) = &self.environment {
            env.add_vars(&mut vars);
        }
        let file = self.file_vars.get_or_init(|| {
            let mut v = Vars::new();
            v.load_file(&self.profiles_dir.join("vars.toml")).map(|_| v)
        });
        vars.add_defaults(file.as_ref().map_err(Clone::clone)?);
        Ok(vars)
    }

    /// Prepares `profile` in this scope.
    pub fn prepare(&self, profile: &Profile) -> Result<PreparedRequest, Failure> {
        let invalid = |message: String| {
            Failure::plain(Diagnosis::new(
                DiagnosisKind::InvalidRequest,
                message,
                "fix the field named above",
            ))
        };
        let vars = self.vars().map_err(invalid)?;
        let secrets = self.session().secrets();
        let ctx = Context {
            vars: &vars,
            environment: self.environment.as_ref(),
            bindings: self.bindings.as_ref(),
            secrets: &secrets,
        };
        prepare::prepare_in(profile, &ctx).map_err(|e| invalid(e.to_string()))
    }
}

/// A stand-in for a required profile that could not be sent, so its line names it.
fn named(name: &str) -> Profile {
    Profile {
        name: name.to_string(),
        ..Profile::default()
    }
}

type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl Pipeline {
    /// Sends what `profile` requires (when needed), then `profile`; every send in order, the
    /// profile's own last. `adjust` applies to the profile's own request only.
    pub async fn send_chain(
        &self,
        profile: Profile,
        scope: &Scope,
        budget: &Budget,
        adjust: impl FnOnce(&mut PreparedRequest),
    ) -> Vec<Sent> {
        let mut sent = Vec::new();
        if !profile.requires.is_empty() {
            let _one_at_a_time = scope.requires.lock().await;
            let mut stack = vec![profile.name.clone()];
            self.ensure(&profile, scope, budget, &mut sent, &mut stack)
                .await;
        }
        sent.push(self.send_captured(profile, scope, budget, adjust).await);
        sent
    }

    /// Sends each required profile whose captures are not all set, its own requires first.
    fn ensure<'a>(
        &'a self,
        profile: &'a Profile,
        scope: &'a Scope,
        budget: &'a Budget,
        sent: &'a mut Vec<Sent>,
        stack: &'a mut Vec<String>,
    ) -> Boxed<'a, ()> {
        Box::pin(async move {
            for name in &profile.requires {
                if stack.contains(name) || stack.len() > MAX_DEPTH {
                    stack.push(name.clone());
                    let loop_failure = Failure::plain(Diagnosis::new(
                        DiagnosisKind::InvalidRequest,
                        format!("requires go round in a loop: {}", stack.join(" -> ")),
                        "remove one of the requires so the chain has an end",
                    ));
                    stack.pop();
                    sent.push(Sent::unprepared(named(name), loop_failure));
                    continue;
                }
                let required = match profile::find(&scope.profiles_dir, name) {
                    Ok(p) => p,
                    Err(e) => {
                        let missing = Failure::plain(Diagnosis::new(
                            DiagnosisKind::InvalidRequest,
                            format!("{} requires {name:?}: {e}", profile.name),
                            "fix the name in requires, or add that profile",
                        ));
                        sent.push(Sent::unprepared(named(name), missing));
                        continue;
                    }
                };
                let needed = {
                    let session = scope.session();
                    required.capture.is_empty()
                        || required.capture.keys().any(|k| !session.is_set(k))
                };
                if !needed {
                    continue;
                }
                stack.push(name.clone());
                self.ensure(&required, scope, budget, sent, stack).await;
                stack.pop();
                sent.push(self.send_captured(required, scope, budget, |_| {}).await);
            }
        })
    }

    /// Prepares in the scope, sends, and stores the response's captures in the session.
    async fn send_captured(
        &self,
        profile: Profile,
        scope: &Scope,
        budget: &Budget,
        adjust: impl FnOnce(&mut PreparedRequest),
    ) -> Sent {
        let mut req = match scope.prepare(&profile) {
            Ok(r) => r,
            Err(f) => return Sent::unprepared(profile, f),
        };
        adjust(&mut req);
        let mut sent = self.send(profile, req, budget).await;
        if let Ok(ex) = &*sent.result
            && !sent.profile.capture.is_empty()
        {
            sent.missed = scope
                .session()
                .capture(&sent.profile.name, &sent.profile.capture, ex);
        }
        sent
    }
}
