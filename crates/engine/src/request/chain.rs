//! Chained sends, the same for the TUI, `send` and `run`: a profile's `requires` are sent first
//! when a variable they capture is unset in the session, and every response's captures go into
//! the session. A scope holds what every send of a session shares.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use crate::diagnose::fix::Fix;
use crate::home::TextFileError;
use crate::request::capture::Missed;
use crate::request::profile_dir;
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use crate::budget::Budget;
use crate::diagnose::failure::Failure;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::Diagnosis;
use crate::keys::bindings::Bindings;
use crate::pipeline::{Pipeline, Sent};
use crate::request::capture::Session;
use crate::request::environment::Environment;
use crate::request::prepare::{self, Context, PreparedRequest};
use crate::request::profile::Profile;
use crate::request::vars::Vars;

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
    /// The environment as its file last read (see `environment_now`).
    env_read: Arc<Mutex<Option<Environment>>>,
    /// One dependency check at a time, so two sends needing the same token fetch it once.
    requires: Arc<tokio::sync::Mutex<()>>,
    /// Every profile sent in this scope and how it went (Err: why it failed), so a required
    /// profile is sent at most once however many profiles require it.
    sent_once: Arc<Mutex<HashMap<String, Result<(), WentWrong>>>>,
}

impl Scope {
    pub fn new(profiles_dir: PathBuf) -> Scope {
        Scope {
            profiles_dir,
            ..Scope::default()
        }
    }

    /// The same scope for a second, separate chain (another environment): its own captured
    /// variables and its own record of what was sent.
    pub fn apart(&self) -> Scope {
        Scope {
            session: Default::default(),
            sent_once: Default::default(),
            requires: Default::default(),
            ..self.clone()
        }
    }

    /// Forgets which profiles were sent, so the next send sends its requirements again (the
    /// workbench, where each send stands alone; a run keeps them for the whole run).
    pub fn forget_sent(&self) {
        self.memo().clear();
    }

