//! fn update(&mut State, Message) -> Vec<Effect>: every state change happens here, with no I/O.

use engine::diagnose::kind::DiagnosisKind;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};
use ratatui_textarea::TextArea;

use engine::history::redact;
use engine::request::profile::{BodyType, METHODS, Profile};

use super::message::{After, Message};
use crate::state::{
    EntryRef, Field, Form, FormTab, ImportKind, ImportStep, ImportWizard, InFlight, Leave, Note,
    Pane, Popup, RespTab, Shown, State,
};

mod compare;
mod form;
mod grpc;
mod history;
mod keyboard;
mod keys;
mod leaving;
mod live;
mod mouse;
mod popup;
mod profiles;
mod response;
mod sending;
mod trust;
mod variables;

use compare::*;
use form::*;
use history::*;
use keyboard::*;
use keys::*;
use leaving::*;
use mouse::*;
use popup::*;
use profiles::*;
use response::*;
pub use sending::send;
use sending::*;

pub use super::effects::{Effect, Side};

pub fn update(s: &mut State, msg: Message) -> Vec<Effect> {
    let effects = handle(s, msg);
    expire_message(s);
    effects
}

/// The most keys held while the profiles are read (a paste of keys beyond it is dropped).
const EARLY_KEYS: usize = 64;

/// How long a message stays on the status line before the pane's key bar is back (a key
/// brings it back sooner); a problem stays longer.
const MESSAGE_SECS: f64 = 5.0;
const PROBLEM_SECS: f64 = 10.0;

/// A message is timed from when it first shows; once its time is up it leaves.
fn expire_message(s: &mut State) {
    let Some(note) = &s.message else {
        s.message_since = None;
        return;
    };
    match &s.message_since {
        Some((shown, since)) if shown == note => {
            let limit = if note.is_problem() {
                PROBLEM_SECS
            } else {
                MESSAGE_SECS
            };
            if s.now.secs_since(*since) >= limit {
                s.message = None;
                s.message_since = None;
            }
        }
        _ => s.message_since = Some((note.clone(), s.now.instant)),
    }
}

