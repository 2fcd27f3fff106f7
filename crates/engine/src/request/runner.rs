//! `run`: many profiles in dependency order (`requires`), in parallel up to N, sharing one
//! session and one client per key, trust and route, so each origin costs one handshake.

use crate::request::chain::Unmet;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;

use crate::budget::Budget;
use crate::pipeline::{Pipeline, Sent};
use crate::request::chain::Scope;
use crate::request::profile::Profile;

/// The profiles of a run in waves: each wave needs only profiles of earlier waves.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub waves: Vec<Vec<Profile>>,
}

impl Plan {
    /// Orders `profiles` by their `requires` among themselves (a required profile outside the
    /// run is sent by the chain when needed). Profiles on a loop go first: the chain names the
    /// loop and fails them, and the rest of the run goes on.
    pub fn new(profiles: Vec<Profile>) -> Plan {
        let names: BTreeSet<String> = profiles.iter().map(|p| p.name.clone()).collect();
        let mut wave_of: HashMap<String, usize> = HashMap::new();
        let by_name: HashMap<String, &Profile> =
            profiles.iter().map(|p| (p.name.clone(), p)).collect();
        fn depth(
            name: &str,
            by_name: &HashMap<String, &Profile>,
            names: &BTreeSet<String>,
            wave_of: &mut HashMap<String, usize>,
            path: &mut Vec<String>,
        ) -> Result<usize, Unmet> {
            if let Some(d) = wave_of.get(name) {
                return Ok(*d);
            }
            if path.iter().any(|p| p == name) {
                path.push(name.to_string());
                return Err(Unmet::Loop(path.clone()));
            }
            path.push(name.to_string());
            let mut d = 0;
            if let Some(p) = by_name.get(name) {
                for r in p.requires.iter().filter(|r| names.contains(*r)) {
                    d = d.max(depth(r, by_name, names, wave_of, path)? + 1);
                }
            }
            path.pop();
            wave_of.insert(name.to_string(), d);
            Ok(d)
        }
        for p in &profiles {
            if depth(&p.name, &by_name, &names, &mut wave_of, &mut Vec::new()).is_err() {
                wave_of.entry(p.name.clone()).or_insert(0);
            }
        }
        let mut waves: Vec<Vec<Profile>> = Vec::new();
        for p in profiles {
            let w = wave_of[&p.name];
            if waves.len() <= w {
                waves.resize_with(w + 1, Vec::new);
            }
            waves[w].push(p);
        }
        Plan { waves }
    }

    pub fn len(&self) -> usize {
        self.waves.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One profile's part of a run: its sends (what it required first, then its own), or skipped.
#[derive(Debug)]
pub struct Outcome {
    pub name: String,
    /// Empty when skipped (`--fail-fast` after a failure).
    pub sent: Vec<Sent>,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn skipped(&self) -> bool {
        self.sent.is_empty()
    }

    /// The profile's own send.
    pub fn own(&self) -> Option<&Sent> {
        self.sent.last()
    }

    pub fn passed(&self) -> bool {
        self.own().is_some_and(Sent::passed)
    }
}

/// How a run goes: parallel sends, and whether the first failure stops the rest.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    pub jobs: usize,
    pub fail_fast: bool,
}

impl Pipeline {
    /// Runs the plan; `done` hears each outcome as it finishes (for progress). Outcomes come
    /// back in the plan's order.
    pub async fn run(
        &self,
        plan: Plan,
        scope: &Scope,
        options: RunOptions,
        done: &(dyn Fn(&Outcome) + Send + Sync),
    ) -> Vec<Outcome> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut all = Vec::with_capacity(plan.len());
        let mut warmed: BTreeSet<String> = BTreeSet::new();
        for wave in plan.waves {
            // The first profile for each origin and client goes alone, so its connection exists
            // before the others of that origin start: one handshake per origin, not per job.
            let (first, rest): (Vec<_>, Vec<_>) = wave
                .into_iter()
                .enumerate()
                .partition(|(_, p)| warmed.insert(self.origin_key(p, scope)));
            let mut outcomes: Vec<(usize, Outcome)> = Vec::new();
            for (i, p) in first {
                outcomes.push((i, self.run_one(p, scope, &stop, options, done).await));
            }
            let parallel = futures_util::stream::iter(rest.into_iter().map(|(i, p)| {
                let stop = stop.clone();
                async move { (i, self.run_one(p, scope, &stop, options, done).await) }
            }))
            .buffer_unordered(options.jobs.max(1))
            .collect::<Vec<_>>()
            .await;
            outcomes.extend(parallel);
            outcomes.sort_by_key(|(i, _)| *i);
            all.extend(outcomes.into_iter().map(|(_, o)| o));
        }
        all
    }

    async fn run_one(
        &self,
        profile: Profile,
        scope: &Scope,
        stop: &AtomicBool,
        options: RunOptions,
        done: &(dyn Fn(&Outcome) + Send + Sync),
    ) -> Outcome {
        let name = profile.name.clone();
        if stop.load(Ordering::Relaxed) {
            let o = Outcome {
                name,
                sent: Vec::new(),
                elapsed: Duration::ZERO,
            };
            done(&o);
            return o;
        }
        let started = Instant::now();
        let sent = self
            // An event stream in a run is read to its end or its time limit, events counted.
            .send_chain(profile, scope, &Budget::unlimited(), |req| {
                let mut tap = crate::body::events::EventTap::counting();
                tap.max_events = req.options.max_events;
                req.events = Some(tap);
            })
            .await;
        let o = Outcome {
            name,
            sent,
            elapsed: started.elapsed(),
        };
        if options.fail_fast && !o.passed() {
            stop.store(true, Ordering::Relaxed);
        }
        done(&o);
        o
    }

    /// Which connection a profile will use: its origin and key (unprepared: its own name).
    fn origin_key(&self, profile: &Profile, scope: &Scope) -> String {
        match scope.prepare(profile) {
            Ok(req) => format!(
                "{} {:?} {:?}",
                req.parsed_url().origin().ascii_serialization(),
                req.credential.filter(|_| req.mutual_tls),
                req.trust
            ),
            Err(_) => format!("unprepared {}", profile.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str, requires: &[&str]) -> Profile {
        Profile {
            name: name.into(),
            requires: requires.iter().map(|s| s.to_string()).collect(),
            ..Profile::default()
        }
    }

    #[test]
    fn waves_follow_requires_and_a_loop_is_named() {
        let plan = Plan::new(vec![
            p("accounts", &["get-token"]),
            p("get-token", &[]),
            p("payments", &["accounts", "outside"]),
            p("ping", &[]),
        ]);
        let names: Vec<Vec<&str>> = plan
            .waves
            .iter()
            .map(|w| w.iter().map(|p| p.name.as_str()).collect())
            .collect();
        assert_eq!(
            names,
            vec![
                vec!["get-token", "ping"],
                vec!["accounts"],
                vec!["payments"]
            ]
        );
        // A loop does not stop the plan: its profiles go first, where the chain fails them.
        let plan = Plan::new(vec![p("a", &["b"]), p("b", &["a"]), p("c", &[])]);
        assert_eq!(plan.len(), 3);
        assert_eq!(plan.waves[0].len(), 2, "a (on the loop) and c go first");
    }
}
