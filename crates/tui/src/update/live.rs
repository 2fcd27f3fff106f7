//! Keys on a stream in flight, with the response pane focused: follow or pause the live log and
//! scroll it; on a WebSocket, type a message (i), send a saved one (1-9), ping (p), close (x).

use super::*;
use engine::body::messages::Outgoing;

/// The effects of `k` on the stream in flight, or None when the key is not the live log's.
pub(super) fn live_key(s: &mut State, k: &KeyEvent) -> Option<Vec<Effect>> {
    let saved = s
        .in_flight
        .as_ref()
        .map(|f| f.profile.websocket.messages.clone())
        .unwrap_or_default();
    let f = s.in_flight.as_mut()?;
    // The input line takes every key while it is open.
    if let Some(text) = f.input.as_mut() {
        match k.code {
            KeyCode::Esc => f.input = None,
            KeyCode::Enter => {
                let text = f.input.take().unwrap_or_default();
                if f.input_filters {
                    f.live.filter = Some(text).filter(|t| !t.is_empty());
                    f.live.back = 0;
                    f.live.paused = false;
                    return Some(Vec::new());
                }
                let out = typed_message(text);
                f.stopping |= matches!(out, Outgoing::Close { .. });
                return Some(vec![Effect::SendMessage { id: f.id, out }]);
            }
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char('u') if k.modifiers.contains(KeyModifiers::CONTROL) => text.clear(),
            KeyCode::Char(c) => text.push(c),
            _ => {}
        }
        return Some(Vec::new());
    }
    if s.focus != Pane::Response || (f.live.is_empty() && !f.websocket) {
        return None;
    }
    let id = f.id;
    let send = |out| Some(vec![Effect::SendMessage { id, out }]);
    match k.code {
        KeyCode::Char('f') | KeyCode::Char(' ') => {
            f.live.toggle_follow();
            let said = if f.live.paused {
                "paused: new entries are kept but the view stays (f follows again)"
            } else {
                "following the newest"
            };
            s.message = Some(Note::Info(said.into()));
            Some(Vec::new())
        }
        KeyCode::Up | KeyCode::Char('k') => {
            f.live.scroll(true, 1);
            Some(Vec::new())
        }
        KeyCode::Down | KeyCode::Char('j') => {
            f.live.scroll(false, 1);
            Some(Vec::new())
        }
        KeyCode::PageUp => {
            f.live.scroll(true, 10);
            Some(Vec::new())
        }
        KeyCode::PageDown => {
            f.live.scroll(false, 10);
            Some(Vec::new())
        }
        KeyCode::Char('G') | KeyCode::End => {
            f.live.scroll(false, usize::MAX);
            Some(Vec::new())
        }
        KeyCode::Char('i') | KeyCode::Enter if f.websocket && !f.stopping => {
            f.input = Some(String::new());
            f.input_filters = false;
            Some(Vec::new())
        }
        KeyCode::Char('/') => {
            f.input = Some(f.live.filter.clone().unwrap_or_default());
            f.input_filters = true;
            Some(Vec::new())
        }
        KeyCode::Char('p') if f.websocket && !f.stopping => send(Outgoing::Ping),
        KeyCode::Char('x') if f.websocket && !f.stopping => {
            f.stopping = true;
            send(Outgoing::Close {
                code: 1000,
                reason: String::new(),
            })
        }
        KeyCode::Char(c @ '1'..='9') if f.websocket && !f.stopping => {
            let n = c.to_digit(10).unwrap_or(1) as usize;
            match saved.get(n - 1) {
                Some(text) => send(Outgoing::Text(text.clone())),
                None => {
                    s.message = Some(Note::Problem(format!(
                        "the profile has {} saved message{} ([websocket] messages)",
                        saved.len(),
                        if saved.len() == 1 { "" } else { "s" }
                    )));
                    Some(Vec::new())
                }
            }
        }
        _ => None,
    }
}

/// A typed line as a message: `/ping`, `/close [CODE [REASON]]`, else the text as it is
/// (`//text` sends `/text`).
fn typed_message(text: String) -> Outgoing {
    if let Some(rest) = text.strip_prefix("/close") {
        let mut words = rest.trim().splitn(2, ' ');
        let code = words
            .next()
            .and_then(|c| c.parse().ok())
            .filter(|c| (1000..5000).contains(c))
            .unwrap_or(1000);
        let reason = words.next().unwrap_or_default().to_string();
        return Outgoing::Close { code, reason };
    }
    if text == "/ping" {
        return Outgoing::Ping;
    }
    match text.strip_prefix("//") {
        Some(rest) => Outgoing::Text(format!("/{rest}")),
        None => Outgoing::Text(text),
    }
}
