//! The history pane's state: its rows, the selection, the marks for a comparison and its filter.

use engine::history::Summary;

use super::list_filter::{Applies, ListFilter};
use super::{EntryRef, HistoryRow, Shown};

/// A comparison takes two entries: a third mark drops the oldest.
const MARKS: usize = 2;

#[derive(Debug)]
pub struct HistoryPane {
    rows: Vec<HistoryRow>,
    selected: usize,
    /// Entries marked with `m`, oldest first.
    marked: Vec<EntryRef>,
    /// Applied on Enter: the store runs the query.
    filter: ListFilter,
    /// Ids for sends that are not recorded (history off or unavailable): 1, 2, ...
    next_local_id: u32,
}

impl Default for HistoryPane {
    fn default() -> Self {
        HistoryPane {
            rows: Vec::new(),
            selected: 0,
            marked: Vec::new(),
            filter: ListFilter::new(Applies::OnEnter),
            next_local_id: 1,
        }
    }
}

impl HistoryPane {
    pub fn rows(&self) -> &[HistoryRow] {
        &self.rows
    }

    pub fn selected(&self) -> usize {
        self.selected
    }

    pub fn selected_row(&self) -> Option<&HistoryRow> {
        self.rows.get(self.selected)
    }

    pub fn row_of(&self, entry: EntryRef) -> Option<&HistoryRow> {
        self.rows.iter().find(|r| r.entry == entry)
    }

    pub fn marked(&self) -> &[EntryRef] {
        &self.marked
    }

    pub fn filter(&self) -> &ListFilter {
        &self.filter
    }

    pub fn filter_mut(&mut self) -> &mut ListFilter {
        &mut self.filter
    }

    /// A finished send goes on top, selected; one the store did not keep holds its whole send
    /// and gets the next local id. Returns the entry it is.
    pub fn add(&mut self, summary: Summary, shown: &Shown) -> EntryRef {
        let entry = match summary.id {
            Some(id) => EntryRef::Stored(id),
            None => {
                self.next_local_id += 1;
                EntryRef::Local(self.next_local_id - 1)
            }
        };
        let held = matches!(entry, EntryRef::Local(_)).then(|| {
            let mut shown = shown.clone();
            shown.id = entry;
            Box::new(shown)
        });
        self.rows.insert(
            0,
            HistoryRow {
                entry,
                summary,
                held,
            },
        );
        self.selected = 0;
        entry
    }

    /// The store's rows for the filter applied, with this session's unrecorded sends kept,
    /// newest first; the selection stays in range.
    pub fn loaded(&mut self, stored: Vec<Summary>) {
        let held = self
            .rows
            .drain(..)
            .filter(|r| matches!(r.entry, EntryRef::Local(_)));
        let stored = stored.into_iter().map(|summary| HistoryRow {
            entry: EntryRef::Stored(summary.id.unwrap_or_default()),
            summary,
            held: None,
        });
        let mut rows: Vec<HistoryRow> = held.chain(stored).collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.summary.at_ms));
        self.rows = rows;
        self.keep_in_range();
    }

    /// The first row (a new filter's result).
    pub fn select_first(&mut self) {
        self.selected = 0;
    }

    /// Row `row` if there is one; whether it was.
    pub fn select(&mut self, row: usize) -> bool {
        let there = row < self.rows.len();
        if there {
            self.selected = row;
        }
        there
    }

    /// One row down or up, stopping at the ends.
    pub fn step(&mut self, down: bool) {
        self.selected = if down {
            (self.selected + 1).min(self.rows.len().saturating_sub(1))
        } else {
            self.selected.saturating_sub(1)
        };
    }

    /// `m`: the selected entry marked, or unmarked if it was.
    pub fn toggle_mark(&mut self) {
        let Some(entry) = self.selected_row().map(|r| r.entry) else {
            return;
        };
        if let Some(i) = self.marked.iter().position(|m| *m == entry) {
            self.marked.remove(i);
        } else {
            self.marked.push(entry);
            if self.marked.len() > MARKS {
                self.marked.remove(0);
            }
        }
    }

    /// An entry deleted from the store is no longer marked (its row goes when the list reloads).
    pub fn forget(&mut self, entry: EntryRef) {
        self.marked.retain(|m| *m != entry);
    }

    /// The selected row gone, if it is an unrecorded send (stored ones are deleted in the store).
    pub fn remove_selected_local(&mut self) {
        if matches!(
            self.selected_row().map(|r| r.entry),
            Some(EntryRef::Local(_))
        ) {
            let entry = self.rows.remove(self.selected).entry;
            self.forget(entry);
            self.keep_in_range();
        }
    }

    /// Every row and mark gone (the history cleared).
    pub fn clear(&mut self) {
        self.rows.clear();
        self.marked.clear();
        self.selected = 0;
    }

    fn keep_in_range(&mut self) {
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
    }
}
