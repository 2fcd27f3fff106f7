//! Drawing: profiles, form, response, history, popups and the status bar; touches only visible lines.

use engine::diagnose::kind::DiagnosisKind;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Tabs, Wrap};

use engine::exchange::{BodyFormat, BodyView};
use engine::keys::certinfo::Validity;
use engine::request::profile::BodyType;

use super::options::OptionRow;
use super::state::{
    CompareView, Field, FormTab, ImportKind, ImportStep, Pane, Popup, RespTab, State,
};
use strum::IntoEnumIterator;

mod compare;
mod form;
mod grpc;
mod history;
mod keys;
mod live;
mod palette;
mod popup;
mod problem;
mod profiles;
mod request;
mod response;
mod status;
mod trust;
mod variables;

use compare::*;
use form::*;
use history::*;
use keys::*;
use live::*;
use popup::*;
use profiles::*;
use request::*;
use response::*;
use status::*;

use super::layout::{Areas, areas, list_start, split};

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

struct Theme {
    color: bool,
}

impl Theme {
    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }
    fn focus(&self, on: bool) -> Style {
        match (on, self.color) {
            (true, true) => Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            (true, false) => Style::default().add_modifier(Modifier::BOLD),
            _ => Style::default(),
        }
    }
    fn dim(&self) -> Style {
        self.fg(Color::DarkGray)
    }
    fn status(&self, code: u16) -> Style {
        let c = match code {
            200..=299 => Color::Green,
            300..=399 => Color::Yellow,
            _ => Color::Red,
        };
        self.fg(c).add_modifier(Modifier::BOLD)
    }
}

fn block<'a>(t: &Theme, title: &'a str, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(title, t.focus(focused)))
        .border_style(t.focus(focused))
}

/// A popup over nearly the whole screen (at most 100 columns), cleared: where it draws.
fn large_popup(f: &mut Frame, area: Rect) -> Rect {
    let r = crate::layout::centered(
        area,
        area.width.saturating_sub(2).min(100),
        area.height.saturating_sub(2),
    );
    f.render_widget(Clear, r);
    r
}

/// What is typed at a prompt, with the cursor after it: `/text_`, `> text_`.
fn typed_line(t: &Theme, prompt: &'static str, text: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(prompt, t.fg(Color::Cyan)),
        Span::raw(text),
        Span::styled("_", t.fg(Color::Cyan)),
    ])
}

/// A list pane's box, titled with its filter when one applies, and the filter's input line
/// while it is typed; returns the area left for the list.
fn filtered_pane(
    f: &mut Frame,
    t: &Theme,
    area: Rect,
    (name, query): (&str, &str),
    input: Option<&ratatui_textarea::TextArea<'static>>,
    focused: bool,
) -> Rect {
    let title = if query.is_empty() {
        name.to_string()
    } else {
        format!("{name} [{query}]")
    };
    let outer = block(t, &title, focused);
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let Some(input) = input else {
        return inner;
    };
    let [line, rest] = split(
        Direction::Vertical,
        [Constraint::Length(1), Constraint::Min(0)],
        inner,
    );
    f.render_widget(
        Paragraph::new(typed_line(t, "/", input.lines().join(""))),
        line,
    );
    rest
}

pub fn draw(f: &mut Frame, s: &State) {
    let t = Theme { color: !s.no_color };
    let area = f.area();
    if let Some(b) = &s.banner {
        let top = Rect { height: 1, ..area };
        f.render_widget(
            Paragraph::new(format!(" ! {b}"))
                .style(t.fg(Color::Yellow).add_modifier(Modifier::BOLD)),
            top,
        );
    }
    let Areas {
        profiles,
        history,
        form,
        response,
        bar,
    } = areas(area, s.banner.is_some(), s.focus == Pane::History);
    draw_profiles(f, s, &t, profiles);
    draw_history(f, s, &t, history);
    draw_form(f, s, &t, form);
    draw_response(f, s, &t, response);
    draw_status_bar(f, s, &t, bar);
    if let Some(p) = &s.popup {
        draw_popup(f, s, &t, p, area);
    }
}
