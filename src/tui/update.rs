//! fn update(&mut State, Message) -> Vec<Effect>: every state change happens here, with no I/O.

use crate::core::kind::DiagnosisKind;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};
use ratatui_textarea::TextArea;

use crate::core::diagnose::Failure;
use crate::core::exchange::Exchange;
use crate::core::profile::{BodyType, METHODS, Profile};
use crate::core::redact;

use super::message::{After, Message};
use super::state::{
    Field, Form, FormTab, HistoryRow, ImportWizard, InFlight, Pane, Popup, RespTab, Shown, State,
};

/// One side of a comparison: an entry in the store, or a result held in memory.
#[derive(Debug, Clone)]
pub enum Side {
    Stored(i64),
    Held(Arc<Result<Exchange, Failure>>),
}

impl PartialEq for Side {
    fn eq(&self, other: &Side) -> bool {
        match (self, other) {
            (Side::Stored(a), Side::Stored(b)) => a == b,
            (Side::Held(a), Side::Held(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// Work for the effects runner; results come back as Messages.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Send {
        id: u64,
        profile: Box<Profile>,
        /// Stream the body into this file instead of holding it (`w` on a body over the cap).
        save_to: Option<String>,
    },
    Cancel {
        id: u64,
    },
    LoadProfiles,
    LoadKeys,
    SaveProfile(Box<Profile>),
    DeleteProfile(String),
    Import {
        kind: usize,
        path: String,
        password: String,
        name: String,
    },
    DeleteKey(String),
    Copy(String),
    WriteBody {
        name: String,
        bytes: bytes::Bytes,
    },
    ExportKey(String),
    /// Read the history list with this filter line.
    LoadHistory(String),
    OpenEntry {
        id: i64,
        then: After,
    },
    DeleteEntry(i64),
    ClearHistory,
    Compare {
        a: Side,
        b: Side,
        labels: (String, String),
        ignore: Vec<String>,
    },
    /// The same request with the profile's key and with `other`, then compared.
    SendPair {
        id: u64,
        profile: Box<Profile>,
        other: String,
    },
    RenameProfile {
        from: String,
        to: String,
    },
    /// Handshake-only probe of the profile's key (`keys check` from the picker).
    CheckKey(Box<Profile>),
}

pub const OPTION_ROWS: usize = 11;

pub fn update(s: &mut State, msg: Message) -> Vec<Effect> {
    match msg {
        Message::Tick => {
            s.spinner = s.spinner.wrapping_add(1);
            Vec::new()
        }
        Message::Resize(w, h) => {
            s.size = (w, h);
            Vec::new()
        }
        Message::Quit { .. } => {
            s.quit = true;
            Vec::new()
        }
        Message::Mouse(m) => mouse(s, m),
        Message::SendDone {
            id,
            result,
            lines,
            summary,
        } => {
            let Some(flight) = s.in_flight.take_if(|f| f.id == id) else {
                return Vec::new();
            };
            if let Ok(ex) = &*result
                && let Some(path) = &ex.saved_to
            {
                s.message = Some((format!("wrote {} bytes to {path}", ex.decoded_size), false));
            }
            let shown = Shown {
                profile: flight.profile,
                id: summary.id,
                result,
                lines,
                raw_lines: None,
            };
            add_row(s, *summary, shown);
            Vec::new()
        }
        Message::PairDone { id, sends, compare } => {
            if s.in_flight.take_if(|f| f.id == id).is_none() {
                return Vec::new();
            }
            for (summary, shown) in sends {
                add_row(s, summary, shown);
            }
            s.message = Some((
                format!(
                    "sent with both keys: {}",
                    if compare.cmp.is_equal() {
                        "same answer"
                    } else {
                        "the answers differ"
                    }
                ),
                false,
            ));
            s.popup = Some(Popup::Compare(compare));
            Vec::new()
        }
        Message::HistoryLoaded(r) => {
            match r {
                Ok(rows) => {
                    // Sends that are not in the store stay listed for this session.
                    let held: Vec<HistoryRow> =
                        s.history.drain(..).filter(|r| r.summary.id < 0).collect();
                    s.history = held
                        .into_iter()
                        .chain(rows.into_iter().map(|summary| HistoryRow {
                            summary,
                            held: None,
                        }))
                        .collect();
                    s.history
                        .sort_by_key(|r| std::cmp::Reverse(r.summary.at_ms));
                    s.history_selected = s.history_selected.min(s.history.len().saturating_sub(1));
                }
                Err(e) => s.message = Some((e, true)),
            }
            Vec::new()
        }
        Message::EntryLoaded { then, result } => {
            let shown = match result {
                Ok(shown) => shown,
                Err(e) => {
                    s.message = Some((e, true));
                    return Vec::new();
                }
            };
            match then {
                After::Show => {
                    s.shown = Some(shown);
                    s.scroll = 0;
                    Vec::new()
                }
                After::Form | After::Rerun => {
                    let live = s
                        .profiles
                        .iter()
                        .find(|p| p.name == shown.profile.name)
                        .and_then(|p| p.result.as_ref().ok());
                    let profile = redact::restore(&shown.profile, live);
                    s.form = Form::from_profile(&profile);
                    s.form.dirty = true;
                    if then == After::Rerun {
                        send(s)
                    } else {
                        s.focus = Pane::Form;
                        Vec::new()
                    }
                }
            }
        }
        Message::Compared(r) => {
            match r {
                Ok(view) => {
                    s.message = None;
                    s.popup = Some(Popup::Compare(view));
                }
                Err(e) => s.message = Some((e, true)),
            }
            Vec::new()
        }
        Message::KeyChecked {
            name,
            accepted,
            lines,
        } => {
            // Only into the probe still on screen (not one closed or started for another key).
            if let Some(Popup::KeyCheck {
                name: n,
                accepted: a,
                lines: l,
                ..
            }) = &mut s.popup
                && *n == name
            {
                *a = Some(accepted);
                *l = lines;
            }
            Vec::new()
        }
        Message::HistoryNote(n) => {
            s.message = Some((n, true));
            Vec::new()
        }
        Message::ProfilesLoaded(list) => {
            s.profiles = list;
            s.selected_profile = s.selected_profile.min(s.profiles.len().saturating_sub(1));
            if !s.form.dirty
                && let Some(Ok(p)) = s.profiles.get(s.selected_profile).map(|p| p.result.clone())
            {
                s.form = Form::from_profile(&p);
            }
            Vec::new()
        }
        Message::KeysLoaded(keys) => {
            s.keys = keys;
            s.banner = expiry_banner(s);
            Vec::new()
        }
        Message::Saved(r) => {
            if r.is_ok() {
                s.form.dirty = false;
            }
            note(s, r);
            vec![Effect::LoadProfiles]
        }
        Message::Deleted(r) => {
            note(s, r);
            vec![
                Effect::LoadProfiles,
                Effect::LoadKeys,
                Effect::LoadHistory(s.history_query.clone()),
            ]
        }
        Message::Wrote(r) => {
            note(s, r);
            Vec::new()
        }
        Message::Imported(r) => match r {
            Ok(m) => {
                s.popup = Some(Popup::Keys {
                    selected: 0,
                    inspect: false,
                    confirm_delete: false,
                });
                s.message = Some((m, false));
                vec![Effect::LoadKeys]
            }
            Err(e) => {
                if let Some(Popup::Import(w)) = &mut s.popup {
                    w.busy = false;
                    w.error = Some(e);
                    w.step = if e_is_password(w) { 2 } else { 1 };
                }
                Vec::new()
            }
        },
        Message::Key(k) if k.kind == KeyEventKind::Release => Vec::new(),
        Message::Key(k) => key(s, k),
    }
}

fn e_is_password(w: &ImportWizard) -> bool {
    w.error.as_deref().is_some_and(|e| e.contains("password"))
}

fn note(s: &mut State, r: Result<String, String>) {
    s.message = Some(match r {
        Ok(m) => (m, false),
        Err(e) => (e, true),
    });
}

fn clock() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!(
        "{:02}:{:02}:{:02}",
        (secs / 3600) % 24,
        (secs / 60) % 60,
        secs % 60
    )
}

/// A banner when a key used by a profile expires within 30 days.
fn expiry_banner(s: &State) -> Option<String> {
    let mut soon = Vec::new();
    for p in s.profiles.iter().filter_map(|p| p.result.as_ref().ok()) {
        if let Some(name) = &p.credential
            && let Some(info) = s.key_info(name)
            && info.leaf.days_left() < crate::core::certinfo::EXPIRY_WARNING_DAYS
            && !soon.iter().any(|(n, _): &(String, String)| n == name)
        {
            soon.push((name.clone(), info.leaf.expiry_words()));
        }
    }
    (!soon.is_empty()).then(|| {
        format!(
            "key {}",
            soon.iter()
                .map(|(n, w)| format!("{n} {w}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })
}

fn ctrl(k: &KeyEvent, c: char) -> bool {
    k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char(c)
}

fn key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    if ctrl(&k, 'c') {
        return request_quit(s);
    }
    if s.popup.is_some() {
        return popup_key(s, k);
    }
    if ctrl(&k, 'r') || k.code == KeyCode::F(5) {
        return send(s);
    }
    if ctrl(&k, 's') {
        return save(s);
    }
    if ctrl(&k, 'k') {
        s.popup = Some(Popup::Keys {
            selected: 0,
            inspect: false,
            confirm_delete: false,
        });
        return vec![Effect::LoadKeys];
    }
    if k.code == KeyCode::F(1) || (k.code == KeyCode::Char('?') && !s.typing()) {
        s.popup = Some(Popup::Help);
        return Vec::new();
    }
    if k.code == KeyCode::Esc && s.in_flight.is_some() {
        let id = s.in_flight.take().map(|f| f.id).unwrap_or_default();
        s.message = Some(("request cancelled".into(), false));
        return vec![Effect::Cancel { id }];
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

fn request_quit(s: &mut State) -> Vec<Effect> {
    if s.form.dirty {
        s.popup = Some(Popup::ConfirmQuit);
    } else {
        s.quit = true;
    }
    Vec::new()
}

/// Starts a send of the form's request; a send already in flight is superseded.
pub fn send(s: &mut State) -> Vec<Effect> {
    let Some(profile) = form_profile(s) else {
        return Vec::new();
    };
    s.message = None;
    take_off(s, profile, |id, profile| Effect::Send {
        id,
        profile,
        save_to: None,
    })
}

/// Sends the form's request with its key and with `other`, then opens the comparison.
fn send_pair(s: &mut State, other: String) -> Vec<Effect> {
    let Some(profile) = form_profile(s) else {
        return Vec::new();
    };
    if profile.credential.as_deref() == Some(other.as_str()) {
        s.message = Some((
            format!("the form already uses {other}; pick the other key to compare with"),
            true,
        ));
        s.popup = Some(Popup::Keys {
            selected: 0,
            inspect: false,
            confirm_delete: false,
        });
        return Vec::new();
    }
    s.message = Some((
        format!(
            "sending with {} and {other}...",
            profile.credential.as_deref().unwrap_or("no key")
        ),
        false,
    ));
    take_off(s, profile, |id, profile| Effect::SendPair {
        id,
        profile,
        other,
    })
}

/// The form as a profile, or the reason it cannot be sent (shown in the status line).
fn form_profile(s: &mut State) -> Option<Profile> {
    match s.form.to_profile() {
        Ok(p) => Some(p),
        Err(e) => {
            s.message = Some((format!("cannot send: {e}"), true));
            None
        }
    }
}

/// Puts a new request in flight (cancelling the one before) and makes its effect.
fn take_off(
    s: &mut State,
    profile: Profile,
    effect: impl FnOnce(u64, Box<Profile>) -> Effect,
) -> Vec<Effect> {
    let mut effects = Vec::new();
    if let Some(old) = s.in_flight.take() {
        effects.push(Effect::Cancel { id: old.id });
    }
    let id = s.next_id;
    s.next_id += 1;
    s.in_flight = Some(InFlight {
        id,
        started: std::time::Instant::now(),
        profile: profile.clone(),
    });
    effects.push(effect(id, Box::new(profile)));
    effects
}

fn save(s: &mut State) -> Vec<Effect> {
    match s.form.to_profile() {
        Ok(p) => vec![Effect::SaveProfile(Box::new(p))],
        Err(e) => {
            s.message = Some((format!("cannot save: {e}"), true));
            Vec::new()
        }
    }
}

fn profiles_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    let n = s.profiles.len();
    match k.code {
        KeyCode::Down | KeyCode::Char('j') if n > 0 => {
            s.selected_profile = (s.selected_profile + 1).min(n - 1)
        }
        KeyCode::Up | KeyCode::Char('k') => {
            s.selected_profile = s.selected_profile.saturating_sub(1)
        }
        KeyCode::Enter => match s.profiles.get(s.selected_profile).map(|p| p.result.clone()) {
            Some(Ok(p)) => {
                s.form = Form::from_profile(&p);
                s.focus = Pane::Form;
                s.field = Field::Url;
            }
            Some(Err(e)) => s.message = Some((e.to_string(), true)),
            None => {}
        },
        KeyCode::Char('n') => {
            let name = (1..)
                .map(|i| format!("new-{i}"))
                .find(|n| !s.profiles.iter().any(|p| &p.name == n))
                .unwrap_or_default();
            s.form = Form::from_profile(&Profile {
                name,
                url: "https://".into(),
                ..Profile::default()
            });
            s.form.dirty = true;
            s.focus = Pane::Form;
        }
        KeyCode::Char('c') => {
            if let Ok(mut p) = s.form.to_profile() {
                p.name = format!("{}-copy", p.name);
                s.form = Form::from_profile(&p);
                s.form.dirty = true;
            }
        }
        KeyCode::Char('d') if n > 0 => s.popup = Some(Popup::ConfirmDeleteProfile),
        KeyCode::Char('r') if n > 0 => {
            let mut input = TextArea::new(vec![s.profiles[s.selected_profile].name.clone()]);
            input.move_cursor(ratatui_textarea::CursorMove::End);
            s.popup = Some(Popup::RenameProfile(Box::new(input)));
        }
        _ => {}
    }
    Vec::new()
}

fn form_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    if ctrl(&k, 'n')
        || ctrl(&k, 'p')
        || (k.code == KeyCode::Down && s.field != Field::Tab)
        || (k.code == KeyCode::Up && s.field == Field::Url)
    {
        let fields = [Field::Method, Field::Url, Field::Tab];
        let i = fields.iter().position(|f| *f == s.field).unwrap_or(0);
        let forward = ctrl(&k, 'n') || k.code == KeyCode::Down;
        s.field = fields[if forward {
            (i + 1).min(2)
        } else {
            i.saturating_sub(1)
        }];
        return Vec::new();
    }
    if ctrl(&k, 't') {
        let i = FormTab::ALL
            .iter()
            .position(|t| *t == s.form_tab)
            .unwrap_or(0);
        s.form_tab = FormTab::ALL[(i + 1) % FormTab::ALL.len()];
        s.field = Field::Tab;
        return Vec::new();
    }
    if ctrl(&k, 'b') {
        let i = BodyType::ALL
            .iter()
            .position(|t| *t == s.form.base.body.kind)
            .unwrap_or(0);
        s.form.base.body.kind = BodyType::ALL[(i + 1) % BodyType::ALL.len()];
        s.form.dirty = true;
        s.form.validate();
        return Vec::new();
    }
    match s.field {
        Field::Method => method_key(s, k),
        Field::Url => {
            if k.code == KeyCode::Enter {
                return send(s);
            }
            edit(s, k, |f| &mut f.url)
        }
        Field::Tab => match s.form_tab {
            FormTab::Headers => edit(s, k, |f| &mut f.headers),
            FormTab::Query => edit(s, k, |f| &mut f.query),
            FormTab::Body => edit(s, k, |f| &mut f.body),
            FormTab::Options => options_key(s, k),
        },
    }
}

fn edit(
    s: &mut State,
    k: KeyEvent,
    field: impl Fn(&mut Form) -> &mut ratatui_textarea::TextArea<'static>,
) -> Vec<Effect> {
    if field(&mut s.form).input(k) {
        s.form.dirty = true;
        s.form.validate();
    }
    Vec::new()
}

fn method_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    let i = METHODS
        .iter()
        .position(|m| *m == s.form.base.method)
        .unwrap_or(0);
    let next = match k.code {
        KeyCode::Right | KeyCode::Char(' ') | KeyCode::Char('l') => {
            METHODS[(i + 1) % METHODS.len()]
        }
        KeyCode::Left | KeyCode::Char('h') => METHODS[(i + METHODS.len() - 1) % METHODS.len()],
        _ => return Vec::new(),
    };
    s.form.base.method = next.to_string();
    s.form.dirty = true;
    Vec::new()
}

/// The Options tab: one row per switch of design.md, plus the timeout and the credential.
pub fn option_rows(p: &Profile) -> Vec<(&'static str, String)> {
    let o = &p.options;
    let b = |v: bool| if v { "[x]" } else { "[ ]" }.to_string();
    vec![
        ("Use Mutual TLS", b(p.mutual_tls())),
        ("Evaluate non-2xx/3xx as errors", b(o.errors_on_status)),
        ("Parse response", b(o.parse_response)),
        ("Follow redirects (GET/HEAD)", b(o.follow_redirects)),
        ("Follow all redirects", b(o.follow_all_redirects)),
        ("Query arrays key[0]=a&key[1]=b", b(o.query_arrays)),
        ("Request compressed content", b(o.compressed)),
        ("Share cookies", b(o.share_cookies)),
        ("Verify server certificate", b(o.verify_tls)),
        ("Timeout (1-300 s, +/-)", o.timeout_secs.to_string()),
        (
            "Trusted certificates",
            if p.trust.is_empty() {
                "system roots only".into()
            } else {
                p.trust.join(", ")
            },
        ),
    ]
}

fn options_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    match k.code {
        KeyCode::Down | KeyCode::Char('j') => {
            s.option_row = (s.option_row + 1).min(OPTION_ROWS - 1)
        }
        KeyCode::Up | KeyCode::Char('k') => s.option_row = s.option_row.saturating_sub(1),
        KeyCode::Char(' ') | KeyCode::Enter | KeyCode::Char('+') | KeyCode::Char('-') => {
            let mtls = s.form.base.mutual_tls();
            let o = &mut s.form.base.options;
            match s.option_row {
                0 => o.mutual_tls = Some(!mtls),
                1 => o.errors_on_status ^= true,
                2 => o.parse_response ^= true,
                3 => o.follow_redirects ^= true,
                4 => o.follow_all_redirects ^= true,
                5 => o.query_arrays ^= true,
                6 => o.compressed ^= true,
                7 => o.share_cookies ^= true,
                8 => o.verify_tls ^= true,
                9 => {
                    let step: i64 = if k.code == KeyCode::Char('-') { -1 } else { 1 };
                    o.timeout_secs = (i64::from(o.timeout_secs) + step).clamp(1, 300) as u32;
                }
                _ => return Vec::new(),
            }
            s.form.dirty = true;
        }
        _ => {}
    }
    Vec::new()
}

fn response_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
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
            s.message = Some((format!("wrap {}", if s.wrap { "on" } else { "off" }), false));
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
                    super::state::BodyLines::plain(text, &crate::core::budget::Budget::unlimited())
                        .unwrap_or_default(),
                );
            }
            s.scroll = 0;
            s.message = Some((
                format!(
                    "body: {}",
                    if s.raw { "raw, as received" } else { "pretty" }
                ),
                false,
            ));
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
                s.message = Some((
                    format!("copied {} bytes to the clipboard (OSC 52)", text.len()),
                    false,
                ));
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
                let name = format!("certbench-body-{}.{ext}", clock().replace(':', ""));
                let cut = ex
                    .incomplete
                    .as_ref()
                    .is_some_and(|d| d.kind == DiagnosisKind::BodyTooLarge);
                let safe_again = matches!(ex.method.as_str(), "GET" | "HEAD");
                // A body cut at the cap is sent again, straight to the file (never held); a
                // request that may change something is sent again only when asked with W.
                if cut && (safe_again || c == 'W') {
                    s.message = Some((
                        format!("sending again, the body straight to {name} (Esc cancels)"),
                        false,
                    ));
                    return take_off(s, profile, |id, profile| Effect::Send {
                        id,
                        profile,
                        save_to: Some(name),
                    });
                }
                if cut {
                    s.message = Some((
                        format!(
                            "saving the {} bytes held; W sends the {} again, straight to a file",
                            ex.body.len(),
                            ex.method
                        ),
                        false,
                    ));
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
fn search(s: &mut State, back: bool, fresh: bool) {
    if s.search_term.is_empty() {
        s.message = Some(("/ starts a search in the body".into(), false));
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
            s.message = Some((
                format!(
                    "/{}  line {}  (n next, N previous)",
                    s.search_term,
                    line + 1
                ),
                false,
            ));
        }
        None => s.message = Some((format!("/{}: not found", s.search_term), true)),
    }
}

/// Clicks focus the pane under the pointer and pick list rows; the wheel scrolls what it is over.
fn mouse(s: &mut State, m: crossterm::event::MouseEvent) -> Vec<Effect> {
    use ratatui::layout::Position;
    if s.popup.is_some() {
        return Vec::new();
    }
    let area = ratatui::layout::Rect::new(0, 0, s.size.0, s.size.1);
    let a = super::layout::areas(area, s.banner.is_some());
    let at = Position::new(m.column, m.row);
    let pane = [
        (a.profiles, Pane::Profiles),
        (a.history, Pane::History),
        (a.form, Pane::Form),
        (a.response, Pane::Response),
    ]
    .into_iter()
    .find(|(r, _)| r.contains(at));
    let Some((rect, pane)) = pane else {
        return Vec::new();
    };
    // The row inside the bordered list (history has its filter line first when typing).
    let row = (m.row.saturating_sub(rect.y + 1)) as usize;
    match m.kind {
        MouseEventKind::Down(crossterm::event::MouseButton::Left) => {
            s.focus = pane;
            match pane {
                Pane::Profiles if row < s.profiles.len() => s.selected_profile = row,
                Pane::History => {
                    let filter = usize::from(s.history_filter.is_some());
                    let rows = (rect.height as usize).saturating_sub(2 + filter);
                    let row = row.saturating_sub(filter)
                        + super::layout::list_start(s.history_selected, rows);
                    if row < s.history.len() {
                        s.history_selected = row;
                    }
                }
                _ => {}
            }
        }
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let down = m.kind == MouseEventKind::ScrollDown;
            match pane {
                Pane::History if !s.history.is_empty() => {
                    s.history_selected = if down {
                        (s.history_selected + 1).min(s.history.len() - 1)
                    } else {
                        s.history_selected.saturating_sub(1)
                    }
                }
                Pane::Profiles if !s.profiles.is_empty() => {
                    s.selected_profile = if down {
                        (s.selected_profile + 1).min(s.profiles.len() - 1)
                    } else {
                        s.selected_profile.saturating_sub(1)
                    }
                }
                _ if down => s.scroll = s.scroll.saturating_add(3),
                _ => s.scroll = s.scroll.saturating_sub(3),
            }
        }
        _ => {}
    }
    Vec::new()
}

fn cycle(t: RespTab, by: usize) -> RespTab {
    let i = RespTab::ALL.iter().position(|x| *x == t).unwrap_or(0);
    RespTab::ALL[(i + by) % RespTab::ALL.len()]
}

/// Puts a finished send at the top of history and in the response pane.
fn add_row(s: &mut State, mut summary: crate::core::history::Summary, mut shown: Shown) {
    let held = if summary.id > 0 {
        None
    } else {
        summary.id = s.next_local_id;
        shown.id = s.next_local_id;
        s.next_local_id -= 1;
        Some(Box::new(shown.clone()))
    };
    s.history.insert(0, HistoryRow { summary, held });
    s.shown = Some(Box::new(shown));
    s.history_selected = 0;
    s.scroll = 0;
}

fn history_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    if let Some(mut input) = s.history_filter.take() {
        match k.code {
            KeyCode::Esc => {}
            KeyCode::Enter => {
                s.history_query = input.lines().join(" ");
                s.history_selected = 0;
                return vec![Effect::LoadHistory(s.history_query.clone())];
            }
            _ => {
                input.input(k);
                s.history_filter = Some(input);
            }
        }
        return Vec::new();
    }
    let n = s.history.len();
    let selected = s.history.get(s.history_selected).map(|r| r.summary.id);
    let open = |s: &mut State, then: After| -> Vec<Effect> {
        let row = &s.history[s.history_selected];
        match &row.held {
            Some(shown) => {
                let shown = shown.clone();
                update(
                    s,
                    Message::EntryLoaded {
                        then,
                        result: Ok(shown),
                    },
                )
            }
            None => vec![Effect::OpenEntry {
                id: row.summary.id,
                then,
            }],
        }
    };
    match k.code {
        KeyCode::Down | KeyCode::Char('j') if n > 0 => {
            s.history_selected = (s.history_selected + 1).min(n - 1)
        }
        KeyCode::Up | KeyCode::Char('k') => {
            s.history_selected = s.history_selected.saturating_sub(1)
        }
        KeyCode::Enter if n > 0 => return open(s, After::Show),
        KeyCode::Char('o') if n > 0 => return open(s, After::Form),
        KeyCode::Char('r') if n > 0 => return open(s, After::Rerun),
        KeyCode::Char('/') => {
            let mut input = TextArea::new(vec![s.history_query.clone()]);
            input.move_cursor(ratatui_textarea::CursorMove::End);
            s.history_filter = Some(input);
        }
        KeyCode::Char('m') => {
            if let Some(id) = selected {
                if let Some(i) = s.marked.iter().position(|m| *m == id) {
                    s.marked.remove(i);
                } else {
                    s.marked.push(id);
                    if s.marked.len() > 2 {
                        s.marked.remove(0);
                    }
                }
            }
        }
        KeyCode::Char('c') => return compare_marked(s),
        KeyCode::Char('d') => {
            if let Some(id) = selected {
                if id < 0 {
                    s.history.remove(s.history_selected);
                    s.history_selected = s.history_selected.min(s.history.len().saturating_sub(1));
                } else {
                    s.popup = Some(Popup::ConfirmDeleteEntry(id));
                }
            }
        }
        KeyCode::Char('D') if n > 0 => s.popup = Some(Popup::ConfirmClearHistory),
        _ => {}
    }
    Vec::new()
}

