//! The fleet screens' state and keys: the hosts table (`:hosts`) and the shell panes
//! (state in `panes`). A fan-out exec (`x` / `:exec CMD`) is an `Action::Exec` job like
//! every other action: its per-host output and outcomes are in its job pane (`:jobs`),
//! where `r` retries the failed hosts. The pool and the sessions live in the event
//! loop; this holds what is shown and turns keys into effects.

use super::app::{App, InputKind, Level, Popup};
use super::msg::Effect;
use super::screen::Screen;
use crate::ssh::Host;
use crate::ssh::pool::HostStatus;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use std::collections::BTreeSet;

#[derive(Default)]
pub struct Fleet {
    pub hosts: Vec<Host>,
    /// Pool status per host, refreshed by the event loop.
    pub status: Vec<Option<HostStatus>>,
    pub selected: usize,
    pub marks: BTreeSet<usize>,
    pub panes: super::panes::Panes,
    /// `[ssh] parallel`: hosts an exec runs on at once.
    pub parallel: usize,
    /// Pane id -> the job of its shell (opened, then closed with its outcome).
    pub pane_jobs: std::collections::HashMap<usize, usize>,
}

impl Fleet {
    pub fn new(hosts: Vec<Host>) -> Self {
        Self {
            status: vec![None; hosts.len()],
            hosts,
            parallel: 8,
            ..Default::default()
        }
    }

    /// The marked hosts, or the selected one.
    pub fn targets(&self) -> Vec<Host> {
        if self.marks.is_empty() {
            self.hosts.get(self.selected).cloned().into_iter().collect()
        } else {
            self.marks
                .iter()
                .filter_map(|i| self.hosts.get(*i).cloned())
                .collect()
        }
    }

    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.name == name)
    }
}

/// `:hosts`, `:panes`, `:host NAME`, `:exec [CMD]`.
pub fn command(app: &mut App, cmd: crate::config::Command) -> Vec<Effect> {
    use crate::config::Command as C;
    match cmd {
        C::ShowPanes if app.fleet.panes.list.is_empty() => {
            app.set_status(
                Level::Info,
                "no shell pane is open: :hosts, then Enter on a host",
            );
            Vec::new()
        }
        C::ShowPanes => {
            app.show(Screen::Panes);
            super::panes::fit(app)
        }
        C::OpenHost(h) => open_host(app, &h),
        C::Exec(c) => exec(app, c),
        _ => {
            app.show(Screen::Hosts);
            vec![Effect::HostsTick]
        }
    }
}

/// `x` / `:exec CMD` on the marked or selected hosts: asks for the command if none.
pub fn exec(app: &mut App, command: Option<String>) -> Vec<Effect> {
    let hosts = app.fleet.targets();
    if hosts.is_empty() {
        app.set_status(
            Level::Warn,
            "no host to run on: the fleet is empty (see :hosts)",
        );
        return Vec::new();
    }
    match command.filter(|c| !c.trim().is_empty()) {
        None => {
            app.popup = Some(Popup::Input {
                kind: InputKind::Exec,
                text: String::new(),
                previous: String::new(),
                error: None,
            });
            Vec::new()
        }
        Some(cmd) => start_exec(app, hosts, cmd),
    }
}

/// The exec is an action like any other: policy, its confirmation, then a job whose
/// pane shows each host's output and outcome.
fn start_exec(app: &mut App, hosts: Vec<Host>, command: String) -> Vec<Effect> {
    let action = crate::actions::Action::Exec {
        hosts,
        command,
        parallel: app.fleet.parallel.max(1),
        timeout: None,
    };
    super::propose::propose(app, action)
}

/// `:host NAME`: a shell pane on that host.
pub fn open_host(app: &mut App, name: &str) -> Vec<Effect> {
    match app.fleet.host(name).cloned() {
        Some(h) => super::panes::open(app, vec![h]),
        None => {
            let known: Vec<&str> = app.fleet.hosts.iter().map(|h| h.name.as_str()).collect();
            app.set_status(
                Level::Error,
                format!("no host `{name}` (hosts: {})", known.join(", ")),
            );
            Vec::new()
        }
    }
}

pub fn hosts_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let f = &mut app.fleet;
    let n = f.hosts.len();
    match k.code {
        KeyCode::Esc | KeyCode::Char('q') => app.leave(),
        KeyCode::Char('j') | KeyCode::Down if f.selected + 1 < n => f.selected += 1,
        KeyCode::Char('k') | KeyCode::Up => f.selected = f.selected.saturating_sub(1),
        KeyCode::Char('g') | KeyCode::Home => f.selected = 0,
        KeyCode::Char('G') | KeyCode::End => f.selected = n.saturating_sub(1),
        KeyCode::Char(' ') if n > 0 => {
            if !f.marks.remove(&f.selected) {
                f.marks.insert(f.selected);
            }
            f.selected = (f.selected + 1).min(n - 1);
        }
        KeyCode::Char('\\') => f.marks.clear(),
        KeyCode::Enter | KeyCode::Char('s') => {
            let hosts = f.targets();
            f.marks.clear();
            return super::panes::open(app, hosts);
        }
        KeyCode::Char('x') => return exec(app, None),
        KeyCode::Char('p') | KeyCode::Tab if !f.panes.list.is_empty() => app.show(Screen::Panes),
        KeyCode::Char('J') => {
            return super::commands::apply(app, crate::config::Command::ShowJobs);
        }
        KeyCode::Char(':') => {
            return super::commands::apply(app, crate::config::Command::CommandLine);
        }
        _ => {}
    }
    Vec::new()
}
