//! The process table's rows over `Data`: its columns (`ProcCol`), how each cell reads
//! and sorts, what the `/` filter sees, the JSON of a row (the schema of `qd snapshot
//! --json`), and the source's own settings — a user filter, kernel threads, the site
//! in focus (`Data.site`) and the tree, whose rows `arrange` nests under their parents
//! (keeping the ancestors of what a filter leaves, so a filtered tree has context).

use super::tree;
use crate::model::format::{cpu_time, human_bytes, start_time};
use crate::model::text::inert;
use crate::model::{ProcKey, Process};
use crate::tui::data::Data;
use crate::tui::table::{Column, Row, Sort, Source, compare};
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};
use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt::Write;

/// Longest command text built per cell: the screen shows at most this much anyway,
/// and a multi-MB argv must not cost a multi-MB string per frame.
const MAX_COMMAND: usize = 2048;
/// Longest text of a cell in an export: a whole argv, within reason.
const MAX_EXPORT: usize = 32 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcCol {
    Pid,
    User,
    Nice,
    State,
    Cpu,
    Mem,
    Time,
    Start,
    Command,
}

impl Column for ProcCol {
    fn all() -> &'static [Self] {
        use ProcCol::*;
        &[Pid, User, Nice, State, Cpu, Mem, Time, Start, Command]
    }
    fn title(self) -> &'static str {
        match self {
            ProcCol::Pid => "PID",
            ProcCol::User => "USER",
            ProcCol::Nice => "NI",
            ProcCol::State => "S",
            ProcCol::Cpu => "CPU%",
            ProcCol::Mem => "MEM",
            ProcCol::Time => "TIME+",
            ProcCol::Start => "START",
            ProcCol::Command => "COMMAND",
        }
    }
    fn width(self) -> u16 {
        match self {
            ProcCol::Pid => 7,
            ProcCol::User => 9,
            ProcCol::Nice => 3,
            ProcCol::State => 1,
            ProcCol::Cpu => 5,
            ProcCol::Mem => 6,
            ProcCol::Time => 9,
            ProcCol::Start => 5,
            ProcCol::Command => 0,
        }
    }
    fn right(self) -> bool {
        use ProcCol::*;
        matches!(self, Pid | Nice | Cpu | Mem | Time)
    }
    fn priority(self) -> u8 {
        match self {
            ProcCol::Time => 1,
            ProcCol::Start => 2,
            _ => 0,
        }
    }
    fn descending(self) -> bool {
        // Amounts read best largest first, start times newest first.
        use ProcCol::*;
        matches!(self, Cpu | Mem | Time | Start)
    }
    fn name(self) -> &'static str {
        match self {
            ProcCol::Pid => "pid",
            ProcCol::User => "user",
            ProcCol::Nice => "nice",
            ProcCol::State => "state",
            ProcCol::Cpu => "cpu",
            ProcCol::Mem => "mem",
            ProcCol::Time => "time",
            ProcCol::Start => "start",
            ProcCol::Command => "command",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            ProcCol::Nice => &["ni"],
            ProcCol::State => &["s"],
            ProcCol::Cpu => &["cpu%"],
            ProcCol::Mem => &["rss", "memory"],
            ProcCol::Time => &["time+"],
            ProcCol::Command => &["cmd", "process", "name"],
            _ => &[],
        }
    }
}

/// The process table's own filters and shape, beside the `/` text the table keeps.
#[derive(Debug, Clone, Default)]
pub struct ProcSource {
    /// Only this user's processes (`u`).
    pub user: Option<String>,
    /// Nested under parents (`t`).
    pub tree: bool,
    /// Folded subtrees of the tree (`c`).
    pub collapsed: HashSet<ProcKey>,
    /// Kernel threads shown (`K`).
    pub show_kernel: bool,
}

impl ProcSource {
    /// What every row of the table must be: not a hidden kernel thread, of the site
    /// in focus. The tree's context rows are chosen among these.
    fn base(&self, data: &Data, p: &Process) -> bool {
        (self.show_kernel || !p.kernel_thread)
            && data
                .site
                .as_ref()
                .is_none_or(|s| p.site.as_ref() == Some(s))
    }

