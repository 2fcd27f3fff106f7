//! The runner's sends: one profile (with its requirements), a pair of keys or environments to
//! compare, and a key check; each runs in the background and reports through the channel.

use super::*;
use crate::message::Message;
use crate::state::SendExtras;
use engine::body::events::{EventTap, StreamItem};
use engine::body::messages::{Direction, Outbox};

use crate::live::{LIVE_RING, LiveEntry};
use engine::budget::Budget;
use engine::pipeline::Sent;
use engine::request::profile::Profile;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use tokio::sync::mpsc::UnboundedSender;

impl Runner {
    pub(super) fn send(
        &mut self,
        tx: UnboundedSender<Message>,
        id: u64,
        profile: Box<Profile>,
        save_to: Option<String>,
    ) {
        let (pipeline, scope) = (self.pipeline(), self.scope.clone());
        // Each send of the workbench stands alone: its requirements are sent again
        // unless their captures are still in the session.
        scope.forget_sent();
        let stop = Arc::new(AtomicBool::new(false));
        let budget = Budget::unlimited().cancelled_by(stop.clone());
        // Events of a stream are counted on the status line as they come; the stream itself
        // ends at the profile's timeout with what arrived shown.
        let (events_to, events) = tokio::sync::mpsc::channel::<StreamItem>(256);
        self.rt.spawn(stream_batches(id, events, tx.clone()));
        // Messages typed for a WebSocket; an answer that is not one never reads them.
        let (outbox_to, outbox) = Outbox::channel(16);
        self.outboxes.insert(id, outbox_to);
        let handle = self.rt.spawn(async move {
            let mut sent = pipeline
                .send_chain(*profile, &scope, &budget, |req| {
                    req.save_to = save_to.map(PathBuf::from);
                    // The person ends a stream here (Esc, x): max_events is for send and run.
                    req.events = Some(EventTap::to(events_to, None).sending(outbox));
                })
                .await;
            for s in &mut sent {
                if let Some(r) = s.request.as_mut() {
                    r.events = None;
                }
            }
            let last = sent
                .pop()
                .expect("a chain ends with the profile's own send");
            let extras = SendExtras {
                verdict: last.verdict.clone(),
                chain: sent.iter().map(chain_line).collect(),
                request: last.request.as_ref().map(|r| {
                    Box::new(engine::request::seen::RequestSeen::of(
                        r,
                        engine::request::seen::Seen::Sent,
                    ))
                }),
            };
            let (summary, shown) = shown_of_sent(&tx, last);
            let big = shown.lines.bytes().len() > BIG_BODY;
            let _ = tx.send(Message::Variables(scope.variables()));
            let _ = tx.send(Message::SendDone {
                id,
                result: shown.result,
                lines: shown.lines,
                summary: Box::new(summary),
                extras,
            });
            // After the result is on its way, so the screen does not wait for it.
            if big {
                give_back_memory();
            }
        });
        self.flights.insert(id, (handle, stop));
    }

