//! Keys while a popup is open: help, confirmations, a comparison, the session's variables and a key check.

use super::*;

pub(super) fn popup_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    let Some(popup) = s.popup.take() else {
        return Vec::new();
    };
    match popup {
        Popup::Palette(p) => palette_key(s, p, k),
        Popup::Trust(p) => super::trust::trust_key(s, p, k),
        Popup::OptionText { row, mut input } => {
            match k.code {
                KeyCode::Esc => return Vec::new(),
                KeyCode::Enter => match row.set_text(&mut s.form.base, &input.lines().join("")) {
                    Ok(()) => {
                        s.form.dirty = true;
                        return Vec::new();
                    }
                    Err(e) => s.message = Some(Note::Problem(e)),
                },
                KeyCode::Char('u') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    *input = TextArea::default();
                }
                _ => {
                    input.input(k);
                }
            }
            s.popup = Some(Popup::OptionText { row, input });
            Vec::new()
        }
        Popup::Problem { scroll } => {
            let scroll = match k.code {
                KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('!') | KeyCode::Enter => {
                    return Vec::new();
                }
                KeyCode::Down | KeyCode::Char('j') => scroll + 1,
                KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
                KeyCode::PageDown | KeyCode::Char(' ') => scroll + 10,
                KeyCode::PageUp => scroll.saturating_sub(10),
                _ => scroll,
            };
            s.popup = Some(Popup::Problem { scroll });
            Vec::new()
        }
        Popup::Help | Popup::RawError => {
            if !matches!(
                k.code,
                KeyCode::Esc
                    | KeyCode::Char('q')
                    | KeyCode::Enter
                    | KeyCode::F(1)
                    | KeyCode::Char('?')
                    | KeyCode::Char('r')
            ) {
                s.popup = Some(popup);
            }
            Vec::new()
        }
        Popup::Conflict => match k.code {
            // Reload: the edits give way to the file as it is now.
            KeyCode::Char('r') => {
                s.form.dirty = false;
                vec![Effect::LoadProfiles]
            }
            KeyCode::Char('o') => match s.form.to_profile() {
                Ok(p) => vec![Effect::SaveProfile {
                    profile: Box::new(p),
                    over: None,
                }],
                Err(e) => {
                    s.message = Some(Note::Problem(format!("cannot save: {e}")));
                    Vec::new()
                }
            },
            _ => Vec::new(),
        },
        Popup::Unsaved(to) => {
            match k.code {
                KeyCode::Char('d' | 'y') => go(s, to),
                KeyCode::Char('s') => {
                    let fx = save(s);
                    if !fx.is_empty() {
                        s.after_save = Some(to);
                    }
                    return fx;
                }
                _ => {}
            }
            Vec::new()
        }
        Popup::ConfirmDeleteProfile => match (k.code, s.profiles.selected()) {
            (KeyCode::Char('y'), Some(p)) => vec![Effect::DeleteProfile(p.name.clone())],
            _ => Vec::new(),
        },
        Popup::ConfirmDeleteEntry(id) => match k.code {
            KeyCode::Char('y') => {
                s.history.forget(EntryRef::Stored(id));
                vec![Effect::DeleteEntry(id)]
            }
            _ => Vec::new(),
        },
        Popup::ConfirmClearHistory => match k.code {
            KeyCode::Char('y') => {
                s.history.clear();
                vec![Effect::ClearHistory]
            }
            _ => Vec::new(),
        },
        Popup::Compare(v) => compare_popup(s, k, v),
        Popup::Variables { selected, editing } => {
            super::variables::variables_key(s, selected, editing, k)
        }
        Popup::GrpcMethods(picker) => {
            super::grpc::key(s, picker, k);
            Vec::new()
        }
        Popup::KeyCheck { .. } => {
            s.popup = Some(Popup::Keys {
                selected: 0,
                inspect: false,
                confirm_delete: false,
            });
            Vec::new()
        }
        Popup::Pin { token, mut input } => match k.code {
            KeyCode::Esc => vec![Effect::PinEntered(None)],
            KeyCode::Enter => vec![Effect::PinEntered(Some(input.lines().join("")))],
            _ => {
                input.input(k);
                s.popup = Some(Popup::Pin { token, input });
                Vec::new()
            }
        },
        Popup::RenameProfile(mut input) => match k.code {
            KeyCode::Esc => Vec::new(),
            KeyCode::Enter => {
                let to = input.lines().join("").trim().to_string();
                let from = s
                    .profiles
                    .selected()
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                if let Err(e) = engine::home::check_name(engine::home::Named::Profile, &to) {
                    s.message = Some(Note::Problem(e.to_string()));
                    s.popup = Some(Popup::RenameProfile(input));
                    return Vec::new();
                }
                if s.form.base.name == from {
                    s.form.base.name = to.clone();
                }
                vec![Effect::RenameProfile { from, to }]
            }
            _ => {
                input.input(k);
                s.popup = Some(Popup::RenameProfile(input));
                Vec::new()
            }
        },
        Popup::Keys {
            selected,
            inspect,
            confirm_delete,
        } => keys_popup(s, k, selected, inspect, confirm_delete),
        Popup::Import(w) => import_popup(s, k, w),
    }
}

/// A key in the palette: typing filters, ↑/↓ choose, Enter does the action as its own keys
/// would (in its pane), Esc closes.
fn palette_key(s: &mut State, mut p: crate::palette::Palette, k: KeyEvent) -> Vec<Effect> {
    let n = p.shown().len();
    match k.code {
        KeyCode::Esc => return Vec::new(),
        KeyCode::Enter => {
            let Some(action) = p.shown().get(p.selected).copied() else {
                s.popup = Some(Popup::Palette(p));
                return Vec::new();
            };
            if let Some(pane) = action.pane {
                s.focus = pane;
                // A pane's command keys, not a field's text.
                s.form_idle = true;
            }
            let mut effects = Vec::new();
            for key in action.keys() {
                effects.extend(super::key(s, key));
            }
            return effects;
        }
        KeyCode::Down => p.selected = (p.selected + 1).min(n.saturating_sub(1)),
        KeyCode::Up => p.selected = p.selected.saturating_sub(1),
        KeyCode::Backspace => {
            p.filter.pop();
            p.selected = 0;
        }
        KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
            p.filter.push(c);
            p.selected = 0;
        }
        _ => {}
    }
    s.popup = Some(Popup::Palette(p));
    Vec::new()
}