    /// Adds the ancestors (among `base` processes) of every kept one, in table order.
    fn with_ancestors(&self, data: &Data, order: Vec<usize>, sort: Sort<ProcCol>) -> Vec<usize> {
        let procs = &data.snapshot.processes;
        let by_pid: std::collections::HashMap<i32, usize> =
            procs.iter().enumerate().map(|(i, p)| (p.pid, i)).collect();
        let mut keep: HashSet<usize> = order.iter().copied().collect();
        for &i in &order {
            let mut p = &procs[i];
            while let Some(&parent) = by_pid.get(&p.ppid) {
                if parent == i || !self.base(data, &procs[parent]) || !keep.insert(parent) {
                    break;
                }
                p = &procs[parent];
            }
        }
        let mut all: Vec<usize> = keep.into_iter().collect();
        all.sort_unstable_by(|&a, &b| compare(self, data, sort, a, b));
        all
    }
}

impl Source for ProcSource {
    type Ctx = Data;
    type Key = ProcKey;
    type Col = ProcCol;
    const NAME: &'static str = "processes";

    fn len(&self, data: &Data) -> usize {
        data.snapshot.processes.len()
    }
    fn key(&self, data: &Data, i: usize) -> ProcKey {
        data.snapshot.processes[i].key()
    }
    fn text(&self, data: &Data, i: usize, col: ProcCol) -> String {
        let p = &data.snapshot.processes[i];
        match col {
            ProcCol::Pid => p.pid.to_string(),
            ProcCol::User => inert(&p.user, MAX_EXPORT).into_owned(),
            ProcCol::Nice => p.nice.to_string(),
            ProcCol::State => inert(&p.state.to_string(), 4).into_owned(),
            ProcCol::Cpu => format!("{:.1}", p.cpu_percent),
            ProcCol::Mem => human_bytes(p.rss_bytes),
            ProcCol::Time => cpu_time(p.cpu_seconds),
            ProcCol::Start => start_time(p.start_time, data.snapshot.taken_at_ms / 1000),
            ProcCol::Command => inert(&p.command_line(), MAX_EXPORT).into_owned(),
        }
    }
    fn cell(&self, data: &Data, i: usize, col: ProcCol, th: &Theme) -> Line<'static> {
        let p = &data.snapshot.processes[i];
        let style = match col {
            ProcCol::Nice => match p.nice {
                n if n < 0 => th.warn,
                n if n > 0 => th.muted,
                _ => th.text,
            },
            ProcCol::State => match p.state {
                'R' => th.ok,
                'D' | 'T' | 't' => th.warn,
                'Z' => th.danger,
                _ => th.muted,
            },
            ProcCol::Cpu => match p.cpu_percent {
                c if c >= 90.0 => th.danger,
                c if c >= 50.0 => th.warn,
                c if c < 0.05 => th.muted,
                _ => th.text,
            },
            ProcCol::Start => th.muted,
            ProcCol::Command => return command(p, th),
            ProcCol::User => {
                return Line::styled(inert(&p.user, 9).into_owned(), th.text);
            }
            _ => th.text,
        };
        Line::styled(self.text(data, i, col), style)
    }
    fn cmp(&self, data: &Data, a: usize, b: usize, col: ProcCol) -> Ordering {
        let (a, b) = (&data.snapshot.processes[a], &data.snapshot.processes[b]);
        let o = match col {
            ProcCol::Pid => a.pid.cmp(&b.pid),
            ProcCol::User => a.user.cmp(&b.user),
            ProcCol::Nice => a.nice.cmp(&b.nice),
            ProcCol::State => a.state.cmp(&b.state),
            ProcCol::Cpu => a.cpu_percent.total_cmp(&b.cpu_percent),
            ProcCol::Mem => a.rss_bytes.cmp(&b.rss_bytes),
            ProcCol::Time => a.cpu_ticks.cmp(&b.cpu_ticks),
            ProcCol::Start => a.starttime_ticks.cmp(&b.starttime_ticks),
            ProcCol::Command => a.display_name().cmp(b.display_name()),
        };
        // Equal rows by pid, whatever the snapshot's order.
        o.then(a.pid.cmp(&b.pid))
    }
    fn filter_text(&self, data: &Data, i: usize, full: &mut String, short: &mut String) {
        let p = &data.snapshot.processes[i];
        let _ = write!(short, "{} {} {}", p.pid, p.user, p.display_name());
        let _ = write!(full, "{} {} ", p.pid, p.user);
        if p.cmdline.is_empty() {
            let _ = write!(full, "[{}]", p.name);
        } else {
            for (n, a) in p.cmdline.iter().enumerate() {
                if n > 0 {
                    full.push(' ');
                }
                full.push_str(a);
            }
        }
    }
    fn json(&self, data: &Data, i: usize) -> serde_json::Value {
        // The schema of `qd snapshot --json`: pids, bytes and ticks as numbers.
        serde_json::to_value(&data.snapshot.processes[i]).unwrap_or_default()
    }
    fn keep(&self, data: &Data, i: usize) -> bool {
        let p = &data.snapshot.processes[i];
        self.base(data, p) && self.user.as_deref().is_none_or(|u| &*p.user == u)
    }
    fn arrange(&self, data: &Data, order: Vec<usize>, sort: Sort<ProcCol>) -> Vec<Row> {
        if !self.tree {
            return order.into_iter().map(Row::plain).collect();
        }
        let procs = &data.snapshot.processes;
        // A filter (the user's or the `/` text) left some rows out: bring back their
        // ancestors, so each kept process is shown where it lives.
        let filtered = self.user.is_some()
            || order.len() < procs.iter().filter(|p| self.base(data, p)).count();
        let order = if filtered {
            self.with_ancestors(data, order, sort)
        } else {
            order
        };
        tree::build(procs, &order, &self.collapsed)
            .into_iter()
            .map(|t| Row {
                folded: t.has_children && self.collapsed.contains(&procs[t.idx].key()),
                idx: t.idx,
                prefix: t.prefix,
                has_children: t.has_children,
            })
            .collect()
    }
}