    pub(super) fn send_pair(
        &mut self,
        tx: UnboundedSender<Message>,
        id: u64,
        profile: Box<Profile>,
        other: String,
    ) {
        let (pipeline, scope) = (self.pipeline(), self.scope.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let budget = Budget::unlimited().cancelled_by(stop.clone());
        let handle = self.rt.spawn(async move {
            let (a, b) = match scope.prepare(&profile) {
                Ok(req) => pipeline.send_pair(*profile, req, &other, &budget).await,
                // Both sides are the same invalid request, each said as such.
                Err(f) => {
                    let mut second = (*profile).clone();
                    second.credential = Some(other);
                    (
                        Sent::unprepared(*profile, f.clone()),
                        Sent::unprepared(second, f),
                    )
                }
            };
            pair_done(&tx, (id, crate::message::Pair::Keys), a, b, |sa, sb| {
                (sa.label(), sb.label())
            })
            .await;
        });
        self.flights.insert(id, (handle, stop));
    }

    pub(super) fn send_env_pair(
        &mut self,
        tx: UnboundedSender<Message>,
        id: u64,
        profile: Box<Profile>,
        other: String,
    ) {
        let (pipeline, scope) = (self.pipeline(), self.scope.clone());
        let stop = Arc::new(AtomicBool::new(false));
        let budget = Budget::unlimited().cancelled_by(stop.clone());
        let handle = self.rt.spawn(async move {
            let pair = match pipeline
                .send_in_two_envs(*profile, &scope, &other, &budget)
                .await
            {
                Ok(p) => p,
                Err(e) => {
                    let _ = tx.send(Message::Compared(Err(e.to_string())));
                    return;
                }
            };
            let here = pair
                .here_env
                .map_or("no environment".to_string(), |e| format!("env {e}"));
            let there = format!("env {}", pair.there_env);
            let of = (id, crate::message::Pair::Environments);
            pair_done(&tx, of, pair.here, pair.there, |sa, sb| {
                (
                    format!("{here} {}", sa.label()),
                    format!("{there} {}", sb.label()),
                )
            })
            .await;
        });
        self.flights.insert(id, (handle, stop));
    }

    pub(super) fn check_key(&mut self, tx: UnboundedSender<Message>, profile: Box<Profile>) {
        let (transport, scope) = (self.transport.clone(), self.scope.clone());
        self.rt.spawn(async move {
            let name = profile.credential.clone().unwrap_or_default();
            let (accepted, lines) =
                match scope.prepare(&profile) {
                    Err(e) => (
                        false,
                        vec![format!("cannot check: {}", e.diagnosis.message)],
                    ),
                    Ok(req) => {
                        use engine::keys::check::CheckOutcome;
                        let report = engine::keys::check::check_key(&transport, &req).await;
                        let mut lines: Vec<String> =
                            report.tls.as_ref().map(|t| t.story()).unwrap_or_default();
                        lines.extend(report.warnings.iter().map(|w| {
                            format!("warning: {} ({})", w.message, crate::fixes::hint(w))
                        }));
                        let word = match report.outcome {
                            CheckOutcome::NotAsked => "NOT ASKED",
                            CheckOutcome::RejectedAtHttp => "REJECTED AT HTTP",
                            CheckOutcome::NotChecked => "NOT CHECKED",
                            _ => "REJECTED",
                        };
                        if report.accepted {
                            lines.push(format!("ACCEPTED: {} accepts key {name}", req.url));
                        } else if let Some(d) = &report.diagnosis {
                            lines.push(format!("{word}: {}", d.message));
                            lines.push(format!("hint: {}", crate::fixes::hint(d)));
                        }
                        (report.accepted, lines)
                    }
                };
            let _ = tx.send(Message::KeyChecked {
                name,
                accepted,
                lines,
            });
        });
    }
}

/// How long the items of a stream gather before they go to the screen as one batch: a flood
/// of events is drawn a few dozen times a second, never once an event.
const BATCH_WINDOW: std::time::Duration = std::time::Duration::from_millis(50);

/// Hands a stream's items to the workbench in batches: each batch holds at most the live log's
/// ring (older ones in it would leave the ring at once), so a flood costs bounded memory.
async fn stream_batches(
    id: u64,
    mut items: tokio::sync::mpsc::Receiver<StreamItem>,
    tx: UnboundedSender<Message>,
) {
    let mut received = 0u64;
    let mut websocket = false;
    while let Some(first) = items.recv().await {
        let mut batch = std::collections::VecDeque::new();
        let mut take = |item: StreamItem, batch: &mut std::collections::VecDeque<LiveEntry>| {
            match &item {
                StreamItem::Event(_) => received += 1,
                StreamItem::Message(m) => {
                    websocket = true;
                    if m.direction == Direction::Received {
                        received += 1;
                    }
                }
            }
            if batch.len() == LIVE_RING {
                batch.pop_front();
            }
            batch.push_back(LiveEntry::of(&item));
        };
        take(first, &mut batch);
        let window = tokio::time::sleep(BATCH_WINDOW);
        tokio::pin!(window);
        loop {
            tokio::select! {
                next = items.recv() => match next {
                    Some(item) => take(item, &mut batch),
                    None => break,
                },
                () = &mut window => break,
            }
        }
        let sent = tx.send(Message::StreamBatch {
            id,
            received,
            websocket,
            entries: batch.into(),
        });
        if sent.is_err() {
            return;
        }
    }
}
