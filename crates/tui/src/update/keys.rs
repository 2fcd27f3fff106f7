//! The key picker and the import wizard: their keys, and path completion.

use super::*;

pub(super) fn keys_popup(
    s: &mut State,
    k: KeyEvent,
    mut selected: usize,
    inspect: bool,
    confirm_delete: bool,
) -> Vec<Effect> {
    let n = s.keys.len();
    let name = s.keys.get(selected).map(|(n, _)| n.clone());
    if confirm_delete {
        if k.code == KeyCode::Char('y')
            && let Some(name) = name
        {
            s.popup = Some(Popup::Keys {
                selected: 0,
                inspect: false,
                confirm_delete: false,
            });
            return vec![Effect::DeleteKey(name)];
        }
        s.popup = Some(Popup::Keys {
            selected,
            inspect: false,
            confirm_delete: false,
        });
        return Vec::new();
    }
    match k.code {
        KeyCode::Esc | KeyCode::Char('q') if !inspect => return Vec::new(),
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('i') if inspect => {}
        KeyCode::Down | KeyCode::Char('j') if n > 0 => selected = (selected + 1).min(n - 1),
        KeyCode::Up | KeyCode::Char('k') => selected = selected.saturating_sub(1),
        KeyCode::Char('i') => {
            s.popup = Some(Popup::Keys {
                selected,
                inspect: true,
                confirm_delete: false,
            });
            return Vec::new();
        }
        KeyCode::Char('d') if n > 0 => {
            s.popup = Some(Popup::Keys {
                selected,
                inspect: false,
                confirm_delete: true,
            });
            return Vec::new();
        }
        KeyCode::Char('a') => {
            s.popup = Some(Popup::Import(Box::default()));
            return Vec::new();
        }
        KeyCode::Char('e') => {
            if let Some(name) = name {
                s.popup = Some(Popup::Keys {
                    selected,
                    inspect,
                    confirm_delete: false,
                });
                return vec![Effect::ExportKey(name)];
            }
        }
        KeyCode::Enter => {
            if let Some(name) = name {
                s.form.base.credential = Some(name.clone());
                s.form.dirty = true;
                s.message = Some(Note::Info(format!("key {name} selected")));
            }
            return Vec::new();
        }
        KeyCode::Char('n') => {
            s.form.base.credential = None;
            s.form.dirty = true;
            return Vec::new();
        }
        KeyCode::Char('c') => {
            if let Some(other) = name {
                return send_pair(s, other);
            }
        }
        KeyCode::Char('t') => {
            if let Some(name) = name {
                let mut profile = match s.form.to_profile() {
                    Ok(p) => p,
                    Err(e) => {
                        s.message = Some(Note::Problem(format!("cannot check: {e}")));
                        return Vec::new();
                    }
                };
                profile.credential = Some(name.clone());
                profile.options.mutual_tls = Some(true);
                s.popup = Some(Popup::KeyCheck {
                    name,
                    url: profile.url.clone(),
                    accepted: None,
                    lines: Vec::new(),
                });
                return vec![Effect::CheckKey(Box::new(profile))];
            }
        }
        _ => {}
    }
    s.popup = Some(Popup::Keys {
        selected,
        inspect: false,
        confirm_delete: false,
    });
    Vec::new()
}

pub(super) fn import_popup(s: &mut State, k: KeyEvent, mut w: Box<ImportWizard>) -> Vec<Effect> {
    if k.code == KeyCode::Esc {
        s.popup = Some(Popup::Keys {
            selected: 0,
            inspect: false,
            confirm_delete: false,
        });
        return Vec::new();
    }
    use ImportStep as S;
    match (w.step, k.code) {
        (S::Kind, KeyCode::Up | KeyCode::Char('k')) => w.kind = w.kind.moved(false),
        (S::Kind, KeyCode::Down | KeyCode::Char('j')) => w.kind = w.kind.moved(true),
        (S::Path, KeyCode::Tab) if w.kind == ImportKind::Pkcs11 => {
            // Cycle through the keys found on the tokens; the first Tab looks for them.
            let typed = w.path.lines().join("");
            let effects = if w.candidates.is_empty() {
                vec![Effect::DiscoverTokens]
            } else {
                let next = w
                    .candidates
                    .iter()
                    .position(|c| *c == typed)
                    .map_or(0, |i| (i + 1) % w.candidates.len());
                w.path = ratatui_textarea::TextArea::new(vec![w.candidates[next].clone()]);
                w.path.move_cursor(ratatui_textarea::CursorMove::End);
                Vec::new()
            };
            s.popup = Some(Popup::Import(w));
            return effects;
        }
        (S::Path, KeyCode::Tab) => {
            let typed = w.path.lines().join("");
            s.popup = Some(Popup::Import(w));
            return vec![Effect::CompletePath(typed)];
        }
        (S::Kind | S::Path | S::Password, KeyCode::Enter) => w.step = w.step.next(),
        (S::Name, KeyCode::Enter) => {
            let field = |t: &ratatui_textarea::TextArea<'static>| t.lines().join("");
            w.busy = true;
            w.error = None;
            let effect = Effect::Import {
                kind: w.kind,
                path: field(&w.path),
                password: field(&w.password),
                name: field(&w.name),
            };
            s.popup = Some(Popup::Import(w));
            return vec![effect];
        }
        (S::Path, _) => {
            w.path.input(k);
        }
        (S::Password, _) => {
            w.password.input(k);
        }
        (S::Name, _) => {
            w.name.input(k);
        }
        (S::Kind, _) => {}
    }
    s.popup = Some(Popup::Import(w));
    Vec::new()
}

/// The keys found on the tokens arrived: the first goes into the field.
pub(super) fn tokens_found(s: &mut State, found: Result<Vec<String>, String>) {
    if let Some(Popup::Import(w)) = &mut s.popup {
        match found {
            Ok(list) if list.is_empty() => {
                w.error = Some("no certificate found on the tokens: type the key's pkcs11: URI (and give the certificate with `certbench keys import --pkcs11 --cert`)".into());
            }
            Ok(list) => {
                w.path = ratatui_textarea::TextArea::new(vec![list[0].clone()]);
                w.path.move_cursor(ratatui_textarea::CursorMove::End);
                w.error = None;
                w.candidates = list;
            }
            Err(e) => w.error = Some(e),
        }
    }
}

/// A completion of the path field arrived; it applies only if the field still holds what was completed.
pub(super) fn path_completed(s: &mut State, typed: &str, completed: String, matches: Vec<String>) {
    if let Some(Popup::Trust(p)) = &mut s.popup
        && let crate::trust_picker::TrustMode::AddFile(input) = &mut p.mode
        && input.lines().join("") == typed
    {
        **input = ratatui_textarea::TextArea::new(vec![completed]);
        input.move_cursor(ratatui_textarea::CursorMove::End);
        return;
    }
    if let Some(Popup::Import(w)) = &mut s.popup
        && w.step == ImportStep::Path
        && w.path.lines().join("") == typed
    {
        w.path = ratatui_textarea::TextArea::new(vec![completed]);
        w.path.move_cursor(ratatui_textarea::CursorMove::End);
        w.matches = matches;
    }
}
