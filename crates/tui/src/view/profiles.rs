//! The profiles pane: the list (narrowed by the filter), or what to do when there is none.

use super::*;

pub(super) fn draw_profiles(f: &mut Frame, s: &State, t: &Theme, area: Rect) {
    let list_area = filtered_pane(
        f,
        t,
        area,
        ("Profiles", s.profiles.filter().applied()),
        s.profiles.filter().typing(),
        s.focus == Pane::Profiles,
    );
    // Until the files are read, the names listed from the folder (a few milliseconds at start).
    if s.profiles.reading() {
        let items: Vec<ListItem> = (s.profiles.listed().iter())
            .map(|n| ListItem::new(n.clone()))
            .collect();
        f.render_widget(List::new(items), list_area);
        return;
    }
    if s.profiles.items().is_empty() {
        let text = "No profiles yet.\n\
            n  new request; paste\n   a curl command\n   into its URL\n\
            Ctrl-K a  import a\n   key or another\n   tool's collection\n\
            ?  every key";
        f.render_widget(Paragraph::new(text).style(t.dim()), list_area);
        return;
    }
    let visible = s.profiles.visible();
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
            let p = &s.profiles.items()[i];
            match &p.result {
                Ok(_) => ListItem::new(p.name.clone()),
                Err(_) => ListItem::new(Span::styled(
                    format!("{} (broken)", p.name),
                    t.fg(Color::Red),
                )),
            }
        })
        .collect();
    let mut state = ListState::default().with_selected(s.profiles.selected_row());
    let list = List::new(items)
        .highlight_symbol("> ")
        .highlight_style(t.focus(true));
    f.render_stateful_widget(list, list_area, &mut state);
}