/// The COMMAND cell: argv with the program's basename highlighted, or `[comm]` for
/// kernel threads and processes without an argv.
fn command(p: &Process, th: &Theme) -> Line<'static> {
    let mut spans = Vec::with_capacity(4);
    match p.cmdline.first() {
        Some(a0) if !a0.is_empty() => {
            // argv[0] may be a whole process title ("nginx: worker process"): the
            // program is its first word, and that word's basename is highlighted.
            let (first, title_rest) = a0.split_at(a0.find(' ').unwrap_or(a0.len()));
            let (dir, base) = match first.rfind('/') {
                Some(i) if i + 1 < first.len() => first.split_at(i + 1),
                _ => ("", first),
            };
            if !dir.is_empty() {
                spans.push(Span::styled(inert(dir, MAX_COMMAND).into_owned(), th.text));
            }
            spans.push(Span::styled(
                inert(base, MAX_COMMAND).into_owned(),
                th.basename,
            ));
            if !title_rest.is_empty() {
                spans.push(Span::styled(
                    inert(title_rest, MAX_COMMAND).into_owned(),
                    th.text,
                ));
            }
            let mut rest = String::new();
            for a in p.cmdline.iter().skip(1) {
                if rest.len() > MAX_COMMAND {
                    break;
                }
                rest.push(' ');
                rest.push_str(a);
            }
            if !rest.is_empty() {
                spans.push(Span::styled(
                    inert(&rest, MAX_COMMAND).into_owned(),
                    th.text,
                ));
            }
        }
        _ => spans.push(Span::styled(format!("[{}]", inert(&p.name, 64)), th.muted)),
    }
    Line::from(spans)
}
