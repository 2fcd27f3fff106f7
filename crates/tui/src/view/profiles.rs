//! The profiles pane.

use super::*;

pub(super) fn draw_profiles(f: &mut Frame, s: &State, t: &Theme, area: Rect) {
    // Until the files are read, the names listed from the folder (a few milliseconds at start).
    let items: Vec<ListItem> = if s.profiles.is_empty() {
        s.listed.iter().map(|n| ListItem::new(n.clone())).collect()
    } else {
        s.profiles
            .iter()
            .map(|p| match &p.result {
                Ok(_) => ListItem::new(p.name.clone()),
                Err(_) => ListItem::new(Span::styled(
                    format!("{} (broken)", p.name),
                    t.fg(Color::Red),
                )),
            })
            .collect()
    };
    let mut state =
        ListState::default().with_selected((!items.is_empty()).then_some(s.selected_profile));
    let list = List::new(items)
        .block(block(t, "Profiles", s.focus == Pane::Profiles))
        .highlight_symbol("> ")
        .highlight_style(t.focus(true));
    f.render_stateful_widget(list, area, &mut state);
}
