//! A key press: the keys that act everywhere first, then the focused pane's.

use super::*;

pub(super) fn ctrl(k: &KeyEvent, c: char) -> bool {
    k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char(c)
}

pub(super) fn key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    if ctrl(&k, 'c') {
        return request_quit(s);
    }
    if s.popup.is_some() {
        return popup_key(s, k);
    }
    if let Some(effects) = live::live_key(s, &k) {
        return effects;
    }
    if ctrl(&k, 'r') || k.code == KeyCode::F(5) {
        return send(s);
    }
    if ctrl(&k, 's') {
        return save(s);
    }
    if ctrl(&k, 'g') {
        return grpc::open(s);
    }
    if ctrl(&k, 'e') {
        return form::external_edit(s);
    }
    if ctrl(&k, 'p') {
        s.popup = Some(Popup::Palette(Default::default()));
        return Vec::new();
    }
    if k.code == KeyCode::Char('T') && !s.typing() {
        return trust::open(s);
    }
    if ctrl(&k, 'k') {
        s.popup = Some(Popup::Keys {
            selected: 0,
            inspect: false,
            confirm_delete: false,
        });
        return vec![Effect::LoadKeys];
    }
    if k.code == KeyCode::Char('!') && !s.typing() && s.shown().is_some_and(|sh| sh.result.is_err())
    {
        s.popup = Some(Popup::Problem { scroll: 0 });
        return Vec::new();
    }
    if k.code == KeyCode::F(1) || (k.code == KeyCode::Char('?') && !s.typing()) {
        s.popup = Some(Popup::Help);
        return Vec::new();
    }
    // Esc on an event stream (or a WebSocket) that has brought events stops it and keeps them (the send ends
    // normally a moment later); a second Esc, or Esc before any event, cancels the send.
    if k.code == KeyCode::Esc
        && let Some(f) = s
            .in_flight
            .as_ref()
            .filter(|f| (f.events > 0 || f.websocket) && !f.stopping)
    {
        let id = f.id;
        if let Some(f) = s.in_flight.as_mut() {
            f.stopping = true;
        }
        s.message = Some(Note::Info(
            "stopping the stream; the events that arrived are kept (Esc again drops them)".into(),
        ));
        return vec![Effect::StopStream { id }];
    }
    if k.code == KeyCode::Esc && s.in_flight.is_some() {
        let id = s.in_flight.take().map(|f| f.id).unwrap_or_default();
        s.message = Some(Note::Info("request cancelled".into()));
        return vec![Effect::Cancel { id }];
    }
    // 1-4 jump to a pane (profiles, request, response, history); in the request its fields
    // wait for Enter, so the next key is never typed into one.
    if let KeyCode::Char(c @ '1'..='4') = k.code
        && !s.typing()
        && !k.modifiers.contains(KeyModifiers::CONTROL)
    {
        s.focus = Pane::ORDER[c as usize - '1' as usize];
        s.form_idle = s.focus == Pane::Form;
        return Vec::new();
    }
    if k.code == KeyCode::Tab || k.code == KeyCode::BackTab {
        let i = Pane::ORDER.iter().position(|p| *p == s.focus).unwrap_or(0);
        let n = Pane::ORDER.len();
        s.focus = Pane::ORDER[if k.code == KeyCode::Tab {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
        return Vec::new();
    }
    if k.code == KeyCode::Char('q') && !s.typing() {
        return request_quit(s);
    }
    match s.focus {
        Pane::Profiles => profiles_key(s, k),
        Pane::Form => form_key(s, k),
        Pane::Response => response_key(s, k),
        Pane::History => history_key(s, k),
    }
}

pub(super) fn request_quit(s: &mut State) -> Vec<Effect> {
    leave(s, Leave::Quit);
    Vec::new()
}
