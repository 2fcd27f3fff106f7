//! The status bar: the message of the moment, or the keys of the focused pane.

use super::*;

pub(super) fn draw_status_bar(f: &mut Frame, s: &State, t: &Theme, area: Rect) {
    if let Some(note) = &s.message {
        f.render_widget(
            Paragraph::new(note.text()).style(if note.is_problem() {
                t.fg(Color::Red)
            } else {
                t.fg(Color::Green)
            }),
            area,
        );
        return;
    }
    let keys = match (s.focus, s.field, s.form_tab) {
        (Pane::Profiles, ..) if s.profiles.filter().is_typing() => {
            "type to filter by name or URL  ↑/↓ move  Enter keep  Esc clear"
        }
        (Pane::Profiles, ..) => {
            "↑/↓ show  Enter edit  / filter  Ctrl-R send  Ctrl-P palette  ? help  q quit"
        }
        (Pane::Form, ..) if s.form_idle => {
            "Enter edit  ↑/↓ field  Esc profiles  Ctrl-R send  Ctrl-S save  ? help  q quit"
        }
        (Pane::Form, Field::Method, _) => {
            "←/→ method  Ctrl-N field  Ctrl-T tab  Ctrl-R send  Ctrl-S save  Ctrl-P palette"
        }
        (Pane::Form, Field::Tab, FormTab::Options) => {
            "↑/↓ option  Space toggle  +/- timeout  Ctrl-T tab  Ctrl-R send  Ctrl-S save"
        }
        (Pane::Form, Field::Tab, FormTab::Body) => {
            "TYPING body  Esc leave  Ctrl-E editor  Ctrl-B type  Ctrl-T tab  Ctrl-S save"
        }
        (Pane::Form, ..) => {
            "TYPING  Esc leave  Ctrl-U clear  Enter send  Ctrl-N field  Ctrl-P palette"
        }
        (Pane::Response, ..) => {
            "j/k PgDn scroll  ←/→ tab  / search n/N  r raw  z wrap  y copy  w save  Tab pane"
        }
        (Pane::History, ..) if s.history.filter().is_typing() => {
            "filter: words profile:NAME key:NAME status:4xx|error  Enter apply  Esc cancel"
        }
        (Pane::History, ..) => {
            "Enter show  o form  r re-run  m mark  c compare  / filter  d delete  ? help"
        }
    };
    f.render_widget(Paragraph::new(keys).style(t.fg(Color::DarkGray)), area);
}

#[cfg(test)]
mod tests {
    /// Every key bar of this file fits the status line at 80 columns.
    #[test]
    fn every_key_bar_fits_80_columns() {
        let source = include_str!("status.rs");
        let body = source.split("#[cfg(test)]").next().unwrap_or_default();
        let bars: Vec<&str> = body
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|text| text.contains("  "))
            .collect();
        assert!(bars.len() >= 8, "{bars:?}");
        for bar in bars {
            assert!(
                bar.chars().count() <= 80,
                "{} columns: {bar}",
                bar.chars().count()
            );
        }
    }
}