/// `c`: the two marked entries, or the one marked and the response on screen.
fn compare_marked(s: &mut State) -> Vec<Effect> {
    let side = |s: &State, id: i64| -> (Side, String) {
        let row = s.history.iter().find(|r| r.summary.id == id);
        let label = row
            .map(|r| r.summary.label())
            .unwrap_or_else(|| format!("#{id}"));
        match row.and_then(|r| r.held.as_ref()) {
            Some(h) => (Side::Held(h.result.clone()), label),
            None => (Side::Stored(id), label),
        }
    };
    let (a, b) = match (s.marked.as_slice(), s.shown()) {
        ([x, y], _) => (side(s, *x), side(s, *y)),
        ([x], Some(shown)) if shown.id != *x => (
            side(s, *x),
            (
                Side::Held(shown.result.clone()),
                format!("response on screen ({})", shown.profile.name),
            ),
        ),
        _ => {
            s.message = Some((
                "mark two entries with m (or one, to compare it with the response on screen), then c".into(),
                true,
            ));
            return Vec::new();
        }
    };
    s.message = Some(("comparing...".into(), false));
    vec![Effect::Compare {
        a: a.0,
        b: b.0,
        labels: (a.1, b.1),
        ignore: s.form.base.compare_ignore.clone(),
    }]
}

