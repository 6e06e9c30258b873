//! The process table's state: which rows are shown, in which order, which are marked
//! and selected. Rebuilt when a snapshot arrives or a sort/filter changes — never per
//! frame — and the selection always stays on the same process (pid + starttime).

use super::filter::Filter;
use super::tree;
use crate::config::SortKey;
use crate::model::{ProcKey, Process, Snapshot};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Default)]
pub struct Row {
    /// Index into `snapshot.processes`.
    pub idx: usize,
    /// Tree connector drawn before the command (empty outside the tree view).
    pub prefix: String,
    pub has_children: bool,
}

#[derive(Debug, Clone)]
pub struct ProcView {
    pub rows: Vec<Row>,
    pub sort: SortKey,
    pub descending: bool,
    pub filter: String,
    pub user: Option<String>,
    pub tree: bool,
    pub collapsed: HashSet<ProcKey>,
    pub marks: HashSet<ProcKey>,
    pub mark_anchor: Option<ProcKey>,
    pub selected: usize,
    pub selected_key: Option<ProcKey>,
    /// First visible row.
    pub offset: usize,
    /// Characters scrolled off the left of the command column.
    pub hscroll: usize,
    pub follow: bool,
    pub show_kernel: bool,
}

impl Default for ProcView {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            sort: SortKey::Cpu,
            descending: true,
            filter: String::new(),
            user: None,
            tree: false,
            collapsed: HashSet::new(),
            marks: HashSet::new(),
            mark_anchor: None,
            selected: 0,
            selected_key: None,
            offset: 0,
            hscroll: 0,
            follow: false,
            show_kernel: false,
        }
    }
}

/// Numbers read best largest first; names alphabetically.
pub fn default_descending(k: SortKey) -> bool {
    matches!(
        k,
        SortKey::Cpu | SortKey::Mem | SortKey::Time | SortKey::Start
    )
}

fn compare(k: SortKey, a: &Process, b: &Process) -> Ordering {
    let o = match k {
        SortKey::Pid => a.pid.cmp(&b.pid),
        SortKey::User => a.user.cmp(&b.user),
        SortKey::Nice => a.nice.cmp(&b.nice),
        SortKey::State => a.state.cmp(&b.state),
        SortKey::Cpu => a.cpu_percent.total_cmp(&b.cpu_percent),
        SortKey::Mem => a.rss_bytes.cmp(&b.rss_bytes),
        SortKey::Time => a.cpu_ticks.cmp(&b.cpu_ticks),
        SortKey::Start => a.starttime_ticks.cmp(&b.starttime_ticks),
        SortKey::Command => a.display_name().cmp(b.display_name()),
    };
    o.then(a.pid.cmp(&b.pid))
}

/// `compare` in the view's direction.
fn ordered(k: SortKey, desc: bool, a: &Process, b: &Process) -> Ordering {
    let o = compare(k, a, b);
    if desc { o.reverse() } else { o }
}

impl ProcView {
    /// Recomputes the rows from `snap`, keeping the selection on its process.
    pub fn rebuild(&mut self, snap: &Snapshot) {
        let procs = &snap.processes;
        let mut filter = Filter::new(&self.filter);
        let mut order: Vec<usize> = (0..procs.len())
            .filter(|&i| {
                let p = &procs[i];
                (self.show_kernel || !p.kernel_thread)
                    && self.user.as_deref().is_none_or(|u| &*p.user == u)
                    && filter.as_mut().is_none_or(|f| f.matches(p))
            })
            .collect();
        let (k, desc) = (self.sort, self.descending);
        order.sort_unstable_by(|&a, &b| ordered(k, desc, &procs[a], &procs[b]));
        self.rows = if self.tree {
            if filter.is_some() || self.user.is_some() {
                order = with_ancestors(procs, order, k, desc);
            }
            tree::build(procs, &order, &self.collapsed)
                .into_iter()
                .map(|t| Row {
                    idx: t.idx,
                    prefix: t.prefix,
                    has_children: t.has_children,
                })
                .collect()
        } else {
            order
                .into_iter()
                .map(|idx| Row {
                    idx,
                    ..Row::default()
                })
                .collect()
        };
        // Marks of processes that are gone would act on nothing: drop them.
        if !self.marks.is_empty() {
            let alive: HashSet<ProcKey> = procs.iter().map(Process::key).collect();
            self.marks.retain(|k| alive.contains(k));
        }
        self.reselect(snap);
    }

