//! The profiles pane: the list (narrowed by the filter), or what to do when there is none.

use super::*;

pub(super) fn draw_profiles(f: &mut Frame, s: &State, t: &Theme, area: Rect) {
    let list_area = filtered_pane(
        f,
        t,
        area,
        ("Profiles", &s.profile_query),
        s.profile_filter.as_ref(),
        s.focus == Pane::Profiles,
    );
    // Until the files are read, the names listed from the folder (a few milliseconds at start).
    if s.profiles.is_empty() && !s.listed.is_empty() {
        let items: Vec<ListItem> = s.listed.iter().map(|n| ListItem::new(n.clone())).collect();
        f.render_widget(List::new(items), list_area);
        return;
    }
    if s.profiles.is_empty() {
        let text = "No profiles yet.\n\
            n  new request; paste\n   a curl command\n   into its URL\n\
            Ctrl-K a  import a\n   key or another\n   tool's collection\n\
            ?  every key";
        f.render_widget(Paragraph::new(text).style(t.dim()), list_area);
        return;
    }
    let visible = s.visible_profiles();
    if visible.is_empty() {
        f.render_widget(
            Paragraph::new("nothing matches; / changes the filter, Esc clears it")
                .style(t.dim())
                .wrap(Wrap { trim: true }),
            list_area,
        );
        return;
    }
    let items: Vec<ListItem> = visible
        .iter()
        .map(|&i| {
            let p = &s.profiles[i];
            match &p.result {
                Ok(_) => ListItem::new(p.name.clone()),
                Err(_) => ListItem::new(Span::styled(
                    format!("{} (broken)", p.name),
                    t.fg(Color::Red),
                )),
            }
        })
        .collect();
    let mut state = ListState::default().with_selected(s.selected_row());
    let list = List::new(items)
        .highlight_symbol("> ")
        .highlight_style(t.focus(true));
    f.render_stateful_widget(list, list_area, &mut state);
}
