//! The trust picker's keys, and what comes back to it: the list, a server's chain, an add or a
//! delete (an added certificate joins the form's trust).

use super::*;
use crate::trust_picker::{TrustMode, TrustPicker};

/// `T`: the picker, with the trusted certificates read again.
pub(super) fn open(s: &mut State) -> Vec<Effect> {
    s.popup = Some(Popup::Trust(Box::default()));
    vec![Effect::LoadTrusted]
}

/// Adds `name` to the form's trust, or takes it away; said on the picker.
fn toggle(s: &mut State, p: &mut TrustPicker, name: &str) {
    let trust = &mut s.form.base.trust;
    p.said = Some(Ok(match trust.iter().position(|t| t == name) {
        Some(i) => {
            trust.remove(i);
            format!(
                "{} no longer trusts {name} (Ctrl-S saves)",
                s.form.base.name
            )
        }
        None => {
            trust.push(name.to_string());
            format!("{} trusts {name} (Ctrl-S saves)", s.form.base.name)
        }
    }));
    s.form.dirty = true;
}

pub(super) fn trust_key(s: &mut State, mut p: Box<TrustPicker>, k: KeyEvent) -> Vec<Effect> {
    let mut effects = Vec::new();
    let n = p.trusted.as_ref().map_or(0, Vec::len);
    match &mut p.mode {
        TrustMode::ConfirmDelete => {
            if k.code == KeyCode::Char('y')
                && let Some(name) = p.selected_name().map(str::to_string)
            {
                effects.push(Effect::DeleteTrusted(name));
            }
            p.mode = TrustMode::List;
        }
        TrustMode::AddFile(input) => match k.code {
            KeyCode::Esc => p.mode = TrustMode::List,
            KeyCode::Tab => effects.push(Effect::CompletePath(input.lines().join(""))),
            KeyCode::Enter => {
                let path = input.lines().join("").trim().to_string();
                if !path.is_empty() {
                    p.said = None;
                    p.mode = TrustMode::List;
                    effects.push(Effect::AddTrustedFile(path));
                }
            }
            _ => {
                input.input(k);
            }
        },
        TrustMode::FromUrl { chain, selected } => {
            let shown = match chain {
                Some(Ok(list)) => list.len(),
                _ => 0,
            };
            match k.code {
                KeyCode::Esc => p.mode = TrustMode::List,
                KeyCode::Down | KeyCode::Char('j') if shown > 0 => {
                    *selected = (*selected + 1).min(shown - 1)
                }
                KeyCode::Up | KeyCode::Char('k') => *selected = selected.saturating_sub(1),
                KeyCode::Enter => {
                    if let Some(Ok(list)) = chain
                        && let Some(c) = list.get(*selected)
                    {
                        effects.push(Effect::AddTrustedDer {
                            name: c.name.clone(),
                            der: c.der.clone(),
                        });
                        p.said = None;
                        p.mode = TrustMode::List;
                    }
                }
                _ => {}
            }
        }
        TrustMode::List => match k.code {
            KeyCode::Esc | KeyCode::Char('q') => return Vec::new(),
            KeyCode::Down | KeyCode::Char('j') if n > 0 => p.selected = (p.selected + 1).min(n - 1),
            KeyCode::Up | KeyCode::Char('k') => p.selected = p.selected.saturating_sub(1),
            KeyCode::Enter => {
                if let Some(name) = p.selected_name().map(str::to_string) {
                    toggle(s, &mut p, &name);
                }
            }
            KeyCode::Char('a') => {
                p.mode = TrustMode::AddFile(Box::default());
            }
            KeyCode::Char('u') => match s.form.to_profile() {
                Ok(profile) => {
                    p.mode = TrustMode::FromUrl {
                        chain: None,
                        selected: 0,
                    };
                    effects.push(Effect::FetchPresented(Box::new(profile)));
                }
                Err(e) => p.said = Some(Err(e.message)),
            },
            KeyCode::Char('d') if n > 0 => p.mode = TrustMode::ConfirmDelete,
            _ => {}
        },
    }
    s.popup = Some(Popup::Trust(p));
    effects
}

/// What the runner reports to the picker (ignored once it is closed).
pub(super) fn trust_news(s: &mut State, msg: Message) -> Vec<Effect> {
    let Some(Popup::Trust(p)) = &mut s.popup else {
        // An added certificate still joins the form's trust.
        if let Message::TrustChanged {
            added: Some(name), ..
        } = msg
            && !s.form.base.trust.contains(&name)
        {
            s.form.base.trust.push(name);
            s.form.dirty = true;
        }
        return Vec::new();
    };
    match msg {
        Message::TrustedLoaded(list) => {
            p.selected = p.selected.min(list.len().saturating_sub(1));
            p.trusted = Some(list);
            Vec::new()
        }
        Message::ChainPresented(r) => {
            if let TrustMode::FromUrl { chain, selected } = &mut p.mode {
                // The top of the chain first in view: the certificate closest to a root.
                *selected = r.as_ref().map_or(0, |l| l.len().saturating_sub(1));
                *chain = Some(r);
            }
            Vec::new()
        }
        Message::TrustChanged { result, added } => {
            if let Some(name) = added
                && !s.form.base.trust.contains(&name)
            {
                s.form.base.trust.push(name.clone());
                s.form.dirty = true;
                p.said =
                    Some(result.map(|m| {
                        format!("{m}; {} trusts it now (Ctrl-S saves)", s.form.base.name)
                    }));
            } else {
                p.said = Some(result);
            }
            vec![Effect::LoadTrusted]
        }
        _ => Vec::new(),
    }
}
