//! The process table of this host: its state (the one `Table` over `ProcSource`,
//! whose own settings are the user filter, the tree and its folds, kernel threads),
//! the `[processes]` commands, and its draw under the host header.
//!
//! Commands: `detail` (Enter: the detail popup, loaded by `Effect::LoadDetail`),
//! `signal` / `nice` / `nice-by` / `restart` on the marked rows or the selection
//! (`owners`: policy first, then the menu or the confirmation), `filter-user` (`u`,
//! a menu of the users present), `tree` (`t`), `collapse` (`c`), `kernel-threads`
//! (`K`, which the collector is told too), `follow` (`F`). Moves, marks, sort and the
//! `/` filter are the table's generic commands (`run::table_command`).

mod source;
mod tree;

pub use source::{ProcCol, ProcSource};

use super::Component;
use super::owners::{self, Owners};
use crate::actions::ProcTarget;
use crate::config::Command;
use crate::model::{ProcKey, Process};
use crate::sources::Control;
use crate::tui::data::Data;
use crate::tui::msg::{Act, Effect};
use crate::tui::popup::Popup;
use crate::tui::table::Table;
use crate::tui::table::ops::TableOps;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

pub struct Processes {
    pub table: Table<ProcSource>,
}

impl Default for Processes {
    fn default() -> Self {
        Self::new(false)
    }
}

impl Processes {
    /// Sorted by CPU, busiest first, as top does.
    pub fn new(show_kernel: bool) -> Self {
        let source = ProcSource {
            show_kernel,
            ..ProcSource::default()
        };
        Self {
            table: Table::new(source, Some(ProcCol::Cpu)),
        }
    }

    pub fn selected_process<'a>(&self, data: &'a Data) -> Option<&'a Process> {
        self.table
            .selected(data)
            .map(|i| &data.snapshot.processes[i])
    }

    /// Count, summed CPU% and memory of the marked processes (for the header).
    pub fn marked_totals(&self, data: &Data) -> (usize, f32, u64) {
        let marks = &self.table.state.marks;
        if marks.is_empty() {
            return (0, 0.0, 0);
        }
        data.snapshot
            .processes
            .iter()
            .filter(|p| marks.contains(&p.key()))
            .fold((0, 0.0, 0), |(n, c, m), p| {
                (n + 1, c + p.cpu_percent, m + p.rss_bytes)
            })
    }

    /// Selects the process `key`, making it visible first if the `/` filter, the
    /// user filter, the kernel-thread switch or a folded tree hides it (Enter on a
    /// socket). `false` when it is not in the snapshot (it has exited).
    pub fn reveal(&mut self, data: &Data, key: ProcKey) -> bool {
        let Some(p) = data.snapshot.processes.iter().find(|p| p.key() == key) else {
            return false;
        };
        // The rows may be stale (a table is rebuilt only while shown): judge on fresh ones.
        self.table.state.selected_key = Some(key);
        self.table.rebuild(data);
        if self.selected_process(data).map(Process::key) == Some(key) {
            return true;
        }
        let src = &mut self.table.source;
        src.user = None;
        src.collapsed.clear();
        if p.kernel_thread {
            src.show_kernel = true;
        }
        self.table.set_filter(data, "");
        self.table.state.selected_key = Some(key);
        self.table.rebuild(data);
        true
    }

    fn owners(&self, data: &Data) -> Owners {
        let procs = &data.snapshot.processes;
        Owners::of(
            self.table
                .targets(data)
                .into_iter()
                .map(|i| Some(ProcTarget::from(&procs[i]))),
        )
    }

    fn detail(&self, data: &Data) -> Vec<Act> {
        let Some(p) = self.selected_process(data) else {
            return Vec::new();
        };
        let (pid, starttime) = (p.pid, p.starttime_ticks);
        // The environment's values unmasked: the operator's own processes only.
        let values = !data.operator.name.is_empty() && *p.user == *data.operator.name;
        vec![
            Act::Popup(Popup::Detail {
                pid,
                starttime,
                data: None,
                scroll: 0,
                revealed: None,
            }),
            Act::Effect(Effect::LoadDetail {
                pid,
                starttime,
                values,
            }),
        ]
    }

    /// `u`: the users present, with their process counts, "(all users)" first.
    fn user_menu(&self, data: &Data) -> Vec<Act> {
        let procs = &data.snapshot.processes;
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        for p in procs.iter() {
            *counts.entry(p.user.to_string()).or_default() += 1;
        }
        let mut items = vec![("(all users)".to_string(), procs.len())];
        items.extend(counts);
        let selected = self
            .table
            .source
            .user
            .as_ref()
            .and_then(|u| items.iter().position(|(n, _)| n == u))
            .unwrap_or(0);
        vec![Act::Popup(Popup::UserMenu { items, selected })]
    }

    fn collapse(&mut self, data: &Data) -> Vec<Act> {
        let key = self.selected_process(data).map(Process::key);
        let st = &self.table.state;
        let has_kids = st.rows.get(st.selected).is_some_and(|r| r.has_children);
        let src = &mut self.table.source;
        match key {
            Some(k) if src.tree && (has_kids || src.collapsed.contains(&k)) => {
                if !src.collapsed.remove(&k) {
                    src.collapsed.insert(k);
                }
                self.table.rebuild(data);
                Vec::new()
            }
            _ => vec![Act::info(
                "collapse works on a process with children, in the tree view (t)",
            )],
        }
    }
}

