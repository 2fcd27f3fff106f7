//! Sending from the workbench: the form as a profile, one send in flight at a time (the one
//! before cancelled), a send with two keys, and saving.

use super::*;

/// Starts a send of the form's request; a send already in flight is superseded.
pub fn send(s: &mut State) -> Vec<Effect> {
    let Some(profile) = form_profile(s) else {
        return Vec::new();
    };
    s.message = None;
    take_off(s, profile, |id, profile| Effect::Send {
        id,
        profile,
        save_to: None,
    })
}

/// Sends the form's request with its key and with `other`, then opens the comparison.
pub(super) fn send_pair(s: &mut State, other: String) -> Vec<Effect> {
    let Some(profile) = form_profile(s) else {
        return Vec::new();
    };
    if profile.credential.as_deref() == Some(other.as_str()) {
        s.message = Some(Note::Problem(format!(
            "the form already uses {other}; pick the other key to compare with"
        )));
        s.popup = Some(Popup::Keys {
            selected: 0,
            inspect: false,
            confirm_delete: false,
        });
        return Vec::new();
    }
    s.message = Some(Note::Info(format!(
        "sending with {} and {other}...",
        profile.credential.as_deref().unwrap_or("no key")
    )));
    take_off(s, profile, |id, profile| Effect::SendPair {
        id,
        profile,
        other,
    })
}

/// The form as a profile, or the reason it cannot be sent (shown in the status line).
pub(super) fn form_profile(s: &mut State) -> Option<Profile> {
    match s.form.to_profile() {
        Ok(p) => Some(p),
        Err(e) => {
            s.message = Some(Note::Problem(format!("cannot send: {e}")));
            None
        }
    }
}

/// Puts a new request in flight (cancelling the one before) and makes its effect.
pub(super) fn take_off(
    s: &mut State,
    profile: Profile,
    effect: impl FnOnce(u64, Box<Profile>) -> Effect,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Some(old) = s.in_flight.take() {
        effects.push(Effect::Cancel { id: old.id });
    }
    let id = s.next_id;
    s.next_id += 1;
    s.in_flight = Some(InFlight {
        id,
        started: s.now.instant,
        profile: profile.clone(),
        events: 0,
        unit: "events",
        last_event: String::new(),
        live: crate::live::LiveLog::holding(profile.options.keep_events.map_or(0, |n| n as usize)),
        // Known from the URL as written, or from the first message that passes.
        input_filters: false,
        websocket: ["ws://", "wss://"]
            .iter()
            .any(|p| profile.url.starts_with(p))
            || !profile.websocket.is_empty(),
        input: None,
        stopping: false,
    });
    effects.push(effect(id, Box::new(profile)));
    effects
}

pub(super) fn save(s: &mut State) -> Vec<Effect> {
    match s.form.to_profile() {
        Ok(p) => vec![Effect::SaveProfile {
            profile: Box::new(p),
            over: s.form.stamp,
        }],
        Err(e) => {
            s.message = Some(Note::Problem(format!("cannot save: {e}")));
            Vec::new()
        }
    }
}
