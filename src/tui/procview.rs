//! The process table's rows: which processes are shown (kernel threads, user, filter),
//! in which order, as a flat list or a tree. Selection, marks and scrolling are the
//! shared `TableState`; this file only says what a process row is.

use super::filter::Filter;
use super::render::layout::{Col, PROC_COLUMNS};
use super::table_state::{Keyed, Row, TableState};
use super::tree;
use super::view::Rows;
use crate::actions::ProcTarget;
use crate::config::SortKey;
use crate::model::{ProcKey, Process, Snapshot};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

impl Keyed for Process {
    type Key = ProcKey;
    fn key(&self) -> ProcKey {
        Process::key(self)
    }
}

#[derive(Debug, Clone)]
pub struct ProcView {
    pub table: TableState<ProcKey>,
    pub user: Option<String>,
    pub tree: bool,
    pub collapsed: HashSet<ProcKey>,
    pub show_kernel: bool,
    /// Only this site's processes (`:site NAME`).
    pub site: Option<std::sync::Arc<str>>,
}

impl Default for ProcView {
    fn default() -> Self {
        Self {
            table: TableState::new(SortKey::Cpu, true),
            user: None,
            tree: false,
            collapsed: HashSet::new(),
            show_kernel: false,
            site: None,
        }
    }
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
        SortKey::Unit => a.unit.cmp(&b.unit),
        SortKey::Site => a.site.cmp(&b.site),
        // Columns of other views.
        _ => Ordering::Equal,
    };
    o.then(a.pid.cmp(&b.pid))
}

/// `compare` in the view's direction.
fn ordered(k: SortKey, desc: bool, a: &Process, b: &Process) -> Ordering {
    let o = compare(k, a, b);
    if desc { o.reverse() } else { o }
}

impl Rows for ProcView {
    type Item = Process;
    const NAME: &'static str = "processes";

    fn items<'a>(&self, snap: &'a Snapshot) -> &'a [Process] {
        &snap.processes
    }
    fn state(&self) -> &TableState<ProcKey> {
        &self.table
    }
    fn state_mut(&mut self) -> &mut TableState<ProcKey> {
        &mut self.table
    }
    fn columns(&self) -> &'static [Col] {
        &PROC_COLUMNS
    }
    fn owner(p: &Process) -> Option<ProcTarget> {
        Some(ProcTarget::from(p))
    }

    fn ordered(&self, snap: &Snapshot) -> Vec<Row> {
        let procs = &snap.processes;
        let nav = &self.table.nav;
        let mut filter = Filter::new(&nav.filter);
        let mut order: Vec<usize> = (0..procs.len())
            .filter(|&i| {
                let p = &procs[i];
                (self.show_kernel || !p.kernel_thread)
                    && self.user.as_deref().is_none_or(|u| &*p.user == u)
                    && self
                        .site
                        .as_ref()
                        .is_none_or(|s| p.site.as_ref() == Some(s))
                    && filter.as_mut().is_none_or(|f| f.matches(p))
            })
            .collect();
        let (k, desc) = (nav.sort, nav.descending);
        order.sort_unstable_by(|&a, &b| ordered(k, desc, &procs[a], &procs[b]));
        if !self.tree {
            return order.into_iter().map(Row::plain).collect();
        }
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
    }
}

impl ProcView {
    pub fn selected_process<'a>(&self, snap: &'a Snapshot) -> Option<&'a Process> {
        self.table.selected_item(&snap.processes)
    }

    /// Count, summed CPU% and memory of the marked processes (for the header).
    pub fn marked_totals(&self, snap: &Snapshot) -> (usize, f32, u64) {
        if self.table.marks.is_empty() {
            return (0, 0.0, 0);
        }
        snap.processes
            .iter()
            .filter(|p| self.table.marks.contains(&p.key()))
            .fold((0, 0.0, 0), |(n, c, m), p| {
                (n + 1, c + p.cpu_percent, m + p.rss_bytes)
            })
    }

    /// Selects the process `key`, making it visible first if a filter, the user
    /// filter, the kernel-thread switch or a folded tree hides it. `false` when it is
    /// not in the snapshot (it has exited).
    pub fn reveal(&mut self, snap: &Snapshot, key: ProcKey) -> bool {
        let Some(p) = snap.processes.iter().find(|p| p.key() == key) else {
            return false;
        };
        // Rows may be stale (this view is rebuilt only while shown): judge on fresh ones.
        self.table.selected_key = Some(key);
        crate::tui::view::View::rebuild(self, snap);
        if self.table.selected_item(&snap.processes).map(Process::key) != Some(key) {
            self.table.nav.filter.clear();
            self.user = None;
            if p.kernel_thread {
                self.show_kernel = true;
            }
            self.collapsed.clear();
            self.table.selected_key = Some(key);
            crate::tui::view::View::rebuild(self, snap);
        }
        true
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
