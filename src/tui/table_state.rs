//! The state every table view shares — rows shown, selection, scrolling, marks,
//! filter text and sort — and the operations on it, written once for any row type
//! with a stable key (a process's pid + starttime, a socket's inode + holder).
//!
//! The selection and the marks are kept by key, not by position, so a refresh that
//! reorders or removes rows keeps them on the same things.

use crate::config::SortKey;
use std::collections::HashSet;
use std::hash::Hash;

/// What identifies a row across refreshes.
pub trait Keyed {
    type Key: Clone + Eq + Hash + std::fmt::Debug;
    fn key(&self) -> Self::Key;
}

#[derive(Debug, Clone, Default)]
pub struct Row {
    /// Index into the snapshot's items.
    pub idx: usize,
    /// Tree connector drawn before the last column (empty outside a tree).
    pub prefix: String,
    pub has_children: bool,
}

impl Row {
    pub fn plain(idx: usize) -> Self {
        Self {
            idx,
            ..Self::default()
        }
    }
}

/// The key-independent part: what the renderer and the generic commands use.
#[derive(Debug, Clone)]
pub struct Nav {
    pub rows: Vec<Row>,
    pub selected: usize,
    /// First visible row.
    pub offset: usize,
    /// Characters scrolled off the left of the last column.
    pub hscroll: usize,
    pub filter: String,
    pub sort: SortKey,
    pub descending: bool,
    /// Keep the selected row in the middle of the screen.
    pub follow: bool,
}

impl Nav {
    pub fn new(sort: SortKey, descending: bool) -> Self {
        Self {
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            hscroll: 0,
            filter: String::new(),
            sort,
            descending,
            follow: false,
        }
    }

    /// Keeps the selection within the `height` visible rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.follow {
            // A followed row stays in the middle, where the eye expects it.
            self.offset = self.selected.saturating_sub(height / 2);
        } else if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(height));
    }
}

#[derive(Debug, Clone)]
pub struct TableState<K> {
    pub nav: Nav,
    pub selected_key: Option<K>,
    pub marks: HashSet<K>,
    pub mark_anchor: Option<K>,
}

impl<K: Clone + Eq + Hash> TableState<K> {
    pub fn new(sort: SortKey, descending: bool) -> Self {
        Self {
            nav: Nav::new(sort, descending),
            selected_key: None,
            marks: HashSet::new(),
            mark_anchor: None,
        }
    }

    /// Installs freshly ordered rows over `items`: marks of rows that are gone are
    /// dropped (they would act on nothing) and the selection stays on its key.
    pub fn set_rows<T: Keyed<Key = K>>(&mut self, items: &[T], rows: Vec<Row>) {
        self.nav.rows = rows;
        if !self.marks.is_empty() {
            let alive: HashSet<K> = items.iter().map(Keyed::key).collect();
            self.marks.retain(|k| alive.contains(k));
        }
        if let Some(key) = self.selected_key.clone() {
            if let Some(pos) = self.position(items, key) {
                self.nav.selected = pos;
                return;
            }
            // The row left the view: stay at the same height, stop following.
            self.nav.follow = false;
        }
        let pos = self.nav.selected;
        self.select(items, pos);
    }

    fn position<T: Keyed<Key = K>>(&self, items: &[T], key: K) -> Option<usize> {
        self.nav.rows.iter().position(|r| items[r.idx].key() == key)
    }

    pub fn select<T: Keyed<Key = K>>(&mut self, items: &[T], pos: usize) {
        self.nav.selected = pos.min(self.nav.rows.len().saturating_sub(1));
        self.selected_key = self.selected_item(items).map(Keyed::key);
    }

    pub fn move_by<T: Keyed<Key = K>>(&mut self, items: &[T], delta: isize) {
        let pos = (self.nav.selected as isize + delta).max(0) as usize;
        self.select(items, pos);
    }

    pub fn selected_item<'a, T>(&self, items: &'a [T]) -> Option<&'a T> {
        self.nav
            .rows
            .get(self.nav.selected)
            .and_then(|r| items.get(r.idx))
    }

    pub fn toggle_mark<T: Keyed<Key = K>>(&mut self, items: &[T]) {
        if let Some(key) = self.selected_item(items).map(Keyed::key) {
            if !self.marks.remove(&key) {
                self.marks.insert(key.clone());
            }
            self.mark_anchor = Some(key);
        }
    }

    /// Marks every row from the last marked one to the selection.
    pub fn mark_range<T: Keyed<Key = K>>(&mut self, items: &[T]) {
        let sel = self.nav.selected;
        let anchor = self
            .mark_anchor
            .clone()
            .and_then(|k| self.position(items, k))
            .unwrap_or(sel);
        let (a, b) = (anchor.min(sel), anchor.max(sel));
        let end = b.min(self.nav.rows.len().saturating_sub(1));
        if self.nav.rows.is_empty() {
            return;
        }
        for r in &self.nav.rows[a..=end] {
            self.marks.insert(items[r.idx].key());
        }
    }

    pub fn clear_marks(&mut self) {
        self.marks.clear();
        self.mark_anchor = None;
    }

    pub fn is_marked<T: Keyed<Key = K>>(&self, item: &T) -> bool {
        !self.marks.is_empty() && self.marks.contains(&item.key())
    }

    /// The rows an action applies to, in view order: the marked ones, or else the
    /// selection.
    pub fn targets<'a, T: Keyed<Key = K>>(&self, items: &'a [T]) -> Vec<&'a T> {
        if self.marks.is_empty() {
            return self.selected_item(items).into_iter().collect();
        }
        self.nav
            .rows
            .iter()
            .map(|r| &items[r.idx])
            .filter(|t| self.marks.contains(&t.key()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Item(u32);
    impl Keyed for Item {
        type Key = u32;
        fn key(&self) -> u32 {
            self.0
        }
    }

    #[test]
    fn selection_and_marks_follow_keys_across_reorders() {
        let items = vec![Item(10), Item(20), Item(30)];
        let mut t = TableState::<u32>::new(SortKey::Pid, false);
        t.set_rows(&items, (0..3).map(Row::plain).collect());
        t.select(&items, 1);
        t.toggle_mark(&items);
        // Reversed order, and 10 gone: the selection stays on 20, the mark too.
        let items2 = vec![Item(30), Item(20)];
        t.set_rows(&items2, (0..2).map(Row::plain).collect());
        assert_eq!(t.nav.selected, 1);
        assert_eq!(t.selected_item(&items2).map(|i| i.0), Some(20));
        assert_eq!(
            t.targets(&items2).iter().map(|i| i.0).collect::<Vec<_>>(),
            vec![20]
        );
        t.select(&items2, 0);
        t.mark_range(&items2);
        assert_eq!(t.targets(&items2).len(), 2);
        t.clear_marks();
        assert_eq!(
            t.targets(&items2).iter().map(|i| i.0).collect::<Vec<_>>(),
            vec![30]
        );
    }

    #[test]
    fn empty_tables_are_harmless() {
        let items: Vec<Item> = Vec::new();
        let mut t = TableState::<u32>::new(SortKey::Pid, false);
        t.set_rows(&items, Vec::new());
        t.move_by(&items, 5);
        t.mark_range(&items);
        t.toggle_mark(&items);
        assert!(t.targets(&items).is_empty());
        assert_eq!(t.nav.selected, 0);
    }
}
