//! Keys in the profiles pane: filter, open, new, duplicate, rename, delete.

use super::*;
use crate::state::FilterKey;

pub(super) fn profiles_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    if s.profiles.filter().is_typing() {
        return filter_key(s, k);
    }
    let n = s.profiles.items().len();
    match k.code {
        KeyCode::Down | KeyCode::Char('j') => step(s, true),
        KeyCode::Up | KeyCode::Char('k') => step(s, false),
        KeyCode::Char('/') => s.profiles.filter_mut().start(),
        KeyCode::Esc if !s.profiles.filter().applied().is_empty() => {
            s.profiles.filter_mut().clear();
            s.message = Some(Note::Info("filter cleared: every profile is listed".into()));
        }
        KeyCode::Enter | KeyCode::Char('i') => {
            match s.profiles.selected().map(|p| p.result.clone()) {
                // The form's own profile: back to its edits, whatever they are.
                Some(Ok(p)) if s.form.base.name == p.name => {
                    s.focus = Pane::Form;
                    s.field = Field::Url;
                    s.form_idle = false;
                }
                Some(Ok(p)) => leave(s, Leave::Open(p.name)),
                Some(Err(e)) => s.message = Some(Note::Problem(e.to_string())),
                None => {}
            }
        }
        KeyCode::Char('n') => leave(s, Leave::New),
        KeyCode::Char('c') => {
            if let Ok(mut p) = s.form.to_profile() {
                p.name = format!("{}-copy", p.name);
                s.form = Form::from_profile(&p);
                s.form.dirty = true;
            }
        }
        KeyCode::Char('d') if n > 0 => s.popup = Some(Popup::ConfirmDeleteProfile),
        KeyCode::Char('e') if s.envs.is_empty() => {
            s.message = Some(Note::Info(format!(
                "no environments: add {}/environments/NAME.toml holding [vars] base_url = \"...\"",
                s.profiles_dir.display()
            )));
        }
        KeyCode::Char('e') => return vec![Effect::SwitchEnv(next_env(s))],
        KeyCode::Char('E') => {
            let Some(other) = next_env(s) else {
                s.message = Some(Note::Problem(
                    "E compares the form in this environment and the next: add environments/NAME.toml".into(),
                ));
                return Vec::new();
            };
            return match s.form.to_profile() {
                Ok(profile) => take_off(s, profile, |id, profile| Effect::SendEnvPair {
                    id,
                    profile,
                    other,
                }),
                Err(e) => {
                    s.message = Some(Note::Problem(e.message));
                    Vec::new()
                }
            };
        }
        KeyCode::Char('v') => {
            s.popup = Some(Popup::Variables {
                selected: 0,
                editing: None,
            });
            return vec![Effect::LoadVariables];
        }
        KeyCode::Char('p') => show_request(s),
        KeyCode::Char('r') if n > 0 => {
            let name = s.profiles.selected().map(|p| p.name.clone());
            let mut input = TextArea::new(vec![name.unwrap_or_default()]);
            input.move_cursor(ratatui_textarea::CursorMove::End);
            s.popup = Some(Popup::RenameProfile(Box::new(input)));
        }
        _ => {}
    }
    Vec::new()
}

/// A key while the filter is typed: the list narrows as it is typed; Enter keeps the filter,
/// Esc drops it; ↑/↓ still move the selection.
fn filter_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    match s.profiles.filter_mut().key(k) {
        FilterKey::Passed => step(s, k.code == KeyCode::Down),
        FilterKey::Typed if s.profiles.keep_in_view() => show_selected(s),
        _ => {}
    }
    Vec::new()
}

/// The selection one row down (or up) among the profiles listed, shown in the form.
pub(super) fn step(s: &mut State, down: bool) {
    if s.profiles.step(down) {
        show_selected(s);
    }
}

/// The selected profile, shown in the form as the selection moves (focus stays in the list);
/// a form with unsaved edits is kept, and said.
pub(super) fn show_selected(s: &mut State) {
    let Some(Ok(p)) = s.profiles.selected().map(|p| &p.result) else {
        return;
    };
    if s.form.base.name == p.name {
        return;
    }
    if s.form.dirty {
        s.message = Some(Note::Info(format!(
            "{} has unsaved edits: Ctrl-S saves them; Enter opens {} (and asks what to do with them)",
            s.form.base.name, p.name
        )));
        return;
    }
    fill_form(s, s.profiles.selected_index());
}

/// `p`: the Request tab, with the form's request as it would be sent now.
pub(super) fn show_request(s: &mut State) {
    s.focus = Pane::Response;
    s.resp_tab = RespTab::Request;
    s.scroll = 0;
    // Prepared again even when the form did not change: the environment or keys may have.
    s.previewed = None;
    s.preview_over = true;
}

/// The environment after the one in use, in name order, then none again.
pub(super) fn next_env(s: &State) -> Option<String> {
    match &s.env.name {
        None => s.envs.first().cloned(),
        Some(cur) => s.envs.iter().skip_while(|e| *e != cur).nth(1).cloned(),
    }
}
