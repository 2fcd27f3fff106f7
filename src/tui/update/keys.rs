//! The key picker and the import wizard: their keys, and path completion.

use super::*;

pub(super) fn e_is_password(w: &ImportWizard) -> bool {
    w.error.as_deref().is_some_and(|e| e.contains("password"))
}

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
                s.message = Some((format!("key {name} selected"), false));
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
                        s.message = Some((format!("cannot check: {e}"), true));
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
    match (w.step, k.code) {
        (0, KeyCode::Up | KeyCode::Char('k')) => w.kind = w.kind.saturating_sub(1),
        (0, KeyCode::Down | KeyCode::Char('j')) => w.kind = (w.kind + 1).min(2),
        (0, KeyCode::Enter) => w.step = 1,
        (1, KeyCode::Tab) => complete_path(&mut w),
        (1..=3, KeyCode::Enter) if w.step < 3 => w.step += 1,
        (3, KeyCode::Enter) => {
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
        (1, _) => {
            w.path.input(k);
        }
        (2, _) => {
            w.password.input(k);
        }
        (3, _) => {
            w.name.input(k);
        }
        _ => {}
    }
    s.popup = Some(Popup::Import(w));
    Vec::new()
}

/// Tab completion of the path field from the folder listing (a read of the folder, nothing written).
pub(super) fn complete_path(w: &mut ImportWizard) {
    let typed = w.path.lines().join("");
    let (dir, prefix) = match typed.rfind('/') {
        Some(i) => (typed[..=i].to_string(), typed[i + 1..].to_string()),
        None => (String::new(), typed.clone()),
    };
    let Ok(entries) = std::fs::read_dir(if dir.is_empty() { "." } else { &dir }) else {
        return;
    };
    let mut matches: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix))
        .collect();
    matches.sort();
    if let Some(first) = matches.first() {
        let common = matches.iter().fold(first.clone(), |acc, m| {
            acc.chars()
                .zip(m.chars())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect()
        });
        let mut full = format!("{dir}{common}");
        if matches.len() == 1 && std::path::Path::new(&full).is_dir() {
            full.push('/');
        }
        w.path = ratatui_textarea::TextArea::new(vec![full]);
        w.path.move_cursor(ratatui_textarea::CursorMove::End);
    }
}
