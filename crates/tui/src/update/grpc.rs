//! The gRPC method picker: Ctrl-G asks the form's server for its methods; typing filters them,
//! Enter puts the chosen one in the URL and, when the body is empty, its request template in
//! the body.

use super::*;
use crate::state::MethodPicker;
use engine::net::grpc::describe::MethodInfo;

/// Ctrl-G: the picker, when the form's URL is a gRPC one.
pub(super) fn open(s: &mut State) -> Vec<Effect> {
    let profile = match s.form.to_profile() {
        Ok(p) => p,
        Err(e) => {
            s.message = Some(Note::Problem(format!("cannot list methods: {}", e.message)));
            return Vec::new();
        }
    };
    let grpc = profile
        .url
        .split_once("://")
        .is_some_and(|(scheme, _)| engine::request::grpc::is_grpc(scheme));
    if !grpc {
        s.message = Some(Note::Problem(
            "Ctrl-G lists a gRPC server's methods: write its URL as grpcs://HOST:PORT (or grpc:// for plaintext)".into(),
        ));
        return Vec::new();
    }
    s.popup = Some(Popup::GrpcMethods(Box::default()));
    vec![Effect::ListGrpcMethods(Box::new(profile))]
}

/// The server's answer, into the picker still on screen.
pub(super) fn listed(s: &mut State, listed: Result<Vec<MethodInfo>, String>) {
    if let Some(Popup::GrpcMethods(picker)) = &mut s.popup {
        picker.methods = Some(listed);
        picker.selected = 0;
    }
}

/// A key in the picker: type to filter, arrows to move, Enter to pick, Esc to close.
pub(super) fn key(s: &mut State, mut picker: Box<MethodPicker>, k: KeyEvent) {
    match k.code {
        KeyCode::Esc => return,
        KeyCode::Enter => {
            if let Some(m) = picker.shown().get(picker.selected).map(|m| (*m).clone()) {
                pick(s, &m);
                return;
            }
        }
        KeyCode::Down => {
            let n = picker.shown().len();
            picker.selected = (picker.selected + 1).min(n.saturating_sub(1));
        }
        KeyCode::Up => picker.selected = picker.selected.saturating_sub(1),
        KeyCode::Backspace => {
            picker.filter.pop();
            picker.selected = 0;
        }
        KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
            picker.filter.push(c);
            picker.selected = 0;
        }
        _ => {}
    }
    s.popup = Some(Popup::GrpcMethods(picker));
}

/// The method in the URL's path (its scheme, host and port kept as typed), and its request
/// template in the body when the body holds nothing yet.
fn pick(s: &mut State, m: &MethodInfo) {
    let url = s.form.url.lines().join("");
    let (scheme, rest) = url.split_once("://").unwrap_or(("grpcs", url.as_str()));
    let host = rest.split('/').next().unwrap_or_default();
    s.form.url = TextArea::new(vec![format!("{scheme}://{host}/{}", m.method)]);
    s.form.url.move_cursor(ratatui_textarea::CursorMove::End);
    let body = s.form.body.lines().join("\n");
    if body.trim().is_empty() || body.trim() == "{}" {
        s.form.body = TextArea::new(m.template.lines().map(str::to_string).collect());
        s.form.base.body.kind = BodyType::Raw;
    }
    s.form.dirty = true;
    s.form.validate();
    s.message = Some(Note::Info(format!(
        "{}: {}{} -> {}{}",
        m.method,
        if m.client_streaming { "stream " } else { "" },
        m.input,
        if m.server_streaming { "stream " } else { "" },
        m.output
    )));
}