    fn reselect(&mut self, snap: &Snapshot) {
        if let Some(key) = self.selected_key {
            if let Some(pos) = self
                .rows
                .iter()
                .position(|r| snap.processes[r.idx].key() == key)
            {
                self.selected = pos;
                return;
            }
            // The process left the view: stay at the same height, stop following.
            self.follow = false;
        }
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        self.selected_key = self
            .rows
            .get(self.selected)
            .map(|r| snap.processes[r.idx].key());
    }

    pub fn select(&mut self, snap: &Snapshot, pos: usize) {
        self.selected = pos.min(self.rows.len().saturating_sub(1));
        self.selected_key = self
            .rows
            .get(self.selected)
            .map(|r| snap.processes[r.idx].key());
    }

    pub fn move_by(&mut self, snap: &Snapshot, delta: isize) {
        let pos = (self.selected as isize + delta).max(0) as usize;
        self.select(snap, pos);
    }

    /// Keeps the selection within the `height` visible rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.follow {
            // A followed process stays in the middle, where the eye expects it.
            self.offset = self.selected.saturating_sub(height / 2);
        } else if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(height));
    }

    pub fn selected_process<'a>(&self, snap: &'a Snapshot) -> Option<&'a Process> {
        self.rows.get(self.selected).map(|r| &snap.processes[r.idx])
    }

    pub fn toggle_mark(&mut self, snap: &Snapshot) {
        if let Some(key) = self.selected_process(snap).map(Process::key) {
            if !self.marks.remove(&key) {
                self.marks.insert(key);
            }
            self.mark_anchor = Some(key);
        }
    }

    /// Marks every row from the last marked one to the selection.
    pub fn mark_range(&mut self, snap: &Snapshot) {
        let anchor = self
            .mark_anchor
            .and_then(|k| {
                self.rows
                    .iter()
                    .position(|r| snap.processes[r.idx].key() == k)
            })
            .unwrap_or(self.selected);
        let (a, b) = (anchor.min(self.selected), anchor.max(self.selected));
        for r in &self.rows[a..=b.min(self.rows.len().saturating_sub(1))] {
            self.marks.insert(snap.processes[r.idx].key());
        }
    }

    /// The processes an action applies to: the marked ones, or else the selection.
    pub fn targets<'a>(&self, snap: &'a Snapshot) -> Vec<&'a Process> {
        if self.marks.is_empty() {
            return self.selected_process(snap).into_iter().collect();
        }
        self.rows
            .iter()
            .map(|r| &snap.processes[r.idx])
            .filter(|p| self.marks.contains(&p.key()))
            .collect()
    }

    /// Count, summed CPU% and memory of the marked processes (for the header).
    pub fn marked_totals(&self, snap: &Snapshot) -> (usize, f32, u64) {
        if self.marks.is_empty() {
            return (0, 0.0, 0);
        }
        snap.processes
            .iter()
            .filter(|p| self.marks.contains(&p.key()))
            .fold((0, 0.0, 0), |(n, c, m), p| {
                (n + 1, c + p.cpu_percent, m + p.rss_bytes)
            })
    }
}

/// Adds the ancestors of every kept process, so a filtered tree keeps its context.
fn with_ancestors(procs: &[Process], order: Vec<usize>, k: SortKey, desc: bool) -> Vec<usize> {
    let by_pid: HashMap<i32, usize> = procs.iter().enumerate().map(|(i, p)| (p.pid, i)).collect();
    let mut keep: HashSet<usize> = order.iter().copied().collect();
    for &i in &order {
        let mut p = &procs[i];
        while let Some(&parent) = by_pid.get(&p.ppid) {
            if parent == i || !keep.insert(parent) {
                break;
            }
            p = &procs[parent];
        }
    }
    let mut all: Vec<usize> = keep.into_iter().collect();
    all.sort_unstable_by(|&a, &b| ordered(k, desc, &procs[a], &procs[b]));
    all
}