fn handle(s: &mut State, msg: Message) -> Vec<Effect> {
    match msg {
        Message::Tick(now) => {
            s.now = now;
            s.spinner = s.spinner.wrapping_add(1);
            Vec::new()
        }
        Message::Resize(w, h) => {
            s.size = (w, h);
            Vec::new()
        }
        Message::Quit { .. } => {
            s.quit = true;
            Vec::new()
        }
        Message::Mouse(m) => mouse(s, m),
        Message::SendDone {
            id,
            result,
            lines,
            summary,
            extras,
        } => {
            let Some(flight) = s.in_flight.take_if(|f| f.id == id) else {
                return Vec::new();
            };
            if let Ok(ex) = &*result
                && let Some(path) = &ex.saved_to
            {
                s.message = Some(Note::Info(format!(
                    "wrote {} bytes to {path}",
                    ex.decoded_size
                )));
            }
            if let Ok(ex) = &*result
                && let Some(stream) = &ex.stream
            {
                s.message = Some(Note::Info(crate::fixes::stream_words(
                    stream,
                    ex.stream_kind(),
                )));
            }
            let mut said = extras.chain.clone();
            if let Some(v) = &extras.verdict {
                said.push(v.summary());
            }
            if !said.is_empty() {
                let text = said.join("; ");
                s.message = Some(match &extras.verdict {
                    Some(v) if !v.passed() => Note::Problem(text),
                    _ => Note::Info(text),
                });
            }
            let shown = Shown {
                profile: flight.profile,
                // Numbered by add_row, once it knows whether the send was recorded.
                id: EntryRef::Local(0),
                result,
                lines,
                raw_lines: None,
                verdict: extras.verdict,
                request: extras.request,
            };
            add_row(s, *summary, shown);
            // What it required first is in the store too: show it.
            if extras.chain.is_empty() {
                Vec::new()
            } else {
                vec![Effect::LoadHistory(
                    s.history.filter().applied().to_string(),
                )]
            }
        }
        Message::EnvSwitched(r) => {
            match r {
                Ok(env) => {
                    s.message = Some(Note::Info(match &env.name {
                        Some(n) => format!("environment {n}: its variables and defaults apply"),
                        None => "no environment".into(),
                    }));
                    s.env = env;
                }
                Err(e) => s.message = Some(Note::Problem(e)),
            }
            Vec::new()
        }
        Message::Surroundings { envs, bindings } => {
            s.envs = envs;
            s.bindings = bindings;
            Vec::new()
        }
        Message::KeysChanged => vec![Effect::LoadKeys],
        Message::TokensFound(found) => {
            tokens_found(s, found);
            Vec::new()
        }
        Message::PinNeeded { token } => {
            let mut input = TextArea::default();
            input.set_mask_char('*');
            s.popup = Some(Popup::Pin {
                token,
                input: Box::new(input),
            });
            Vec::new()
        }
        Message::Variables(vars) => {
            s.variables = vars;
            Vec::new()
        }
        Message::PairDone {
            id,
            of,
            sends,
            compare,
        } => {
            if s.in_flight.take_if(|f| f.id == id).is_none() {
                return Vec::new();
            }
            for (summary, shown) in sends {
                add_row(s, summary, shown);
            }
            let same = compare.cmp.is_equal();
            s.message = Some(Note::Info(
                match (of, same) {
                    (crate::message::Pair::Keys, true) => "sent with both keys: the same answer",
                    (crate::message::Pair::Keys, false) => {
                        "sent with both keys: the answers differ"
                    }
                    (crate::message::Pair::Environments, true) => {
                        "sent in both environments: the same answer"
                    }
                    (crate::message::Pair::Environments, false) => {
                        "the two environments answer differently"
                    }
                }
                .into(),
            ));
            s.popup = Some(Popup::Compare(compare));
            Vec::new()
        }
        Message::HistoryLoaded(r) => {
            match r {
                Ok(rows) => s.history.loaded(rows),
                Err(e) => s.message = Some(Note::Problem(e)),
            }
            Vec::new()
        }
        Message::EntryLoaded { then, result } => {
            let shown = match result {
                Ok(shown) => shown,
                Err(e) => {
                    s.message = Some(Note::Problem(e));
                    return Vec::new();
                }
            };
            match then {
                After::Show => {
                    s.shown = Some(shown);
                    s.preview_over = false;
                    s.scroll = 0;
                    Vec::new()
                }
                After::Form | After::Rerun => {
                    let live = (s.profiles.items().iter())
                        .find(|p| p.name == shown.profile.name)
                        .and_then(|p| p.result.as_ref().ok());
                    let profile = redact::restore(&shown.profile, live);
                    s.form = Form::from_profile(&profile);
                    s.form.dirty = true;
                    if then == After::Rerun {
                        send(s)
                    } else {
                        s.focus = Pane::Form;
                        Vec::new()
                    }
                }
            }
        }
        Message::Compared(r) => {
            match r {
                Ok(view) => {
                    s.message = None;
                    s.popup = Some(Popup::Compare(view));
                }
                Err(e) => s.message = Some(Note::Problem(e)),
            }
            Vec::new()
        }
        Message::KeyChecked {
            name,
            accepted,
            lines,
        } => {
            // Only into the probe still on screen (not one closed or started for another key).
            if let Some(Popup::KeyCheck {
                name: n,
                accepted: a,
                lines: l,
                ..
            }) = &mut s.popup
                && *n == name
            {
                *a = Some(accepted);
                *l = lines;
            }
            Vec::new()
        }
        Message::GrpcMethods(listed) => {
            grpc::listed(s, listed);
            Vec::new()
        }
        Message::HistoryNote(n) | Message::MessageNotSent(n) => {
            s.message = Some(Note::Problem(n));
            Vec::new()
        }
        Message::ProfilesListed(names) => {
            s.profiles.names_listed(names);
            Vec::new()
        }
        Message::ProfilesLoaded(list) => {
            // The selection follows the form's profile (a new one just saved stays open).
            let follow = s.form.base.name.clone();
            s.profiles.loaded(list, &follow);
            let on_disk = s
                .profiles
                .selected()
                .filter(|p| p.name == s.form.base.name)
                .map(|p| p.stamp);
            if !s.form.dirty {
                // Unmodified in the form: what is on disk now is shown.
                fill_form(s, s.profiles.selected_index());
            } else if let Some(now) = on_disk
                && s.form.stamp.is_some()
                && now != s.form.stamp
            {
                s.message = Some(Note::Info(format!(
                    "{} changed on disk since you opened it; Ctrl-S will ask to reload or overwrite",
                    s.form.base.name
                )));
            }
            // The keys typed while they were read, in order, now that the form is filled.
            let early = std::mem::take(&mut s.early_keys);
            early
                .into_iter()
                .flat_map(|k| update(s, Message::Key(k)))
                .collect()
        }
        Message::SaveConflict => {
            s.after_save = None;
            s.popup = Some(Popup::Conflict);
            Vec::new()
        }
        Message::FocusGained => vec![Effect::LoadProfiles],
        Message::StreamBatch {
            id,
            received,
            websocket,
            entries,
        } => {
            if let Some(f) = s.in_flight.as_mut().filter(|f| f.id == id) {
                f.events = received;
                f.websocket |= websocket;
                f.unit = if f.websocket { "messages" } else { "events" };
                if let Some(last) = entries
                    .iter()
                    .rev()
                    .find(|e| e.flow != crate::live::Flow::Sent)
                {
                    f.last_event = last.short();
                }
                f.live.extend(entries);
            }
            Vec::new()
        }
        Message::KeysLoaded(keys) => {
            s.keys = keys;
            s.banner = expiry_banner(s);
            Vec::new()
        }
        Message::Saved(r) => {
            let saved = r.is_ok();
            note(s, r);
            // A failed save keeps the edits and stays where it is.
            let then = s.after_save.take();
            if saved {
                s.form.dirty = false;
                if let Some(to) = then {
                    go(s, to);
                }
            }
            vec![Effect::LoadProfiles]
        }
        Message::Deleted(r) => {
            note(s, r);
            vec![
                Effect::LoadProfiles,
                Effect::LoadKeys,
                Effect::LoadHistory(s.history.filter().applied().to_string()),
            ]
        }
        Message::Wrote(r) => {
            note(s, r);
            Vec::new()
        }
        Message::CurlFilesPlaced { key, trust, said } => {
            // The form names what the keystore really holds, never a name guessed from a file.
            s.form.base.credential = key;
            s.form.base.trust = trust.into_iter().collect();
            s.message = Some(Note::Info(said));
            vec![Effect::LoadKeys]
        }
        Message::Imported(r) => match r {
            Ok(m) => {
                s.popup = Some(Popup::Keys {
                    selected: 0,
                    inspect: false,
                    confirm_delete: false,
                });
                s.message = Some(Note::Info(m));
                vec![Effect::LoadKeys]
            }
            Err(e) => {
                if let Some(Popup::Import(w)) = &mut s.popup {
                    w.busy = false;
                    w.error = Some(e.message);
                    w.step = e.step;
                }
                Vec::new()
            }
        },
        Message::PathCompleted {
            typed,
            completed,
            matches,
        } => {
            path_completed(s, &typed, completed, matches);
            Vec::new()
        }
        Message::Key(k) if k.kind == KeyEventKind::Release => Vec::new(),
        // Keys typed while the profiles are read (the first few milliseconds) wait for them:
        // Ctrl-R then sends the profile on screen, never the empty form under it.
        Message::Key(k) if s.profiles.reading() && !ctrl(&k, 'c') => {
            if s.early_keys.len() < EARLY_KEYS {
                s.early_keys.push(k);
            }
            Vec::new()
        }
        Message::Key(k) => {
            // A message lasts until the next key: then the pane's key bar is back.
            s.message = None;
            let mut effects = key(s, k);
            effects.extend(preview(s));
            effects
        }
        msg @ (Message::TrustedLoaded(_)
        | Message::ChainPresented(_)
        | Message::TrustChanged { .. }) => trust::trust_news(s, msg),
        Message::Edited { target, result } => {
            form::edited(s, target, result);
            Vec::new()
        }
        Message::Previewed(r) => {
            s.preview = Some(r);
            Vec::new()
        }
        Message::Paste(text) => form::paste(s, &text),
    }
}

