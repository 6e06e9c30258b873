//! The one table every list is drawn with (processes, ports, services, sites, hosts,
//! jobs, audit, exec results), shaped like bottom's data table.
//!
//! A table is a `Source` — what its rows are, over a context that holds them
//! (snapshots, the pool's states, jobs, audit records) — and a `Table<S>` around it
//! with everything that is the same for every list: the rows shown (filtered by the
//! `/` text, sorted on any column), the selection and the marks by key, targets,
//! export of what is shown. Rows are indices into the source, so nothing borrows the
//! context between frames and a rebuild sorts indices, never rows.
//!
//! `column` lays columns out, `filter` matches the `/` text, `state` keeps the
//! selection and marks, `draw` puts it on a ratatui buffer. Nothing here knows `App`.

pub mod column;
pub mod draw;
pub mod filter;
pub mod ops;
pub mod state;
#[cfg(test)]
mod tests;

pub use column::Column;
pub use draw::Click;
pub use state::{Row, State};

use crate::tui::theme::Theme;
use ratatui::text::Line;
use std::cmp::Ordering;
use std::fmt::Debug;
use std::hash::Hash;

/// What a table shows. Methods take `&self` so a source can carry its own settings
/// (the process list's tree switch, its user filter) next to the context.
pub trait Source {
    /// Where the rows come from.
    type Ctx;
    /// What identifies a row across refreshes (a process's pid + start time).
    type Key: Clone + Eq + Hash + Debug;
    type Col: Column;
    /// The table's name: the export file's and the JSON array's.
    const NAME: &'static str;

    /// The columns shown, in order (a subset of `Col::all()`, e.g. by a view mode).
    fn columns(&self) -> &'static [Self::Col] {
        Self::Col::all()
    }
    /// How many items the context holds (shown or not).
    fn len(&self, ctx: &Self::Ctx) -> usize;
    fn key(&self, ctx: &Self::Ctx, i: usize) -> Self::Key;
    /// The plain text of a cell: what export writes, and the default cell.
    fn text(&self, ctx: &Self::Ctx, i: usize, col: Self::Col) -> String;
    /// The cell as drawn (styled); by default `text`, made inert.
    fn cell(&self, ctx: &Self::Ctx, i: usize, col: Self::Col, theme: &Theme) -> Line<'static> {
        let text = self.text(ctx, i, col);
        Line::styled(
            crate::model::text::inert(&text, MAX_CELL).into_owned(),
            theme.text,
        )
    }
    /// Ascending order of two items on `col`. Ties are broken by index.
    fn cmp(&self, ctx: &Self::Ctx, a: usize, b: usize, col: Self::Col) -> Ordering;
    /// The texts the `/` filter reads: `full` by substring, `short` fuzzily too.
    fn filter_text(&self, ctx: &Self::Ctx, i: usize, full: &mut String, short: &mut String);
    /// The row as typed JSON (numbers as numbers), for export.
    fn json(&self, ctx: &Self::Ctx, i: usize) -> serde_json::Value;
    /// A filter of the source's own (kernel threads, a user), before the `/` text.
    fn keep(&self, _ctx: &Self::Ctx, _i: usize) -> bool {
        true
    }
    /// The rows to show from the kept items in sorted order: plain rows by default;
    /// a tree nests them here (and may add context rows, sorted with `compare`).
    fn arrange(&self, _ctx: &Self::Ctx, order: Vec<usize>, _sort: Sort<Self::Col>) -> Vec<Row> {
        order.into_iter().map(Row::plain).collect()
    }
}

/// Longest default cell: a screen shows no more, and a huge field must not cost a
/// huge string per frame.
const MAX_CELL: usize = 1024;

/// The order of a table: a column (or the source's own order) and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort<C> {
    pub col: Option<C>,
    pub descending: bool,
}

/// Two items in the table's order: the column's, ties by index, then the direction.
pub fn compare<S: Source>(
    src: &S,
    ctx: &S::Ctx,
    sort: Sort<S::Col>,
    a: usize,
    b: usize,
) -> Ordering {
    let o = match sort.col {
        Some(c) => src.cmp(ctx, a, b, c).then(a.cmp(&b)),
        None => a.cmp(&b),
    };
    if sort.descending { o.reverse() } else { o }
}