fn compare_popup(s: &mut State, k: KeyEvent, mut v: Box<super::state::CompareView>) -> Vec<Effect> {
    if let Some(mut input) = v.input.take() {
        match k.code {
            KeyCode::Esc => {}
            KeyCode::Enter => {
                let rule = input.lines().join("").trim().to_string();
                if rule.starts_with('$') && !crate::core::compare::is_valid_path(&rule) {
                    s.message = Some((
                        format!(
                            "{rule} is not a JSON path; write $.field, $.list[*].field or $..field"
                        ),
                        true,
                    ));
                    v.input = Some(input);
                } else if !rule.is_empty() {
                    let mut ignore = v.ignore.clone();
                    ignore.push(rule);
                    let effect = Effect::Compare {
                        a: Side::Held(v.a.clone()),
                        b: Side::Held(v.b.clone()),
                        labels: v.labels.clone(),
                        ignore,
                    };
                    s.popup = Some(Popup::Compare(v));
                    return vec![effect];
                }
            }
            _ => {
                input.input(k);
                v.input = Some(input);
            }
        }
        s.popup = Some(Popup::Compare(v));
        return Vec::new();
    }
    let starts = v.cmp.change_starts();
    match k.code {
        KeyCode::Esc | KeyCode::Char('q') => return Vec::new(),
        KeyCode::Down | KeyCode::Char('j') => v.scroll = v.scroll.saturating_add(1),
        KeyCode::Up | KeyCode::Char('k') => v.scroll = v.scroll.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => v.scroll = v.scroll.saturating_add(20),
        KeyCode::PageUp => v.scroll = v.scroll.saturating_sub(20),
        KeyCode::Home | KeyCode::Char('g') => v.scroll = 0,
        KeyCode::Char('n') => {
            if let Some(next) = starts.iter().find(|i| **i > v.scroll) {
                v.scroll = *next;
            }
        }
        KeyCode::Char('N') => {
            if let Some(prev) = starts.iter().rev().find(|i| **i < v.scroll) {
                v.scroll = *prev;
            }
        }
        KeyCode::Char('i') => v.input = Some(TextArea::new(vec!["$.".into()])),
        KeyCode::Char('y') => {
            let text = v.cmp.to_text((&v.labels.0, &v.labels.1), 3);
            s.popup = Some(Popup::Compare(v));
            return vec![Effect::Copy(text)];
        }
        _ => {}
    }
    if let Some(input) = v.input.as_mut() {
        input.move_cursor(ratatui_textarea::CursorMove::End);
    }
    s.popup = Some(Popup::Compare(v));
    Vec::new()
}

