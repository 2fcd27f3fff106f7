//! The key picker popup: stored keys, their facts, and a check's outcome.

use super::*;
use crate::layout::centered;

pub(super) fn draw_keys(
    f: &mut Frame,
    s: &State,
    t: &Theme,
    area: Rect,
    selected: usize,
    inspect: bool,
    confirm: bool,
) {
    let r = centered(
        area,
        area.width.saturating_sub(6).max(40),
        area.height.saturating_sub(4).max(8),
    );
    f.render_widget(Clear, r);
    let title = "Keys: Enter use  i inspect  t test  c compare  a import  e export  d del  n none";
    if inspect {
        let lines: Vec<Line> = match s.keys.get(selected) {
            Some((name, Ok(info))) => {
                let mut v = vec![Line::from(format!("key {name}  ({})", info.key_type))];
                for (i, c) in info.chain.iter().enumerate() {
                    v.push(Line::from(format!("[{i}] {}", c.subject)));
                    v.push(Line::from(format!("    issuer {}", c.issuer)));
                    v.push(Line::from(format!(
                        "    SANs {}  serial {}",
                        c.sans.join(", "),
                        c.serial
                    )));
                    v.push(Line::from(format!(
                        "    {} .. {} ({})",
                        c.not_before,
                        c.not_after,
                        c.expiry_words()
                    )));
                    v.push(Line::from(format!("    SHA-256 {}", c.sha256)));
                    v.push(Line::from(format!(
                        "    client auth: {}",
                        match c.client_auth {
                            Some(false) => "NO",
                            _ => "yes",
                        }
                    )));
                }
                v
            }
            Some((name, Err(e))) => vec![Line::from(format!("{name}: {e}"))],
            None => vec![Line::from("no key")],
        };
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(block(t, "Inspect (Esc back)", true)),
            r,
        );
        return;
    }
    let mut items: Vec<ListItem> = s
        .keys
        .iter()
        .map(|(name, info)| match info {
            Ok(i) => {
                let style = match i.leaf.validity() {
                    Validity::Expired { .. } | Validity::NotYetValid => t.fg(Color::Red),
                    Validity::Expiring { .. } => t.fg(Color::Yellow),
                    Validity::Valid { .. } => Style::default(),
                };
                // Expiry right after the name, so it survives a narrow terminal.
                ListItem::new(Line::from(vec![
                    Span::raw(format!("{name:<14} ")),
                    Span::styled(format!("{:<22}", i.leaf.expiry_words()), style),
                    Span::raw(format!(
                        " CN={}  issuer {}",
                        i.leaf.subject_cn, i.leaf.issuer_cn
                    )),
                ]))
            }
            Err(e) => ListItem::new(Span::styled(format!("{name}: {e}"), t.fg(Color::Red))),
        })
        .collect();
    if items.is_empty() {
        items.push(ListItem::new(
            "no keys yet: press a to import a .p12 or PEM files",
        ));
    }
    if confirm {
        items.push(ListItem::new(Span::styled(
            "delete this key? y / any other key cancels",
            t.fg(Color::Red),
        )));
    }
    let mut state = ListState::default().with_selected(Some(selected));
    f.render_stateful_widget(
        List::new(items)
            .block(block(t, title, true))
            .highlight_symbol("> ")
            .highlight_style(t.focus(true)),
        r,
        &mut state,
    );
}