/// What `export` gives: the headers, the rows as text, the rows as typed JSON.
pub type Export = (Vec<&'static str>, Vec<Vec<String>>, Vec<serde_json::Value>);

pub struct Table<S: Source> {
    pub source: S,
    pub state: State<S::Key>,
    filter: String,
    sort: Sort<S::Col>,
    /// The source's length at the last rebuild: a context that changed length since
    /// is rebuilt before rows are looked up in it, so no stale index reaches it.
    built_len: usize,
}

impl<S: Source> Table<S> {
    /// An empty table sorted on `col` in its first direction (`None`: the source's
    /// order). `rebuild` fills it.
    pub fn new(source: S, col: Option<S::Col>) -> Self {
        Self {
            source,
            state: State::default(),
            filter: String::new(),
            sort: Sort {
                col,
                descending: col.is_some_and(Column::descending),
            },
            built_len: 0,
        }
    }

    pub fn sort(&self) -> Sort<S::Col> {
        self.sort
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Recomputes the rows shown from `ctx`: kept by the source, passing the filter,
    /// sorted, arranged; selection and marks stay on their keys.
    pub fn rebuild(&mut self, ctx: &S::Ctx) {
        let src = &self.source;
        let len = src.len(ctx);
        let mut filter = filter::Filter::new(&self.filter);
        let mut order: Vec<usize> = (0..len)
            .filter(|&i| {
                src.keep(ctx, i)
                    && filter.as_mut().is_none_or(|f| {
                        f.matches_with(|full, short| src.filter_text(ctx, i, full, short))
                    })
            })
            .collect();
        let sort = self.sort;
        if sort.col.is_some() || sort.descending {
            order.sort_unstable_by(|&a, &b| compare(src, ctx, sort, a, b));
        }
        let rows = src.arrange(ctx, order, sort);
        self.state.set_rows(rows, len, |i| src.key(ctx, i));
        self.built_len = len;
    }

    /// Rebuilds when `ctx` no longer has the length the rows were built over.
    fn fresh(&mut self, ctx: &S::Ctx) {
        if self.source.len(ctx) != self.built_len {
            self.rebuild(ctx);
        }
    }

    /// The index of the selected item (none in an empty view, or one `ctx` no longer
    /// holds when the rows are stale).
    pub fn selected(&self, ctx: &S::Ctx) -> Option<usize> {
        self.state
            .selected_idx()
            .filter(|&i| i < self.source.len(ctx))
    }

    /// The items an action applies to, in view order: the marked ones shown, or,
    /// with no marks, the selection. Marks all hidden by the filter give none: the
    /// operator marked other rows, so the selection is not taken instead.
    pub fn targets(&self, ctx: &S::Ctx) -> Vec<usize> {
        let len = self.source.len(ctx);
        if self.state.marks.is_empty() {
            return self.selected(ctx).into_iter().collect();
        }
        self.state
            .rows
            .iter()
            .map(|r| r.idx)
            .filter(|&i| i < len && self.is_marked(ctx, i))
            .collect()
    }

    pub fn is_marked(&self, ctx: &S::Ctx, i: usize) -> bool {
        self.state.is_marked(i, |i| self.source.key(ctx, i))
    }

    /// How many items are marked (shown or hidden by the filter).
    pub fn marked(&self) -> usize {
        self.state.marks.len()
    }

    pub fn select(&mut self, ctx: &S::Ctx, pos: usize) {
        self.fresh(ctx);
        let src = &self.source;
        self.state.select(pos, |i| src.key(ctx, i));
    }

    pub fn move_by(&mut self, ctx: &S::Ctx, delta: isize) {
        self.fresh(ctx);
        let src = &self.source;
        self.state.move_by(delta, |i| src.key(ctx, i));
    }

    pub fn up(&mut self, ctx: &S::Ctx) {
        self.move_by(ctx, -1);
    }

    pub fn down(&mut self, ctx: &S::Ctx) {
        self.move_by(ctx, 1);
    }

    pub fn page_up(&mut self, ctx: &S::Ctx) {
        self.move_by(ctx, -(self.state.height.max(1) as isize));
    }

    pub fn page_down(&mut self, ctx: &S::Ctx) {
        self.move_by(ctx, self.state.height.max(1) as isize);
    }

    pub fn top(&mut self, ctx: &S::Ctx) {
        self.select(ctx, 0);
    }

    pub fn bottom(&mut self, ctx: &S::Ctx) {
        self.select(ctx, usize::MAX);
    }

    /// Space: marks (or unmarks) the selection and moves down.
    pub fn toggle_mark(&mut self, ctx: &S::Ctx) {
        self.fresh(ctx);
        let src = &self.source;
        self.state.toggle_mark(|i| src.key(ctx, i));
        self.down(ctx);
    }

    /// Ctrl-Space: marks from the last marked row to the selection.
    pub fn mark_range(&mut self, ctx: &S::Ctx) {
        self.fresh(ctx);
        let src = &self.source;
        self.state.mark_range(|i| src.key(ctx, i));
    }

    pub fn clear_marks(&mut self) {
        self.state.clear_marks();
    }

    /// Sorts on `col`: a second time on the same column inverts. `false` when this
    /// table does not show `col` or it does not sort.
    pub fn sort_by(&mut self, ctx: &S::Ctx, col: S::Col) -> bool {
        if !col.sortable() || !self.source.columns().contains(&col) {
            return false;
        }
        if self.sort.col == Some(col) {
            self.sort.descending = !self.sort.descending;
        } else {
            self.sort = Sort {
                col: Some(col),
                descending: col.descending(),
            };
        }
        self.rebuild(ctx);
        true
    }

    /// Sets the order outright (a configured default, `:sort NAME` with a direction).
    pub fn set_sort(&mut self, ctx: &S::Ctx, sort: Sort<S::Col>) {
        self.sort = sort;
        self.rebuild(ctx);
    }

    /// `<` / `>`: sorts on the previous (`step` -1) or next (1) sortable column.
    pub fn sort_step(&mut self, ctx: &S::Ctx, step: isize) {
        let cols: Vec<S::Col> = self
            .source
            .columns()
            .iter()
            .copied()
            .filter(|c| c.sortable())
            .collect();
        if cols.is_empty() {
            return;
        }
        let n = cols.len() as isize;
        let next = match self
            .sort
            .col
            .and_then(|c| cols.iter().position(|x| *x == c))
        {
            Some(i) => (i as isize + step).rem_euclid(n),
            // Unsorted: `>` starts at the first column, `<` at the last.
            None if step > 0 => 0,
            None => n - 1,
        };
        let col = cols[next as usize];
        self.sort = Sort {
            col: Some(col),
            descending: col.descending(),
        };
        self.rebuild(ctx);
    }

    /// `I`: inverts the order (the source's own order too).
    pub fn invert(&mut self, ctx: &S::Ctx) {
        self.sort.descending = !self.sort.descending;
        self.rebuild(ctx);
    }

    pub fn set_filter(&mut self, ctx: &S::Ctx, text: &str) {
        if self.filter != text {
            self.filter = text.to_string();
            self.rebuild(ctx);
        }
    }

    /// Sets the page size to the `height` rows the table area shows (its height less
    /// the header), keeping the selection in view.
    pub fn fit(&mut self, height: usize) {
        self.state.fit(height);
    }

    /// What the table shows, for `:export`: every column of it (narrow-terminal
    /// hiding aside), the rows in view order — only the marked ones with
    /// `marked_only` — as text and as typed JSON.
    pub fn export(&self, ctx: &S::Ctx, marked_only: bool) -> Export {
        let cols = self.source.columns();
        let headers = cols.iter().map(|c| c.title()).collect();
        let len = self.source.len(ctx);
        let shown = self
            .state
            .rows
            .iter()
            .map(|r| r.idx)
            .filter(|&i| i < len && (!marked_only || self.is_marked(ctx, i)));
        let mut text = Vec::new();
        let mut json = Vec::new();
        for i in shown {
            text.push(cols.iter().map(|&c| self.source.text(ctx, i, c)).collect());
            json.push(self.source.json(ctx, i));
        }
        (headers, text, json)
    }
}
