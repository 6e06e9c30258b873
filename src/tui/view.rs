//! The views behind one interface. A view says what its rows are (`Rows`: the items
//! in a snapshot, their order, the process each row acts on); everything else —
//! moving, marking, filter text, sorting, the targets of an action — comes from the
//! shared `TableState`, through the blanket `View` impl. Commands talk to whichever
//! view is active as a `dyn View`, so no command is written twice.

use super::render::layout::Col;
use super::table_state::{Keyed, Nav, Row, TableState};
use crate::actions::ProcTarget;
use crate::config::SortKey;
use crate::model::Snapshot;

/// Which view is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Procs,
    Ports,
    Services,
    Sites,
}

impl Mode {
    /// Tab's order. Within one site (`:site NAME`) the sites list is skipped.
    pub fn next(self, in_site: bool) -> Self {
        match self {
            Mode::Procs => Mode::Ports,
            Mode::Ports => Mode::Services,
            Mode::Services if in_site => Mode::Procs,
            Mode::Services => Mode::Sites,
            Mode::Sites => Mode::Procs,
        }
    }

    /// The keymap section of the view's keys.
    pub fn section(self) -> crate::config::Section {
        use crate::config::Section;
        match self {
            Mode::Procs => Section::Processes,
            Mode::Ports => Section::Ports,
            Mode::Services => Section::Services,
            Mode::Sites => Section::Sites,
        }
    }

    /// Shift-Tab's order: `next` backwards.
    pub fn prev(self, in_site: bool) -> Self {
        let mut m = self;
        // Three or four views in the cycle: the one before is the one `next` reaches last.
        for _ in 0..if in_site { 2 } else { 3 } {
            m = m.next(in_site);
        }
        m
    }
}

/// The processes an action from a view applies to.
#[derive(Debug, Default)]
pub struct Targets {
    /// Deduplicated, in view order.
    pub procs: Vec<ProcTarget>,
    /// Target rows whose owning process cannot be seen: skipped, and said so.
    pub unknown: usize,
}

/// What a concrete view provides.
pub trait Rows {
    type Item: Keyed;
    const NAME: &'static str;
    fn items<'a>(&self, snap: &'a Snapshot) -> &'a [Self::Item];
    fn state(&self) -> &TableState<<Self::Item as Keyed>::Key>;
    fn state_mut(&mut self) -> &mut TableState<<Self::Item as Keyed>::Key>;
    /// The rows to show, filtered and in order.
    fn ordered(&self, snap: &Snapshot) -> Vec<Row>;
    fn columns(&self) -> &'static [Col];
    /// The process an action on this row acts on.
    fn owner(item: &Self::Item) -> Option<ProcTarget>;
}

/// The object-safe face of every view.
pub trait View {
    fn name(&self) -> &'static str;
    fn nav(&self) -> &Nav;
    fn nav_mut(&mut self) -> &mut Nav;
    fn columns(&self) -> &'static [Col];
    fn rebuild(&mut self, snap: &Snapshot);
    fn select(&mut self, snap: &Snapshot, pos: usize);
    fn move_by(&mut self, snap: &Snapshot, delta: isize);
    fn toggle_mark(&mut self, snap: &Snapshot);
    fn mark_range(&mut self, snap: &Snapshot);
    fn clear_marks(&mut self);
    fn marked(&self) -> usize;
    fn targets(&self, snap: &Snapshot) -> Targets;
    /// The owner of the selected row.
    fn selected_owner(&self, snap: &Snapshot) -> Option<ProcTarget>;

    /// Sorts on `k` (a second time inverts), if this view has that column.
    fn sort_by(&mut self, snap: &Snapshot, k: SortKey) -> bool {
        if !self.columns().iter().any(|c| c.key == Some(k)) {
            return false;
        }
        let nav = self.nav_mut();
        if nav.sort == k {
            nav.descending = !nav.descending;
        } else {
            nav.sort = k;
            nav.descending = default_descending(k);
        }
        self.rebuild(snap);
        true
    }

    /// Moves the sort to the next (`step` 1) or previous (-1) column.
    fn sort_step(&mut self, snap: &Snapshot, step: isize) {
        let keys: Vec<SortKey> = self.columns().iter().filter_map(|c| c.key).collect();
        if keys.is_empty() {
            return;
        }
        let n = keys.len() as isize;
        let i = keys.iter().position(|k| *k == self.nav().sort).unwrap_or(0) as isize;
        let next = keys[((i + step) % n + n) as usize % keys.len()];
        let nav = self.nav_mut();
        nav.sort = next;
        nav.descending = default_descending(next);
        self.rebuild(snap);
    }
}

/// Numbers read best largest first; names alphabetically.
pub fn default_descending(k: SortKey) -> bool {
    matches!(
        k,
        SortKey::Cpu | SortKey::Mem | SortKey::Time | SortKey::Start | SortKey::Conns
    )
}

impl<V: Rows> View for V {
    fn name(&self) -> &'static str {
        V::NAME
    }
    fn nav(&self) -> &Nav {
        &self.state().nav
    }
    fn nav_mut(&mut self) -> &mut Nav {
        &mut self.state_mut().nav
    }
    fn columns(&self) -> &'static [Col] {
        Rows::columns(self)
    }
    fn rebuild(&mut self, snap: &Snapshot) {
        let rows = self.ordered(snap);
        let items = self.items(snap);
        self.state_mut().set_rows(items, rows);
    }
    fn select(&mut self, snap: &Snapshot, pos: usize) {
        let items = self.items(snap);
        self.state_mut().select(items, pos);
    }
    fn move_by(&mut self, snap: &Snapshot, delta: isize) {
        let items = self.items(snap);
        self.state_mut().move_by(items, delta);
    }
    fn toggle_mark(&mut self, snap: &Snapshot) {
        let items = self.items(snap);
        self.state_mut().toggle_mark(items);
    }
    fn mark_range(&mut self, snap: &Snapshot) {
        let items = self.items(snap);
        self.state_mut().mark_range(items);
    }
    fn clear_marks(&mut self) {
        self.state_mut().clear_marks();
    }
    fn marked(&self) -> usize {
        self.state().marks.len()
    }
    fn targets(&self, snap: &Snapshot) -> Targets {
        let mut t = Targets::default();
        for item in self.state().targets(self.items(snap)) {
            match V::owner(item) {
                Some(p) => {
                    if !t
                        .procs
                        .iter()
                        .any(|q| q.pid == p.pid && q.starttime == p.starttime)
                    {
                        t.procs.push(p);
                    }
                }
                None => t.unknown += 1,
            }
        }
        t
    }
    fn selected_owner(&self, snap: &Snapshot) -> Option<ProcTarget> {
        self.state()
            .selected_item(self.items(snap))
            .and_then(V::owner)
    }
}
