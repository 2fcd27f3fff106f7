//! Popups: the dispatcher, confirmations, raw error, help and the import wizard.

use super::*;
use crate::layout::centered;
use crate::state::Leave;

pub(super) fn draw_popup(f: &mut Frame, s: &State, t: &Theme, popup: &Popup, area: Rect) {
    match popup {
        Popup::Help => {
            let r = centered(area, 80, 26);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(HELP).block(block(t, "Help (Esc closes)", true)),
                r,
            );
        }
        Popup::Conflict => {
            let text = format!(
                "{} changed on disk since you opened it; nothing was written.\nr reload it (your edits are dropped)\no overwrite it with your edits\nEsc stay (edits kept)",
                s.form.base.name
            );
            question(f, t, area, "Changed on disk", text);
        }
        Popup::Unsaved(to) => {
            let then = match to {
                Leave::Quit => "quit".to_string(),
                Leave::Open(name) => format!("open {name}"),
                Leave::New => "start a new profile".to_string(),
            };
            let text = format!(
                "{} has unsaved edits.\ns save, then {then}\nd discard them, then {then}\nEsc stay",
                s.form.base.name
            );
            question(f, t, area, "Unsaved edits", text);
        }
        Popup::ConfirmDeleteProfile => {
            let r = centered(area, 50, 4);
            f.render_widget(Clear, r);
            let name = s.profiles.selected().map(|p| p.name.as_str()).unwrap_or("");
            f.render_widget(
                Paragraph::new(format!("Delete profile {name}? y / Esc"))
                    .block(block(t, "Delete", true)),
                r,
            );
        }
        Popup::RawError => {
            let r = centered(
                area,
                area.width.saturating_sub(4),
                area.height.saturating_sub(4),
            );
            f.render_widget(Clear, r);
            let chain = s
                .shown()
                .and_then(|sh| (*sh.result).as_ref().err())
                .map(|e| {
                    e.chain
                        .iter()
                        .enumerate()
                        .map(|(i, c)| format!("{i}: {c}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default();
            f.render_widget(
                Paragraph::new(chain)
                    .wrap(Wrap { trim: false })
                    .block(block(t, "Raw error chain (Esc closes)", true)),
                r,
            );
        }
        Popup::Keys {
            selected,
            inspect,
            confirm_delete,
        } => draw_keys(f, s, t, area, *selected, *inspect, *confirm_delete),
        Popup::ConfirmDeleteEntry(id) => {
            let r = centered(area, 50, 4);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(format!("Delete history entry #{id}? y / Esc"))
                    .block(block(t, "Delete", true)),
                r,
            );
        }
        Popup::ConfirmClearHistory => {
            let r = centered(area, 56, 4);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new("Delete every history entry (all runs)? y / Esc").block(block(
                    t,
                    "Clear history",
                    true,
                )),
                r,
            );
        }
        Popup::Pin { token, input } => {
            // The token's name in the title; what happens to the PIN on the line below it.
            let r = centered(area, 70, 5);
            f.render_widget(Clear, r);
            let title = format!("PIN for token {token}");
            let b = block(t, &title, true);
            let inner = b.inner(r);
            f.render_widget(b, r);
            let [field, note] =
                Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(inner);
            f.render_widget(&**input, field);
            f.render_widget(
                Paragraph::new(Span::styled(
                    "Enter signs with it, Esc cancels; kept in memory only, never on disk",
                    t.fg(Color::DarkGray),
                )),
                note,
            );
        }
        Popup::RenameProfile(input) => {
            let r = centered(area, 50, 4);
            f.render_widget(Clear, r);
            f.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::raw(input.lines().join("")),
                    Span::styled("_", t.fg(Color::Cyan)),
                ]))
                .block(block(t, "Rename profile (Enter / Esc)", true)),
                r,
            );
        }
        Popup::Compare(v) => draw_compare(f, t, v, area),
        Popup::Variables { selected, editing } => {
            super::variables::draw_variables(f, s, t, *selected, editing.as_deref(), area)
        }
        Popup::GrpcMethods(picker) => super::grpc::draw_picker(f, t, picker, area),
        Popup::Palette(p) => super::palette::draw_palette(f, t, p, area),
        Popup::Trust(p) => super::trust::draw_trust(f, s, t, p, area),
        Popup::OptionText { row, input } => {
            let hint = match row {
                crate::options::OptionRow::MaxBody => {
                    "a size such as 64MiB or 512KiB (empty: the default)"
                }
                crate::options::OptionRow::Proxy => {
                    "http://host:port, socks5h://host:port or none (empty: the environment's)"
                }
                crate::options::OptionRow::Pin => {
                    "sha256//BASE64, several joined with ; (empty: none)"
                }
                crate::options::OptionRow::Resolve => {
                    "HOST:PORT:ADDRESS, comma-separated (empty: none)"
                }
                crate::options::OptionRow::ConnectTo => {
                    "HOST:PORT:HOST2:PORT2, comma-separated (empty: none)"
                }
                _ => "",
            };
            let r = centered(area, area.width.saturating_sub(4).min(90), 5);
            f.render_widget(Clear, r);
            let lines = vec![
                typed_line(t, "", input.lines().join("")),
                Line::from(Span::styled(hint, t.fg(Color::DarkGray))),
            ];
            f.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(block(
                        t,
                        &format!("{} (Enter sets, Esc leaves, Ctrl-U clears)", row.label()),
                        true,
                    )),
                r,
            );
        }
        Popup::Problem { scroll } => super::problem::draw_problem(f, s, t, *scroll, area),
        Popup::KeyCheck {
            name,
            url,
            accepted,
            lines,
        } => {
            let r = centered(area, area.width.saturating_sub(4), 16);
            f.render_widget(Clear, r);
            let (title, style) = match accepted {
                None => (
                    format!("Checking key {name} against {url}..."),
                    t.fg(Color::Yellow),
                ),
                Some(true) => (
                    format!("Key {name}: accepted (Esc back)"),
                    t.fg(Color::Green),
                ),
                Some(false) => (format!("Key {name}: rejected (Esc back)"), t.fg(Color::Red)),
            };
            let body: Vec<Line> = lines
                .iter()
                .map(|l| {
                    if l.starts_with("ACCEPTED") || l.starts_with("REJECTED") {
                        Line::from(Span::styled(l.clone(), style.add_modifier(Modifier::BOLD)))
                    } else {
                        Line::from(l.clone())
                    }
                })
                .collect();
            f.render_widget(
                Paragraph::new(body)
                    .wrap(Wrap { trim: false })
                    .block(block(t, &title, true)),
                r,
            );
        }
        Popup::Import(w) => {
            let r = centered(area, 80, 16);
            f.render_widget(Clear, r);
            let outer = block(t, "Import a credential key (Esc back)", true);
            let inner = outer.inner(r);
            f.render_widget(outer, r);
            let rows = Layout::vertical([
                Constraint::Length(5),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Length(1),
                Constraint::Min(1),
            ])
            .split(inner);
            let kinds: Vec<Line> = ImportKind::iter()
                .map(|k| {
                    Line::from(Span::styled(
                        format!("{} {}", if k == w.kind { ">" } else { " " }, k.label()),
                        t.focus(w.step == ImportStep::Kind && k == w.kind),
                    ))
                })
                .collect();
            f.render_widget(Paragraph::new(kinds), rows[0]);
            let label = match w.kind {
                ImportKind::Pkcs12 => "file (Tab completes):",
                ImportKind::Pkcs11 => {
                    "pkcs11: URI (Tab lists the keys on the tokens; password = PIN, not kept):"
                }
                ImportKind::Collection => {
                    "files or a Bruno folder, space-separated (password: for keys; name: the folder):"
                }
                _ => "CERT,KEY files (Tab completes):",
            };
            // Where typing goes: the focused field's label is marked, in colour or not.
            let mark = |step: ImportStep| if w.step == step { "> " } else { "  " };
            f.render_widget(
                Paragraph::new(Span::styled(
                    format!("{}{label}", mark(ImportStep::Path)),
                    t.focus(w.step == ImportStep::Path),
                )),
                rows[1],
            );
            f.render_widget(&w.path, rows[2]);
            let [pl, pv] =
                Layout::horizontal([Constraint::Length(12), Constraint::Min(1)]).areas(rows[3]);
            f.render_widget(
                Paragraph::new(Span::styled(
                    format!("{}password:", mark(ImportStep::Password)),
                    t.focus(w.step == ImportStep::Password),
                )),
                pl,
            );
            f.render_widget(&w.password, pv);
            let [nl, nv] =
                Layout::horizontal([Constraint::Length(12), Constraint::Min(1)]).areas(rows[4]);
            f.render_widget(
                Paragraph::new(Span::styled(
                    format!("{}name:", mark(ImportStep::Name)),
                    t.focus(w.step == ImportStep::Name),
                )),
                nl,
            );
            f.render_widget(&w.name, nv);
            let foot = match (&w.error, w.busy) {
                (_, true) => Line::from("importing..."),
                (None, false) if !w.matches.is_empty() && w.step == ImportStep::Path => {
                    Line::from(Span::styled(
                        format!("Tab again after more letters: {}", w.matches.join("  ")),
                        t.fg(Color::DarkGray),
                    ))
                }
                (Some(e), _) => Line::from(Span::styled(e.clone(), t.fg(Color::Red))),
                (None, _) => Line::from("Enter: next / import"),
            };
            f.render_widget(Paragraph::new(foot).wrap(Wrap { trim: false }), rows[6]);
        }
    }
}

