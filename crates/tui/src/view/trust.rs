//! The trust picker: the trusted certificates (marked when the form trusts them), a file's path
//! being typed, or the certificates the form's server presents with their SHA-256.

use super::*;
use crate::trust_picker::{TrustMode, TrustPicker};

pub(super) fn draw_trust(f: &mut Frame, s: &State, t: &Theme, p: &TrustPicker, area: Rect) {
    let r = large_popup(f, area);
    let dim = t.fg(Color::DarkGray);
    let mut lines = Vec::new();
    let title = match &p.mode {
        TrustMode::List | TrustMode::ConfirmDelete => {
            "Trusted: Enter trust here  a a file  u the server's  d delete  Esc"
        }
        TrustMode::AddFile(_) => {
            "Trust a certificate file (PEM, DER, PKCS#12): Tab completes, Enter adds, Esc"
        }
        TrustMode::FromUrl { .. } => "What the server presents: ↑/↓ choose, Enter trusts it, Esc",
    };
    match &p.mode {
        TrustMode::List | TrustMode::ConfirmDelete => match &p.trusted {
            None => lines.push(Line::from(Span::styled("reading the keystore…", dim))),
            Some(list) if list.is_empty() => lines.push(Line::from(Span::styled(
                "none yet: a adds a CA file, u reads what the form's server presents",
                dim,
            ))),
            Some(list) => {
                for (i, c) in list.iter().enumerate() {
                    let mark = if s.form.base.trust.contains(&c.name) {
                        "[x]"
                    } else {
                        "[ ]"
                    };
                    let about = match &c.about {
                        Ok(a) => Span::styled(a.clone(), dim),
                        Err(e) => Span::styled(e.clone(), t.fg(Color::Red)),
                    };
                    let style = if i == p.selected {
                        t.focus(true)
                    } else {
                        Style::default()
                    };
                    lines.push(Line::from(vec![
                        Span::styled(format!("{mark} {} ", c.name), style),
                        about,
                    ]));
                }
            }
        },
        TrustMode::AddFile(input) => {
            lines.push(typed_line(t, "file: ", input.lines().join("")));
            lines.push(Line::from(Span::styled(
                "its name comes from the file's name; the form's profile trusts it once added",
                dim,
            )));
        }
        TrustMode::FromUrl { chain, selected } => match chain {
            None => lines.push(Line::from(Span::styled(
                "asking the form's server for its certificates…",
                t.fg(Color::Yellow),
            ))),
            Some(Err(e)) => lines.push(Line::from(Span::styled(e.clone(), t.fg(Color::Red)))),
            Some(Ok(list)) => {
                lines.push(Line::from(Span::styled(
                    "none of these is trusted yet: check the SHA-256 with the server's owner",
                    t.fg(Color::Yellow),
                )));
                for (i, c) in list.iter().enumerate() {
                    let style = if i == *selected {
                        t.focus(true)
                    } else {
                        Style::default()
                    };
                    let marker = if i == *selected { ">" } else { " " };
                    let ca = if c.is_ca { ", a CA" } else { "" };
                    lines.push(Line::from(Span::styled(
                        format!("{marker} [{}] {} (as {}){ca}", i + 1, c.subject, c.name),
                        style,
                    )));
                    lines.push(Line::from(format!("      issued by {}", c.issuer)));
                    // 95 characters: two lines of 16 bytes each fit 80 columns.
                    let (first, rest) = c.sha256.split_at(c.sha256.len().min(48));
                    lines.push(Line::from(format!("      SHA-256 {first}")));
                    if !rest.is_empty() {
                        lines.push(Line::from(format!("              {rest}")));
                    }
                    lines.push(Line::from(Span::styled(format!("      {}", c.expiry), dim)));
                }
            }
        },
    }
    if matches!(p.mode, TrustMode::ConfirmDelete)
        && let Some(name) = p.selected_name()
    {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(
            format!("delete trusted certificate {name}? y deletes, any other key keeps it"),
            t.fg(Color::Red),
        )));
    }
    if let Some(said) = &p.said {
        lines.push(Line::from(""));
        lines.push(match said {
            Ok(m) => Line::from(Span::styled(m.clone(), t.fg(Color::Green))),
            Err(e) => Line::from(Span::styled(e.clone(), t.fg(Color::Red))),
        });
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(t, title, true)),
        r,
    );
}
