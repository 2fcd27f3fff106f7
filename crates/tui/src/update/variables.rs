//! Keys in the variables popup: ↑/↓ choose, Enter edits a value for the session (Enter again
//! sets it, Esc leaves it), `n` types a new one, `x` forgets the captured ones.

use super::*;
use crate::state::VarEdit;

pub(super) fn variables_key(
    s: &mut State,
    mut selected: usize,
    mut editing: Option<Box<VarEdit>>,
    k: KeyEvent,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Some(mut line) = editing.take() {
        match k.code {
            KeyCode::Esc => {}
            KeyCode::Enter => {
                let text = line.input.lines().join("");
                let set = match &line.name {
                    Some(name) => Some((name.clone(), text)),
                    None => text
                        .split_once('=')
                        .map(|(n, v)| (n.trim().to_string(), v.to_string())),
                };
                match set {
                    Some((name, value))
                        if engine::home::check_name(engine::home::Named::Variable, &name)
                            .is_ok() =>
                    {
                        effects.push(Effect::SetVariable { name, value })
                    }
                    _ => s.message = Some(Note::Problem(
                        "a new variable is typed as NAME=VALUE (letters, digits, '.', '_', '-')"
                            .into(),
                    )),
                }
            }
            // Ctrl-U empties the line, as in every field.
            KeyCode::Char('u') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                line.input = TextArea::default();
                editing = Some(line);
            }
            _ => {
                line.input.input(k);
                editing = Some(line);
            }
        }
        s.popup = Some(Popup::Variables { selected, editing });
        return effects;
    }
    let n = s.variables.len();
    match k.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('v') => return Vec::new(),
        KeyCode::Down | KeyCode::Char('j') if n > 0 => selected = (selected + 1).min(n - 1),
        KeyCode::Up | KeyCode::Char('k') => selected = selected.saturating_sub(1),
        KeyCode::Enter if n > 0 => {
            if let Some(v) = s.variables.get(selected) {
                // A secret starts empty: its value is never put on screen.
                let start = if v.secret {
                    String::new()
                } else {
                    v.shown.clone()
                };
                let mut input = TextArea::new(vec![start]);
                input.move_cursor(ratatui_textarea::CursorMove::End);
                editing = Some(Box::new(VarEdit {
                    input,
                    name: Some(v.name.clone()),
                }));
            }
        }
        KeyCode::Char('n') => {
            editing = Some(Box::new(VarEdit {
                input: TextArea::default(),
                name: None,
            }))
        }
        KeyCode::Char('x') => effects.push(Effect::ClearSession),
        _ => {}
    }
    s.popup = Some(Popup::Variables { selected, editing });
    effects
}