    fn memo(&self) -> std::sync::MutexGuard<'_, HashMap<String, Result<(), WentWrong>>> {
        self.sent_once.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn session(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The variables of a send now: `--var` > captured > the environment's > `vars.toml`.
    pub fn vars(&self) -> Result<Vars, TextFileError> {
        let mut vars = self.flags.clone();
        self.session().add_vars(&mut vars);
        if let Some(env) = self.environment_now() {
            env.add_vars(&mut vars);
        }
        vars.add_defaults(&self.file_vars()?);
        Ok(vars)
    }

    /// `vars.toml`'s values alone, as the file is now: an edit made while the workbench runs
    /// applies to the next send.
    pub(crate) fn file_vars(&self) -> Result<Vars, TextFileError> {
        let mut v = Vars::new();
        v.load_file(&self.profiles_dir.join("vars.toml")).map(|_| v)
    }

    /// The environment in use as its file is now (as it last read, when the file is gone or no
    /// longer reads: a send never fails on an edit in progress).
    pub fn environment_now(&self) -> Option<Environment> {
        let held = self.environment.as_ref()?;
        let mut last = self.env_read.lock().unwrap_or_else(|e| e.into_inner());
        match Environment::load(&self.profiles_dir, &held.name) {
            Ok(fresh) => {
                *last = Some(fresh.clone());
                Some(fresh)
            }
            Err(_) => Some(
                last.clone()
                    .filter(|l| l.name == held.name)
                    .unwrap_or_else(|| held.clone()),
            ),
        }
    }

    /// Prepares `profile` in this scope.
    pub fn prepare(&self, profile: &Profile) -> Result<PreparedRequest, Failure> {
        let invalid = invalid_request;
        let vars = self.vars().map_err(|e| invalid(e.to_string()))?;
        let secrets = self.session().secrets();
        let environment = self.environment_now();
        let ctx = Context {
            vars: &vars,
            environment: environment.as_ref(),
            bindings: self.bindings.as_ref(),
            secrets: &secrets,
        };
        prepare::prepare_in(profile, &ctx).map_err(|e| invalid(e.to_string()))
    }

    /// Prepares `profile` to be looked at, not sent: a variable still unset that a required
    /// profile would capture first stands as `<NAME from REQUIRED>`.
    pub fn preview(&self, profile: &Profile) -> Result<PreparedRequest, Failure> {
        let mut vars = self.vars().map_err(|e| invalid_request(e.to_string()))?;
        let secrets = self.session().secrets();
        let environment = self.environment_now();
        // Each round fills one unset variable; a profile names only so many.
        for _ in 0..64 {
            let ctx = Context {
                vars: &vars,
                environment: environment.as_ref(),
                bindings: self.bindings.as_ref(),
                secrets: &secrets,
            };
            match prepare::prepare_in(profile, &ctx) {
                Err(prepare::PrepareError::Var {
                    source: crate::request::vars::VarError::Unset(name),
                    ..
                }) if !profile.requires.is_empty() && vars.get(&name).is_none() => {
                    let by = profile.requires.join(", ");
                    vars.set(&name, &format!("<{name} from {by}>"));
                }
                other => return other.map_err(|e| invalid_request(e.to_string())),
            }
        }
        self.prepare(profile)
    }
}

/// A request that does not prepare, with the field at fault named in `message`.
fn invalid_request(message: String) -> Failure {
    Failure::plain(Diagnosis::new(
        DiagnosisKind::InvalidRequest,
        message,
        "fix the field named above",
    ))
}

type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl Pipeline {
    /// Sends what `profile` requires (when needed), then `profile`; every send in order, the
    /// profile's own last. A requirement that is missing, loops or fails stops the chain: the
    /// profile is not sent, and its own line says which requirement and why. `adjust` applies
    /// to the profile's own request only.
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
            if let Err(why) = self
                .ensure(&profile, scope, budget, &mut sent, &mut stack)
                .await
            {
                let failure = requirement_failure(&profile.name, &why);
                scope.memo().insert(
                    profile.name.clone(),
                    Err(WentWrong::Failed(failure.diagnosis.message.clone())),
                );
                sent.push(Sent::unprepared(profile, failure));
                return sent;
            }
        }
        sent.push(self.send_captured(profile, scope, budget, adjust).await);
        sent
    }

    /// Sends each required profile not yet sent in this scope (its own requires first) whose
    /// captures are not all set; Err names the first requirement that could not be met.
    fn ensure<'a>(
        &'a self,
        profile: &'a Profile,
        scope: &'a Scope,
        budget: &'a Budget,
        sent: &'a mut Vec<Sent>,
        stack: &'a mut Vec<String>,
    ) -> Boxed<'a, Result<(), Unmet>> {
        Box::pin(async move {
            for name in &profile.requires {
                if outside_folder(name) {
                    return Err(Unmet::NotAName(name.clone()));
                }
                if stack.contains(name) {
                    let mut cycle = stack.clone();
                    cycle.push(name.clone());
                    return Err(Unmet::Loop(cycle));
                }
                let before = scope.memo().get(name).cloned();
                match before {
                    Some(Ok(())) => continue,
                    Some(Err(why)) => {
                        return Err(Unmet::Failed {
                            name: name.clone(),
                            why,
                        });
                    }
                    None => {}
                }
                // Beside the profile that requires it first, then in the scope's folder.
                let beside = profile
                    .folder
                    .0
                    .as_deref()
                    .filter(|d| *d != scope.profiles_dir)
                    .and_then(|d| profile_dir::find(d, name).ok());
                let required =
                    match beside.map_or_else(|| profile_dir::find(&scope.profiles_dir, name), Ok) {
                        Ok(p) => p,
                        Err(e) => {
                            return Err(Unmet::Unreadable {
                                name: name.clone(),
                                reason: e.to_string(),
                            });
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
                let below = self.ensure(&required, scope, budget, sent, stack).await;
                stack.pop();
                if let Err(why) = below {
                    let failure = requirement_failure(name, &why);
                    scope.memo().insert(
                        name.clone(),
                        Err(WentWrong::Failed(failure.diagnosis.message.clone())),
                    );
                    sent.push(Sent::unprepared(required, failure));
                    return Err(Unmet::NotSent {
                        name: name.clone(),
                        why: Box::new(why),
                    });
                }
                let one = self.send_captured(required, scope, budget, |_| {}).await;
                let outcome = scope.memo().get(name).cloned().unwrap_or(Ok(()));
                sent.push(one);
                if let Err(why) = outcome {
                    return Err(Unmet::Failed {
                        name: name.clone(),
                        why,
                    });
                }
            }
            Ok(())
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
        if !sent.taken.is_empty() {
            let taken = std::mem::take(&mut sent.taken);
            sent.missed = scope
                .session()
                .record(&sent.profile.name, &sent.profile.capture, taken);
        }
        scope
            .memo()
            .insert(sent.profile.name.clone(), how_it_went(&sent));
        sent
    }
}

/// What went wrong with a send, for the profiles that require it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WentWrong {
    /// It failed, or was not sent: the diagnosis's message.
    #[error("{0}")]
    Failed(String),
    #[error("it answered {status} {reason}")]
    Status { status: u16, reason: String },
    #[error("its body was incomplete")]
    Incomplete,
    #[error("it captured nothing for {}", .0.iter().map(|(k, why)| format!("{k} ({why})")).collect::<Vec<_>>().join(", "))]
    CapturedNothing(Vec<(String, Missed)>),
}

/// Why a profile's requirements were not met.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unmet {
    #[error(
        "requires {0:?} is not a profile name: requirements are profiles of the same folder, named without a path"
    )]
    NotAName(String),
    /// The profiles from the first to the one that comes round again.
    #[error("requires go round in a loop: {}", .0.join(" -> "))]
    Loop(Vec<String>),
    #[error("{name} cannot be read: {reason}")]
    Unreadable { name: String, reason: String },
    #[error("{name} failed: {why}")]
    Failed { name: String, why: WentWrong },
    /// A requirement whose own requirements were not met.
    #[error("{name} was not sent: {why}")]
    NotSent { name: String, why: Box<Unmet> },
}

/// How a send went, for those that require it.
fn how_it_went(sent: &Sent) -> Result<(), WentWrong> {
    match &*sent.result {
        Err(f) => Err(WentWrong::Failed(f.diagnosis.message.clone())),
        Ok(ex) if ex.status_is_error => Err(WentWrong::Status {
            status: ex.status,
            reason: ex.reason.clone(),
        }),
        Ok(ex) if ex.incomplete.is_some() => Err(WentWrong::Incomplete),
        Ok(_) if !sent.missed.is_empty() => Err(WentWrong::CapturedNothing(sent.missed.clone())),
        Ok(_) => Ok(()),
    }
}

/// A `requires` entry that is a path rather than a profile's name: refused, so a shared
/// profile cannot load files from outside its folder.
fn outside_folder(name: &str) -> bool {
    name.contains(['/', '\\'])
        || name.starts_with('.')
        || name.chars().any(char::is_control)
        || name.is_empty()
}

/// The failure of a profile that was not sent because of its requirements.
fn requirement_failure(name: &str, why: &Unmet) -> Failure {
    Failure::plain(
        Diagnosis::new(
            DiagnosisKind::RequirementFailed,
            format!("{name} was not sent: {why}"),
            "fix the required profile first",
        )
        .with_step(Fix::SendRequired {
            name: name.to_string(),
        }),
    )
}
