//! The profiles pane's state: the profiles read from the folder, the selection and the filter.

use engine::request::profile_dir::LoadedProfile;

use super::list_filter::{Applies, ListFilter};

#[derive(Debug)]
pub struct ProfilesPane {
    items: Vec<LoadedProfile>,
    /// Names listed from the folder while the profiles are not read yet (the first frame).
    listed: Vec<String>,
    /// An index into `items` (it may be filtered out of view).
    selected: usize,
    /// Applied as typed, on the name or the URL.
    filter: ListFilter,
}

impl Default for ProfilesPane {
    fn default() -> Self {
        ProfilesPane {
            items: Vec::new(),
            listed: Vec::new(),
            selected: 0,
            filter: ListFilter::new(Applies::AsTyped),
        }
    }
}

impl ProfilesPane {
    pub fn items(&self) -> &[LoadedProfile] {
        &self.items
    }

    /// The names shown before the profiles are read.
    pub fn listed(&self) -> &[String] {
        &self.listed
    }

    /// Names are listed and the profiles not read yet (keys wait, the names are shown).
    pub fn reading(&self) -> bool {
        self.items.is_empty() && !self.listed.is_empty()
    }

    pub fn filter(&self) -> &ListFilter {
        &self.filter
    }

    pub fn filter_mut(&mut self) -> &mut ListFilter {
        &mut self.filter
    }

    /// The first frame's names, unless the profiles are already read.
    pub fn names_listed(&mut self, names: Vec<String>) {
        if self.items.is_empty() {
            self.listed = names;
        }
    }

    /// The profiles as read from the folder; the selection follows `follow` (the form's
    /// profile) when it is among them, else stays in range.
    pub fn loaded(&mut self, items: Vec<LoadedProfile>, follow: &str) {
        self.listed.clear();
        self.items = items;
        self.selected = self
            .position(follow)
            .unwrap_or(self.selected.min(self.items.len().saturating_sub(1)));
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.items.iter().position(|p| p.name == name)
    }

    pub fn selected_index(&self) -> usize {
        self.selected
    }

    pub fn selected(&self) -> Option<&LoadedProfile> {
        self.items.get(self.selected)
    }

    /// Profile `i` selected, if there is one.
    pub fn select(&mut self, i: usize) {
        if i < self.items.len() {
            self.selected = i;
        }
    }

    /// The profiles the list shows: those whose name or URL holds the filter (any case).
    pub fn visible(&self) -> Vec<usize> {
        let needle = self.filter.applied().to_lowercase();
        (0..self.items.len())
            .filter(|&i| {
                let p = &self.items[i];
                needle.is_empty()
                    || p.name.to_lowercase().contains(&needle)
                    || p.result
                        .as_ref()
                        .is_ok_and(|p| p.url.to_lowercase().contains(&needle))
            })
            .collect()
    }

    /// The selection's row among the profiles shown (None: it is filtered out).
    pub fn selected_row(&self) -> Option<usize> {
        self.visible().iter().position(|&i| i == self.selected)
    }

    /// The profile on row `row` of those shown selected; whether there was one.
    pub fn select_row(&mut self, row: usize) -> bool {
        match self.visible().get(row) {
            Some(&i) => {
                self.selected = i;
                true
            }
            None => false,
        }
    }

    /// One row down or up among those shown (the first when the selection is filtered out);
    /// whether there was a row to go to.
    pub fn step(&mut self, down: bool) -> bool {
        let visible = self.visible();
        let Some(&last) = visible.last() else {
            return false;
        };
        self.selected = match self.selected_row() {
            Some(row) if down => visible.get(row + 1).copied().unwrap_or(last),
            Some(row) => visible[row.saturating_sub(1)],
            None => visible[0],
        };
        true
    }

    /// After the filter changed: the first row shown selected if the selection was filtered
    /// out; whether it moved.
    pub fn keep_in_view(&mut self) -> bool {
        if self.selected_row().is_some() {
            return false;
        }
        self.select_row(0)
    }
}