pub(super) const HELP: &str = "\
Everywhere  Ctrl-R send  Esc cancel  Ctrl-S save  Ctrl-K keys  Ctrl-P palette
            Tab or 1-4 pane  ?/F1 help  F5 send  q quit (outside text)  Ctrl-C
Profiles    ↑/↓ show  Enter edit  / filter  n new  c copy  r rename  d delete
            e next environment  E compare with the next  v variables
            p the request as it would be sent (Request tab)  T trusted certs
Request     Esc leaves a field (again: profiles)  Ctrl-U clears  Enter/i edits
            Ctrl-N next field (method, URL, tab)   Ctrl-T next tab
            Method ←/→   URL: type, Enter sends   Ctrl-B body type
            Ctrl-G a grpcs:// server's methods: type to filter, Enter picks
            Headers: JSON {\"Accept\": \"application/json\"}   Query: k=v lines
            Body: raw | form k=v | multipart name=@file   Ctrl-E in $EDITOR
            Options: ↑/↓ select, Space toggles, +/- timeout
Response    j/k PgUp/PgDn Home/End   ←/→ Body Headers TLS Redirects Timing
            Request (as sent; as it would be sent after an edit)
            / search  n/N next/prev  r raw body / raw error  z wrap  ! story
            y copy (OSC 52)  w save body   mouse: click a pane or row, wheel
            body over the cap: w sends a GET again to a file, W any method
History     Enter show  o to form  r re-run  / filter (profile: key: status:)
            m mark  c compare marked (or marked vs shown)  d delete  D clear
Compare     n/N next/previous change  i ignore a JSON path  y copy  Esc
Keys popup  Enter use  i inspect  a import (P12/PEM/DER)  e export  d delete
            t test the handshake (keys check)  c send with both, compare";

/// A question about the form's edits: a few lines, each answer on its own line.
fn question(f: &mut Frame, t: &Theme, area: Rect, title: &str, text: String) {
    // Tall enough for every line as wrapped in the popup's 58 columns.
    let rows: usize = text.lines().map(|l| l.chars().count() / 58 + 1).sum();
    let r = centered(area, 60, u16::try_from(rows + 2).unwrap_or(u16::MAX));
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .block(block(t, title, true)),
        r,
    );
}

#[cfg(test)]
mod tests {
    /// The help fits its box at 80 columns: no line is cut.
    #[test]
    fn every_help_line_fits_80_columns() {
        for line in super::HELP.lines() {
            assert!(
                line.chars().count() <= 78,
                "{} columns: {line}",
                line.chars().count()
            );
        }
    }
}
