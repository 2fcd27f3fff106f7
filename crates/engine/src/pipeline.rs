//! The life of one send, the same for every caller (the CLI, the TUI, and the runner to come):
//! profile -> `prepare` -> `Transport::send_within` (which diagnoses a failure) -> history ->
//! `Summary`. Callers only choose the budget, where the body goes, and how to show the result.
#![expect(
    clippy::result_large_err,
    reason = "a Failure is the rare path and carries everything diagnosis needs"
)]

use crate::request::capture::Missed;
use std::sync::Arc;

use crate::budget::Budget;
use crate::diagnose::failure::Failure;
use crate::diagnose::kind::DiagnosisKind;
use crate::exchange::{Diagnosis, Exchange};
use crate::history::redact::Redactor;
use crate::history::{History, HistoryError, Summary};
use crate::net::transport::Transport;
use crate::request::expect::Verdict;
use crate::request::prepare::{self, PreparedRequest};
use crate::request::profile::Profile;
use crate::request::vars::Vars;

/// What a send left behind: the request as sent, its outcome, and its line in the history.
#[derive(Debug)]
pub struct Sent {
    pub profile: Profile,
    /// None when the profile did not prepare (the outcome is then an `invalid_request`).
    pub request: Option<PreparedRequest>,
    pub result: Arc<Result<Exchange, Failure>>,
    pub summary: Summary,
    /// Why the send is not in the history although it should be; the send itself stands.
    pub not_recorded: Option<HistoryError>,
    /// The profile's expectations checked on the response (None: it has none, or no response).
    pub verdict: Option<Verdict>,
    /// Captures that found nothing in the response, and why.
    pub missed: Vec<(String, Missed)>,
    /// What each capture found in the response (kept in memory only; the chain moves the
    /// values into the session).
    pub taken: Vec<(String, Result<String, Missed>)>,
}

impl Sent {
    /// Whether this send counts as passed: a response, not an error status (unless the profile
    /// turned that off), and every expectation met.
    pub fn passed(&self) -> bool {
        match &*self.result {
            Ok(ex) => {
                !ex.status_is_error
                    && ex.incomplete.is_none()
                    && self.verdict.as_ref().is_none_or(Verdict::passed)
            }
            Err(_) => false,
        }
    }
}

impl Sent {
    /// A profile that did not prepare: its failure, never recorded.
    pub fn unprepared(profile: Profile, failure: Failure) -> Sent {
        Sent {
            summary: Summary::unprepared(&profile, &failure),
            profile,
            request: None,
            result: Arc::new(Err(failure)),
            not_recorded: None,
            verdict: None,
            missed: Vec::new(),
            taken: Vec::new(),
        }
    }

    /// The variables this send's captures set (those that found nothing are in `missed`).
    pub fn captured(&self) -> Vec<&str> {
        self.profile
            .capture
            .keys()
            .filter(|k| !self.missed.iter().any(|(m, _)| m == *k))
            .map(String::as_str)
            .collect()
    }

    /// The history id, when the send was recorded.
    pub fn recorded_id(&self) -> Option<i64> {
        self.summary.id
    }
}

/// Each capture's value in `ex`, off the async workers and within the profile's timeout (a
/// capture is bounded by its regex's size and the JSON it parses; this bounds the wait too).
async fn take_captures(profile: &Profile, ex: &Exchange) -> Vec<(String, Result<String, Missed>)> {
    let (captures, ex) = (profile.capture.clone(), ex.clone());
    let limit = std::time::Duration::from_secs(u64::from(profile.options.timeout_secs));
    let work =
        tokio::task::spawn_blocking(move || crate::request::capture::take_all(&captures, &ex));
    match tokio::time::timeout(limit, work).await {
        Ok(Ok(found)) => found,
        _ => profile
            .capture
            .keys()
            .map(|k| (k.clone(), Err(Missed::TimedOut)))
            .collect(),
    }
}

/// Sends and records; cheap to clone, shared by every send of a session.
#[derive(Clone)]
pub struct Pipeline {
    transport: Arc<Transport>,
    history: Option<Arc<History>>,
}

impl Pipeline {
    pub fn new(transport: Arc<Transport>, history: Option<Arc<History>>) -> Pipeline {
        Pipeline { transport, history }
    }

    pub fn transport(&self) -> &Arc<Transport> {
        &self.transport
    }