fn popup_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    let Some(popup) = s.popup.take() else {
        return Vec::new();
    };
    match popup {
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
        Popup::ConfirmQuit => {
            match k.code {
                KeyCode::Char('y') => s.quit = true,
                KeyCode::Char('s') => {
                    s.quit = true;
                    return save(s);
                }
                _ => {}
            }
            Vec::new()
        }
        Popup::ConfirmDeleteProfile => match (k.code, s.profiles.get(s.selected_profile)) {
            (KeyCode::Char('y'), Some(p)) => vec![Effect::DeleteProfile(p.name.clone())],
            _ => Vec::new(),
        },
        Popup::ConfirmDeleteEntry(id) => match k.code {
            KeyCode::Char('y') => {
                s.marked.retain(|m| *m != id);
                vec![Effect::DeleteEntry(id)]
            }
            _ => Vec::new(),
        },
        Popup::ConfirmClearHistory => match k.code {
            KeyCode::Char('y') => {
                s.marked.clear();
                s.history.clear();
                vec![Effect::ClearHistory]
            }
            _ => Vec::new(),
        },
        Popup::Compare(v) => compare_popup(s, k, v),
        Popup::KeyCheck { .. } => {
            s.popup = Some(Popup::Keys {
                selected: 0,
                inspect: false,
                confirm_delete: false,
            });
            Vec::new()
        }
        Popup::RenameProfile(mut input) => match k.code {
            KeyCode::Esc => Vec::new(),
            KeyCode::Enter => {
                let to = input.lines().join("").trim().to_string();
                let from = s
                    .profiles
                    .get(s.selected_profile)
                    .map(|p| p.name.clone())
                    .unwrap_or_default();
                if let Err(e) = crate::core::home::check_name("profile", &to) {
                    s.message = Some((e, true));
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

fn keys_popup(
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

fn import_popup(s: &mut State, k: KeyEvent, mut w: Box<ImportWizard>) -> Vec<Effect> {
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
fn complete_path(w: &mut ImportWizard) {
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
