//! The four panes of the workbench, in the order Tab (and 1-4) goes through them.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Profiles,
    Form,
    Response,
    History,
}

impl Pane {
    pub const ORDER: [Pane; 4] = [Pane::Profiles, Pane::Form, Pane::Response, Pane::History];
}
