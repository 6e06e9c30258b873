//! What a table remembers between frames: the rows shown (indices into its source,
//! in view order), the selection, scrolling, and the marks.
//!
//! The selection and the marks are kept by key, not by position, so a refresh that
//! reorders or removes rows keeps them on the same things. The state never sees the
//! rows themselves: every operation that needs a key takes `key(idx)`, so it works
//! over any source without borrowing it.

use std::collections::HashSet;
use std::hash::Hash;

/// One row shown: which item, and how a tree draws it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// Index into the source's items.
    pub idx: usize,
    /// Tree connector drawn before the last column (empty outside a tree).
    pub prefix: String,
    pub has_children: bool,
    /// A folded tree node: its children are hidden (drawn with a `+`).
    pub folded: bool,
}

impl Row {
    pub fn plain(idx: usize) -> Self {
        Self {
            idx,
            ..Self::default()
        }
    }
}

#[derive(Debug, Clone)]
pub struct State<K> {
    pub rows: Vec<Row>,
    /// Position of the selection in `rows`.
    pub selected: usize,
    /// First visible row.
    pub offset: usize,
    /// Characters scrolled off the left of the last column.
    pub hscroll: usize,
    /// Keep the selected row in the middle of the screen.
    pub follow: bool,
    /// Rows that fit on screen, from the last `fit`: the page size.
    pub height: usize,
    pub selected_key: Option<K>,
    pub marks: HashSet<K>,
    /// The last row marked or unmarked: where a range mark starts.
    pub anchor: Option<K>,
}

impl<K> Default for State<K> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            selected: 0,
            offset: 0,
            hscroll: 0,
            follow: false,
            height: 1,
            selected_key: None,
            marks: HashSet::new(),
            anchor: None,
        }
    }
}

impl<K: Clone + Eq + Hash> State<K> {
    /// Installs freshly ordered rows over a source of `len` items: marks of items that
    /// are gone are dropped (they would act on nothing; a mark hidden by the filter
    /// stays) and the selection stays on its key.
    pub fn set_rows(&mut self, rows: Vec<Row>, len: usize, key: impl Fn(usize) -> K) {
        self.rows = rows;
        if !self.marks.is_empty() {
            // Look the marks up among the items rather than hashing every item's key.
            let mut alive = HashSet::with_capacity(self.marks.len());
            for i in 0..len {
                let k = key(i);
                if self.marks.contains(&k) {
                    alive.insert(k);
                    if alive.len() == self.marks.len() {
                        break;
                    }
                }
            }
            self.marks = alive;
        }
        if self
            .anchor
            .as_ref()
            .is_some_and(|a| !self.marks.contains(a))
        {
            self.anchor = None;
        }
        if let Some(k) = self.selected_key.clone() {
            if let Some(pos) = self.position(&k, &key) {
                self.selected = pos;
                self.scroll_into_view();
                return;
            }
            // The row left the view: stay at the same height, stop following.
            self.follow = false;
        }
        self.select(self.selected, &key);
    }

    /// Where the item with key `k` is shown.
    pub fn position(&self, k: &K, key: impl Fn(usize) -> K) -> Option<usize> {
        self.rows.iter().position(|r| key(r.idx) == *k)
    }

    /// The index of the selected item.
    pub fn selected_idx(&self) -> Option<usize> {
        self.rows.get(self.selected).map(|r| r.idx)
    }

    pub fn select(&mut self, pos: usize, key: impl Fn(usize) -> K) {
        self.selected = pos.min(self.rows.len().saturating_sub(1));
        self.selected_key = self.selected_idx().map(key);
        self.scroll_into_view();
    }

    pub fn move_by(&mut self, delta: isize, key: impl Fn(usize) -> K) {
        let pos = self.selected.saturating_add_signed(delta);
        self.select(pos, key);
    }

    pub fn toggle_mark(&mut self, key: impl Fn(usize) -> K) {
        if let Some(k) = self.selected_idx().map(key) {
            if !self.marks.remove(&k) {
                self.marks.insert(k.clone());
            }
            self.anchor = Some(k);
        }
    }

    /// Marks every row from the anchor (the last row marked) to the selection; just
    /// the selection when there is no anchor in view.
    pub fn mark_range(&mut self, key: impl Fn(usize) -> K) {
        if self.rows.is_empty() {
            return;
        }
        let sel = self.selected.min(self.rows.len() - 1);
        let from = self
            .anchor
            .clone()
            .and_then(|a| self.position(&a, &key))
            .unwrap_or(sel);
        let (a, b) = (from.min(sel), from.max(sel));
        for r in &self.rows[a..=b] {
            self.marks.insert(key(r.idx));
        }
    }

    pub fn clear_marks(&mut self) {
        self.marks.clear();
        self.anchor = None;
    }

    pub fn is_marked(&self, idx: usize, key: impl Fn(usize) -> K) -> bool {
        !self.marks.is_empty() && self.marks.contains(&key(idx))
    }

    /// Positions of the marked rows, in view order.
    pub fn marked_positions(&self, key: impl Fn(usize) -> K) -> Vec<usize> {
        if self.marks.is_empty() {
            return Vec::new();
        }
        (0..self.rows.len())
            .filter(|&p| self.marks.contains(&key(self.rows[p].idx)))
            .collect()
    }

    /// The first row to draw in `height` rows so the selection is visible (in the
    /// middle when following). Pure, so the drawing and the mouse agree even when
    /// the screen was resized since the last `fit`.
    pub fn offset_for(&self, height: usize) -> usize {
        let height = height.max(1);
        let offset = if self.follow {
            // A followed row stays in the middle, where the eye expects it.
            self.selected.saturating_sub(height / 2)
        } else if self.selected < self.offset {
            self.selected
        } else if self.selected >= self.offset + height {
            self.selected + 1 - height
        } else {
            self.offset
        };
        offset.min(self.rows.len().saturating_sub(height))
    }

    pub fn scroll_into_view(&mut self) {
        self.offset = self.offset_for(self.height);
    }

    /// Sets the page size to `height` rows and keeps the selection in view.
    pub fn fit(&mut self, height: usize) {
        self.height = height.max(1);
        self.scroll_into_view();
    }

    /// Scrolls the last column sideways by `delta` characters.
    pub fn scroll_sideways(&mut self, delta: isize) {
        self.hscroll = self.hscroll.saturating_add_signed(delta);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> Vec<Row> {
        (0..n).map(Row::plain).collect()
    }

    #[test]
    fn the_view_follows_the_selection_and_stays_in_range() {
        let mut s = State::<usize>::default();
        let key = |i: usize| i;
        s.set_rows(rows(100), 100, key);
        s.fit(10);
        s.select(50, key);
        assert_eq!(s.offset, 41, "scrolled just enough");
        s.move_by(-45, key);
        assert_eq!((s.selected, s.offset), (5, 5));
        s.follow = true;
        s.select(50, key);
        assert_eq!(s.offset, 45, "a followed row sits in the middle");
        s.select(usize::MAX, key);
        assert_eq!((s.selected, s.offset), (99, 90), "never past the end");
        s.move_by(isize::MIN, key);
        assert_eq!(s.selected, 0);
        assert_eq!(s.offset_for(3), 0);
    }

    #[test]
    fn empty_tables_are_harmless() {
        let mut s = State::<usize>::default();
        let key = |i: usize| i;
        s.set_rows(Vec::new(), 0, key);
        s.move_by(5, key);
        s.mark_range(key);
        s.toggle_mark(key);
        assert!(s.marks.is_empty());
        assert_eq!(s.selected_idx(), None);
        assert!(s.marked_positions(key).is_empty());
    }
}