    /// Prepares `profile` with `vars`; a request that cannot be built is an `invalid_request`.
    pub fn prepare(profile: &Profile, vars: &Vars) -> Result<PreparedRequest, Failure> {
        prepare::prepare(profile, vars).map_err(|e| {
            let d = Diagnosis::new(
                DiagnosisKind::InvalidRequest,
                e.to_string(),
                "fix the field named above",
            );
            Failure::plain(match e {
                prepare::PrepareError::Var {
                    source: crate::request::vars::VarError::Unset(name),
                    ..
                } => d.with_step(crate::diagnose::fix::Fix::SetVariable { name }),
                _ => d,
            })
        })
    }

    /// Prepares and sends `profile`; `adjust` sets what the caller decides on the request
    /// (where the body goes). A profile that does not prepare is a `Sent` too, never recorded.
    pub async fn send_profile(
        &self,
        profile: Profile,
        vars: &Vars,
        budget: &Budget,
        adjust: impl FnOnce(&mut PreparedRequest),
    ) -> Sent {
        match Pipeline::prepare(&profile, vars) {
            Ok(mut req) => {
                adjust(&mut req);
                self.send(profile, req, budget).await
            }
            Err(failure) => Sent::unprepared(profile, failure),
        }
    }

    /// Sends a prepared request within `budget` and records it (unless the profile opted out).
    pub async fn send(&self, profile: Profile, req: PreparedRequest, budget: &Budget) -> Sent {
        let result = Arc::new(self.transport.send_within(&req, budget).await);
        // Captures are taken before anything is recorded or judged, so a secret they find in
        // this very response is redacted there too.
        let taken = match &*result {
            Ok(ex) if !profile.capture.is_empty() => take_captures(&profile, ex).await,
            _ => Vec::new(),
        };
        let mut kept = req.clone();
        kept.secrets.extend(
            taken
                .iter()
                .filter(|(k, _)| profile.capture.get(k).is_none_or(|c| c.secret))
                .filter_map(|(_, v)| v.as_ref().ok().cloned()),
        );
        let recorded = match &self.history {
            Some(history) if req.history => {
                let (history, fingerprint) = (history.clone(), self.fingerprint(&req));
                let (p, r, res) = (profile.clone(), kept.clone(), result.clone());
                // SQLite blocks: off the async workers.
                tokio::task::spawn_blocking(move || {
                    let id = history.record_send(&p, &r, &res, fingerprint)?;
                    id.map(|id| history.summary(id)).transpose()
                })
                .await
                .unwrap_or(Ok(None))
            }
            _ => Ok(None),
        };
        let (summary, not_recorded) = match recorded {
            Ok(Some(summary)) => (summary, None),
            Ok(None) => (Summary::unrecorded(&req, &result), None),
            Err(e) => (Summary::unrecorded(&req, &result), Some(e)),
        };
        // A failed expectation quotes what the response held: secrets in it are redacted, for
        // the terminal, the run's lines and its reports alike.
        let verdict = match &*result {
            Ok(ex) if !profile.expect.is_empty() => {
                let mut v = profile.expect.verdict(ex);
                let mut red = Redactor::for_request(&kept);
                red.learn_response(&ex.headers);
                for f in &mut v.failures {
                    *f = red.text(f).into_owned();
                }
                Some(v)
            }
            _ => None,
        };
        Sent {
            profile,
            request: Some(req),
            result,
            summary,
            not_recorded,
            verdict,
            missed: Vec::new(),
            taken,
        }
    }

    /// The rotation / authorization case: the same request with the profile's key and with
    /// `other`, at once; both are recorded.
    pub async fn send_pair(
        &self,
        profile: Profile,
        req: PreparedRequest,
        other: &str,
        budget: &Budget,
    ) -> (Sent, Sent) {
        let mut req_b = req.clone();
        req_b.credential = Some(other.to_string());
        req_b.mutual_tls = true;
        let mut profile_b = profile.clone();
        profile_b.credential = Some(other.to_string());
        if profile_b.options.mutual_tls == Some(false) {
            profile_b.options.mutual_tls = Some(true);
        }
        tokio::join!(
            self.send(profile, req, budget),
            self.send(profile_b, req_b, budget)
        )
    }

    /// The SHA-256 fingerprint of the certificate the request presents, for the history.
    fn fingerprint(&self, req: &PreparedRequest) -> Option<String> {
        let name = req.credential.as_ref().filter(|_| req.mutual_tls)?;
        self.transport
            .credential_info(name)
            .ok()
            .map(|i| i.leaf.sha256)
    }
}
