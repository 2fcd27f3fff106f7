//! The variables popup (`v`): every variable with its value (masked when secret) and where it
//! comes from, and the line where one is set for the session.

use super::*;
use engine::request::variables::VarSource;

fn source_words(source: &VarSource) -> String {
    match source {
        VarSource::Given => "set here or --var".into(),
        VarSource::Captured { by } => format!("captured by {by}"),
        VarSource::Environment(e) => format!("environment {e}"),
        VarSource::File => "vars.toml".into(),
    }
}

pub(super) fn draw_variables(
    f: &mut Frame,
    s: &State,
    t: &Theme,
    selected: usize,
    editing: Option<&crate::state::VarEdit>,
    area: Rect,
) {
    let r = large_popup(f, area);
    let dim = t.fg(Color::DarkGray);
    let mut lines = Vec::new();
    if s.variables.is_empty() {
        lines.push(Line::from(Span::styled(
            "no variables: vars.toml beside the profiles, an environment (e), a capture, or n sets one here",
            dim,
        )));
    }
    for (i, v) in s.variables.iter().enumerate() {
        let style = if i == selected {
            t.focus(true)
        } else {
            Style::default()
        };
        let mut spans = vec![
            Span::styled(format!("{} = {}", v.name, v.shown), style),
            Span::styled(format!("  {}", source_words(&v.source)), t.fg(Color::Cyan)),
        ];
        if !v.shadowed.is_empty() {
            let under: Vec<String> = v.shadowed.iter().map(source_words).collect();
            spans.push(Span::styled(format!(" (over {})", under.join(", ")), dim));
        }
        lines.push(Line::from(spans));
    }
    if let Some(line) = editing {
        lines.push(Line::from(""));
        let text = line.input.lines().join("");
        let shown = if text.is_empty() && line.name.is_none() {
            Span::styled("NAME=VALUE", dim)
        } else {
            Span::raw(text)
        };
        lines.push(Line::from(vec![
            Span::styled(
                match &line.name {
                    Some(name) => format!("{name} for this session: "),
                    None => "set for this session: ".to_string(),
                },
                t.fg(Color::Cyan),
            ),
            shown,
            Span::styled("_  Enter sets, Esc leaves it", t.fg(Color::Cyan)),
        ]));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(
                t,
                "Variables: Enter set for this session  n new  x forget captures  Esc",
                true,
            )),
        r,
    );
}