/// While the Request tab is chosen, the form's request is prepared again whenever the form
/// holds a different profile than the last one prepared.
fn preview(s: &mut State) -> Option<Effect> {
    if s.resp_tab != RespTab::Request {
        return None;
    }
    let profile = match s.form.to_profile() {
        Ok(p) => p,
        Err(e) => {
            s.preview = Some(Err(e.message));
            s.previewed = None;
            return None;
        }
    };
    if s.previewed.as_ref() == Some(&profile) {
        return None;
    }
    // A change after a first preview is an edit (or another profile): the preview then
    // stands for the form, not the response shown.
    if s.previewed.is_some() || s.shown.is_none() {
        s.preview_over = true;
    }
    s.previewed = Some(profile.clone());
    Some(Effect::Preview(Box::new(profile)))
}

fn note(s: &mut State, r: Result<String, String>) {
    s.message = Some(match r {
        Ok(m) => Note::Info(m),
        Err(e) => Note::Problem(e),
    });
}

/// A banner when a key used by a profile is near its end (`expiry_days`, or a third of a
/// short-lived certificate's life).
fn expiry_banner(s: &State) -> Option<String> {
    let mut soon = Vec::new();
    for p in s
        .profiles
        .items()
        .iter()
        .filter_map(|p| p.result.as_ref().ok())
    {
        if let Some(name) = &p.credential
            && let Some(info) = s.key_info(name)
            && info.leaf.renew_soon(s.expiry_days)
            && !soon.iter().any(|(n, _): &(String, String)| n == name)
        {
            soon.push((name.clone(), info.leaf.expiry_words()));
        }
    }
    (!soon.is_empty()).then(|| {
        format!(
            "key {}",
            soon.iter()
                .map(|(n, w)| format!("{n} {w}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}