impl Component for Processes {
    fn run(&mut self, cmd: &Command, data: &Data) -> Option<Vec<Act>> {
        Some(match cmd {
            Command::Detail => self.detail(data),
            Command::Signal(sig) => owners::signal(data, self.owners(data), *sig),
            Command::Nice(arg) => owners::nice(data, self.owners(data), *arg),
            Command::Restart => owners::restart(data, self.owners(data)),
            Command::FilterUser(None) => self.user_menu(data),
            Command::FilterUser(Some(u)) => {
                self.table.source.user = Some(u.clone()).filter(|u| !u.is_empty());
                self.table.rebuild(data);
                Vec::new()
            }
            // The user filter goes with the `/` text.
            Command::ClearFilter => {
                self.table.source.user = None;
                if self.table.filter().is_empty() {
                    self.table.rebuild(data);
                } else {
                    self.table.set_filter(data, "");
                }
                Vec::new()
            }
            Command::Tree => {
                self.table.source.tree = !self.table.source.tree;
                self.table.rebuild(data);
                Vec::new()
            }
            Command::Collapse => self.collapse(data),
            Command::KernelThreads => {
                let show = !self.table.source.show_kernel;
                self.table.source.show_kernel = show;
                self.table.rebuild(data);
                vec![Act::Effect(Effect::Collector(Control::KernelThreads(show)))]
            }
            Command::Follow => {
                let st = &mut self.table.state;
                st.follow = !st.follow;
                let on = st.follow;
                vec![Act::info(match (on, self.selected_process(data)) {
                    (true, Some(p)) => format!(
                        "following {} {}",
                        p.pid,
                        crate::model::text::inert(p.display_name(), 64)
                    ),
                    (true, None) => "following the selected row".into(),
                    (false, _) => "follow off".into(),
                })]
            }
            _ => return None,
        })
    }

    fn rebuild(&mut self, data: &Data) {
        self.table.rebuild(data);
    }

    /// What the footer names the table by, with the source's own filters.
    fn title(&self, _data: &Data) -> String {
        let src = &self.table.source;
        let mut t = String::from("processes");
        if src.tree {
            t.push_str(" · tree");
        }
        if let Some(u) = &src.user {
            t.push_str(" · user ");
            t.push_str(&crate::model::text::inert(u, 16));
        }
        t
    }

    fn draw(&self, buf: &mut Buffer, area: Rect, data: &Data, theme: &Theme) {
        if data.snapshot.taken_at_ms == 0 && area.height > 1 && area.width > 2 {
            // The collector's first full scan is still running (rows drawn over it).
            buf.set_stringn(
                area.x + 1,
                area.y + 1,
                "reading processes…",
                (area.width - 1) as usize,
                theme.muted,
            );
        }
        self.table.draw(buf, area, data, theme);
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("help", "help"),
            ("filter", "filter"),
            ("signal", "signal"),
            ("mark", "mark"),
            ("detail", "detail"),
            ("tree", "tree"),
            ("next-screen", "ports"),
            ("quit", "quit"),
        ]
    }

    fn table(&self) -> Option<&dyn TableOps> {
        Some(&self.table)
    }

    fn table_mut(&mut self) -> Option<&mut dyn TableOps> {
        Some(&mut self.table)
    }
}
