//! Keys in the response pane: scroll, tabs, search, raw, wrap, copy and save.

use super::*;

pub(super) fn response_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    let page = 20;
    if let Some(mut input) = s.body_search.take() {
        match k.code {
            KeyCode::Esc => {}
            KeyCode::Enter => {
                s.search_term = input.lines().join("");
                search(s, false, true);
            }
            _ => {
                input.input(k);
                s.body_search = Some(input);
            }
        }
        return Vec::new();
    }
    match k.code {
        KeyCode::Char('/') => {
            s.resp_tab = RespTab::Body;
            s.body_search = Some(TextArea::new(vec![s.search_term.clone()]));
            if let Some(i) = s.body_search.as_mut() {
                i.move_cursor(ratatui_textarea::CursorMove::End);
            }
        }
        KeyCode::Char('n') => search(s, false, false),
        KeyCode::Char('N') => search(s, true, false),
        KeyCode::Char('z') => {
            s.wrap = !s.wrap;
            s.message = Some(Note::Info(format!(
                "wrap {}",
                if s.wrap { "on" } else { "off" }
            )));
        }
        KeyCode::Char('r') if s.shown().is_some_and(|sh| sh.result.is_ok()) => {
            s.raw = !s.raw;
            if s.raw
                && let Some(sh) = s.shown.as_mut()
                && sh.raw_lines.is_none()
                && let Ok(ex) = &*sh.result
            {
                let text = match std::str::from_utf8(&ex.body) {
                    Ok(_) => ex.body.clone(),
                    Err(_) => bytes::Bytes::from(String::from_utf8_lossy(&ex.body).into_owned()),
                };
                sh.raw_lines = Some(
                    crate::state::BodyLines::plain(text, &engine::budget::Budget::unlimited())
                        .unwrap_or_default(),
                );
            }
            s.scroll = 0;
            s.message = Some(Note::Info(format!(
                "body: {}",
                if s.raw { "raw, as received" } else { "pretty" }
            )));
        }
        KeyCode::Down | KeyCode::Char('j') => s.scroll = s.scroll.saturating_add(1),
        KeyCode::Up | KeyCode::Char('k') => s.scroll = s.scroll.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => s.scroll = s.scroll.saturating_add(page),
        KeyCode::PageUp => s.scroll = s.scroll.saturating_sub(page),
        KeyCode::Home | KeyCode::Char('g') => s.scroll = 0,
        KeyCode::End | KeyCode::Char('G') => {
            s.scroll = s.body_lines().map_or(0, |l| l.len().saturating_sub(page))
        }
        KeyCode::Right | KeyCode::Char('l') => s.resp_tab = cycle(s.resp_tab, 1),
        KeyCode::Left | KeyCode::Char('h') => {
            s.resp_tab = cycle(s.resp_tab, RespTab::ALL.len() - 1)
        }
        KeyCode::Char('r') if s.shown().is_some_and(|sh| sh.result.is_err()) => {
            s.popup = Some(Popup::RawError)
        }
        KeyCode::Char('y') => {
            if let Some(sh) = s.shown() {
                let text = sh.lines.to_text();
                s.message = Some(Note::Info(format!(
                    "copied {} bytes to the clipboard (OSC 52)",
                    text.len()
                )));
                return vec![Effect::Copy(text)];
            }
        }
        KeyCode::Char(c @ ('w' | 'W')) => {
            let shown = s.shown().map(|sh| (sh.profile.clone(), sh.result.clone()));
            if let Some((profile, result)) = shown
                && let Ok(ex) = &*result
            {
                let ext = match ex.view.label() {
                    "json" => "json",
                    "xml" => "xml",
                    "binary" => "bin",
                    _ => "txt",
                };
                let name = format!("certbench-body-{}.{ext}", s.now.hms());
                let cut = ex
                    .incomplete
                    .as_ref()
                    .is_some_and(|d| d.kind == DiagnosisKind::BodyTooLarge);
                let safe_again = matches!(ex.method.as_str(), "GET" | "HEAD");
                // A body cut at the cap is sent again, straight to the file (never held); a
                // request that may change something is sent again only when asked with W.
                if cut && (safe_again || c == 'W') {
                    s.message = Some(Note::Info(format!(
                        "sending again, the body straight to {name} (Esc cancels)"
                    )));
                    return take_off(s, profile, |id, profile| Effect::Send {
                        id,
                        profile,
                        save_to: Some(name),
                    });
                }
                if cut {
                    s.message = Some(Note::Info(format!(
                        "saving the {} bytes held; W sends the {} again, straight to a file",
                        ex.body.len(),
                        ex.method
                    )));
                }
                return vec![Effect::WriteBody {
                    name,
                    bytes: ex.body.clone(),
                }];
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Moves the body view to the next (or previous) line holding the search term.
pub(super) fn search(s: &mut State, back: bool, fresh: bool) {
    if s.search_term.is_empty() {
        s.message = Some(Note::Info("/ starts a search in the body".into()));
        return;
    }
    let from = if fresh {
        s.scroll.saturating_sub(1)
    } else {
        s.scroll
    };
    let found = s
        .body_lines()
        .and_then(|l| l.find(&s.search_term, from, back));
    match found {
        Some(line) => {
            s.scroll = line;
            s.message = Some(Note::Info(format!(
                "/{}  line {}  (n next, N previous)",
                s.search_term,
                line + 1
            )));
        }
        None => s.message = Some(Note::Problem(format!("/{}: not found", s.search_term))),
    }
}

pub(super) fn cycle(t: RespTab, by: usize) -> RespTab {
    let i = RespTab::ALL.iter().position(|x| *x == t).unwrap_or(0);
    RespTab::ALL[(i + by) % RespTab::ALL.len()]
}
