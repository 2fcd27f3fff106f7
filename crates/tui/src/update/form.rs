//! Keys in the request form: fields, method, tabs, and the option rows.

use super::*;

pub(super) fn form_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    if s.form_idle {
        return idle_key(s, k);
    }
    // Esc always leaves the field: keys are commands again, and a second Esc goes back to
    // the profile list.
    if k.code == KeyCode::Esc {
        s.form_idle = true;
        return Vec::new();
    }
    if ctrl(&k, 'u') {
        clear_field(s);
        return Vec::new();
    }
    if ctrl(&k, 'n')
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
                let typed = s.form.url.lines().join("");
                if typed.trim_start().starts_with("curl ") {
                    return from_curl(s, &typed);
                }
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

/// Keys in the form when no field takes them: Enter or `i` edits the field, Esc goes back to
/// the profiles, arrows move between fields; nothing is ever typed.
fn idle_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    match k.code {
        KeyCode::Enter | KeyCode::Char('i') => s.form_idle = false,
        KeyCode::Char('p') => super::profiles::show_request(s),
        KeyCode::Esc => {
            s.form_idle = false;
            s.focus = Pane::Profiles;
        }
        KeyCode::Down | KeyCode::Char('j') => {
            s.field = match s.field {
                Field::Method => Field::Url,
                _ => Field::Tab,
            }
        }
        KeyCode::Up | KeyCode::Char('k') => {
            s.field = match s.field {
                Field::Tab => Field::Url,
                _ => Field::Method,
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Ctrl-U: the field being edited, emptied.
fn clear_field(s: &mut State) {
    let area = match (s.field, s.form_tab) {
        (Field::Url, _) => &mut s.form.url,
        (Field::Tab, FormTab::Headers) => &mut s.form.headers,
        (Field::Tab, FormTab::Query) => &mut s.form.query,
        (Field::Tab, FormTab::Body) => &mut s.form.body,
        _ => return,
    };
    *area = TextArea::default();
    s.form.dirty = true;
    s.form.validate();
}

/// A curl command typed or pasted into the URL field: Enter makes it the form's request (a
/// pasted `\` line break keeps reading), and its certificate files go to the keystore.
fn from_curl(s: &mut State, typed: &str) -> Vec<Effect> {
    let trimmed = typed.trim_end();
    if let Some(head) = trimmed.strip_suffix('\\') {
        s.form.url = TextArea::new(vec![format!("{head} ")]);
        s.form.url.move_cursor(ratatui_textarea::CursorMove::End);
        return Vec::new();
    }
    let imported = match engine::interop::curl::parse(trimmed) {
        Ok(i) => i,
        Err(e) => {
            s.message = Some(Note::Problem(format!("not a request: {e}")));
            return Vec::new();
        }
    };
    // The key and trust names come back once the files are placed in the keystore by content.
    let p = imported.profile;
    let mut said = vec![format!(
        "from curl: {} {} (Ctrl-S saves it)",
        p.method, p.name
    )];
    if !imported.unknown.is_empty() {
        said.push(format!("not imported: {}", imported.unknown.join(" ")));
    }
    s.form = Form::from_profile(&p);
    s.form.dirty = true;
    s.message = Some(Note::Info(said.join("; ")));
    if imported.cert.is_some() || imported.cacert.is_some() {
        vec![Effect::ImportCurlFiles {
            cert: imported.cert,
            cacert: imported.cacert,
        }]
    } else {
        Vec::new()
    }
}

/// A paste goes into the focused text field of the form in one insert (a curl command pasted
/// into the URL field becomes the request); anywhere else it is ignored, and said so.
pub(super) fn paste(s: &mut State, text: &str) -> Vec<Effect> {
    let in_form = s.popup.is_none() && s.focus == Pane::Form;
    let area = match (in_form, s.field, s.form_tab) {
        (true, Field::Url, _) => {
            if text.trim_start().starts_with("curl ") {
                return from_curl(s, text);
            }
            // One line: the line breaks of a copied URL are dropped.
            let line: String = text.chars().filter(|c| *c != '\n' && *c != '\r').collect();
            s.form.url.insert_str(line);
            s.form.dirty = true;
            s.form.validate();
            return Vec::new();
        }
        (true, Field::Tab, FormTab::Headers) => &mut s.form.headers,
        (true, Field::Tab, FormTab::Query) => &mut s.form.query,
        (true, Field::Tab, FormTab::Body) => &mut s.form.body,
        _ => {
            s.message = Some(Note::Info(
                "paste ignored: move to the URL or a Headers, Query or Body field first".into(),
            ));
            return Vec::new();
        }
    };
    area.insert_str(text.replace("\r\n", "\n"));
    s.form.dirty = true;
    s.form.validate();
    Vec::new()
}

pub(super) fn edit(
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

pub(super) fn method_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
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

pub(super) fn options_key(s: &mut State, k: KeyEvent) -> Vec<Effect> {
    match k.code {
        KeyCode::Down | KeyCode::Char('j') => s.option_row = s.option_row.moved(true),
        KeyCode::Up | KeyCode::Char('k') => s.option_row = s.option_row.moved(false),
        KeyCode::Char(' ') | KeyCode::Enter if s.option_row == crate::options::OptionRow::Trust => {
            return super::trust::open(s);
        }
        KeyCode::Char(' ') | KeyCode::Enter if s.option_row.is_text() => {
            let mut input = TextArea::new(vec![s.option_row.text(&s.form.base)]);
            input.move_cursor(ratatui_textarea::CursorMove::End);
            s.popup = Some(Popup::OptionText {
                row: s.option_row,
                input: Box::new(input),
            });
        }
        KeyCode::Char(' ') | KeyCode::Enter | KeyCode::Char('+') | KeyCode::Char('-') => {
            let up = k.code != KeyCode::Char('-');
            if s.option_row.change(&mut s.form.base, up) {
                s.form.dirty = true;
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Ctrl-E: the body in the editor when the Body tab is chosen, else the whole profile as TOML
/// (or the edit that did not read back last time).
pub(super) fn external_edit(s: &mut State) -> Vec<Effect> {
    use crate::editor::EditTarget;
    if s.focus == Pane::Form
        && s.form_tab == FormTab::Body
        && s.form.base.body.kind != engine::request::profile::BodyType::None
    {
        let text = s.form.body.lines().join("\n");
        let json = s
            .form
            .base
            .body
            .content_type
            .as_deref()
            .is_some_and(|c| c.contains("json"));
        return vec![Effect::ExternalEdit {
            target: EditTarget::Body,
            text,
            suffix: if json { ".json" } else { ".txt" },
        }];
    }
    let text = match s.unread_edit.take() {
        Some(kept) => kept,
        None => match s.form.to_profile() {
            Ok(p) => p.to_toml(),
            Err(e) => {
                s.message = Some(Note::Problem(format!(
                    "{}: fix it first, or edit the Body tab",
                    e.message
                )));
                return Vec::new();
            }
        },
    };
    vec![Effect::ExternalEdit {
        target: EditTarget::Profile,
        text,
        suffix: ".toml",
    }]
}

/// What came back from the editor: the body, or the whole profile read as TOML (kept for the
/// next Ctrl-E when it does not read, never dropped).
pub(super) fn edited(
    s: &mut State,
    target: crate::editor::EditTarget,
    result: Result<String, String>,
) {
    use crate::editor::EditTarget;
    let text = match result {
        Ok(t) => t,
        Err(e) => {
            s.message = Some(Note::Problem(e));
            return;
        }
    };
    match target {
        EditTarget::Body => {
            let lines: Vec<String> = text
                .trim_end_matches('\n')
                .lines()
                .map(str::to_string)
                .collect();
            s.form.body = TextArea::new(if lines.is_empty() {
                vec![String::new()]
            } else {
                lines
            });
            s.form.dirty = true;
            s.form.validate();
            s.message = Some(Note::Info("body edited (Ctrl-S saves)".into()));
        }
        EditTarget::Profile => {
            let path = s.profiles_dir.join(format!("{}.toml", s.form.base.name));
            match engine::request::profile::Profile::from_toml(&text, &path) {
                Ok(mut p) => {
                    // Its file stays the same: the name and folder it was opened with.
                    p.name = s.form.base.name.clone();
                    p.folder = s.form.base.folder.clone();
                    let stamp = s.form.stamp;
                    s.form = crate::form::Form::from_profile(&p);
                    s.form.stamp = stamp;
                    s.form.dirty = true;
                    s.message = Some(Note::Info("profile edited (Ctrl-S saves)".into()));
                }
                Err(e) => {
                    s.unread_edit = Some(text);
                    s.message = Some(Note::Problem(format!(
                        "{e}; your edit is kept: Ctrl-E opens it again"
                    )));
                }
            }
        }
    }
}
