//! The fleet screens' state and keys: the hosts table (`:hosts`), the results of a
//! fan-out exec (`x` / `:exec CMD`), and the shell panes (state in `panes`). The pool
//! and the sessions live in the event loop; this holds what is shown and turns keys
//! into effects (open a pane, run an exec, retry the failed hosts).

use super::app::{App, InputKind, Level, Popup};
use super::msg::Effect;
use crate::ssh::Host;
use crate::ssh::exec::ExecOutcome;
use crate::ssh::pool::HostStatus;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use std::collections::BTreeSet;

/// Which fleet screen is up, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Hosts,
    Results,
    Panes,
}

/// One host's row of an exec's results.
#[derive(Debug, Clone)]
pub struct ResultRow {
    pub host: String,
    pub outcome: Option<ExecOutcome>,
    /// Output lines as they came (bounded).
    pub lines: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Results {
    pub command: String,
    pub rows: Vec<ResultRow>,
    pub selected: usize,
    /// The host whose full output is shown.
    pub open: Option<usize>,
    pub scroll: usize,
    pub error: Option<String>,
}

pub const MAX_LINES: usize = 5000;

#[derive(Default)]
pub struct Fleet {
    pub hosts: Vec<Host>,
    /// Pool status per host, refreshed by the event loop.
    pub status: Vec<Option<HostStatus>>,
    pub selected: usize,
    pub marks: BTreeSet<usize>,
    pub screen: Option<Screen>,
    pub results: Option<Results>,
    pub panes: super::panes::Panes,
}

impl Fleet {
    pub fn new(hosts: Vec<Host>) -> Self {
        Self {
            status: vec![None; hosts.len()],
            hosts,
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
            app.fleet.screen = Some(Screen::Panes);
            super::panes::fit(app)
        }
        C::OpenHost(h) => open_host(app, &h),
        C::Exec(c) => exec(app, c),
        _ => {
            app.fleet.screen = Some(Screen::Hosts);
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

fn start_exec(app: &mut App, hosts: Vec<Host>, command: String) -> Vec<Effect> {
    app.fleet.results = Some(Results {
        command: command.clone(),
        rows: hosts
            .iter()
            .map(|h| ResultRow {
                host: h.name.clone(),
                outcome: None,
                lines: Vec::new(),
            })
            .collect(),
        selected: 0,
        open: None,
        scroll: 0,
        error: None,
    });
    app.fleet.screen = Some(Screen::Results);
    vec![Effect::Exec { hosts, command }]
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

pub fn on_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    match app.fleet.screen {
        Some(Screen::Hosts) => hosts_key(app, k),
        Some(Screen::Results) => results_key(app, k),
        Some(Screen::Panes) => super::panes::on_key(app, k),
        None => Vec::new(),
    }
}

fn hosts_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let f = &mut app.fleet;
    let n = f.hosts.len();
    match k.code {
        KeyCode::Esc | KeyCode::Char('q') => f.screen = None,
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
        KeyCode::Char('p') | KeyCode::Tab if !f.panes.list.is_empty() => {
            f.screen = Some(Screen::Panes)
        }
        KeyCode::Char('r') if f.results.is_some() => f.screen = Some(Screen::Results),
        KeyCode::Char(':') => {
            return super::commands::apply(app, crate::config::Command::CommandLine);
        }
        _ => {}
    }
    Vec::new()
}

fn results_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let Some(r) = app.fleet.results.as_mut() else {
        app.fleet.screen = Some(Screen::Hosts);
        return Vec::new();
    };
    let n = r.rows.len();
    if r.open.is_some() {
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter => r.open = None,
            KeyCode::Char('k') | KeyCode::Up => r.scroll += 1,
            KeyCode::Char('j') | KeyCode::Down => r.scroll = r.scroll.saturating_sub(1),
            KeyCode::PageUp => r.scroll += 20,
            KeyCode::PageDown => r.scroll = r.scroll.saturating_sub(20),
            KeyCode::Char('G') | KeyCode::End => r.scroll = 0,
            _ => {}
        }
        return Vec::new();
    }
    match k.code {
        KeyCode::Esc | KeyCode::Char('q') => app.fleet.screen = Some(Screen::Hosts),
        KeyCode::Char('j') | KeyCode::Down if r.selected + 1 < n => r.selected += 1,
        KeyCode::Char('k') | KeyCode::Up => r.selected = r.selected.saturating_sub(1),
        KeyCode::Enter => {
            r.open = Some(r.selected);
            r.scroll = 0;
        }
        KeyCode::Char('r') => {
            let running = r.rows.iter().any(|x| x.outcome.is_none());
            let failed: Vec<String> = r
                .rows
                .iter()
                .filter(|x| x.outcome.as_ref().is_some_and(|o| !o.ok()))
                .map(|x| x.host.clone())
                .collect();
            let command = r.command.clone();
            if running {
                app.set_status(Level::Warn, "the exec is still running");
            } else if failed.is_empty() {
                app.set_status(Level::Ok, "no host failed: nothing to retry");
            } else {
                let hosts: Vec<Host> = failed
                    .iter()
                    .filter_map(|n| app.fleet.host(n).cloned())
                    .collect();
                return start_exec(app, hosts, command);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// A line of a running exec.
pub fn exec_line(app: &mut App, host: &str, line: String) {
    if let Some(row) = app
        .fleet
        .results
        .as_mut()
        .and_then(|r| r.rows.iter_mut().find(|x| x.host == host))
    {
        if row.lines.len() >= MAX_LINES {
            row.lines.remove(0);
        }
        row.lines.push(line);
    }
}

/// A host of the running exec finished.
pub fn exec_done(app: &mut App, o: ExecOutcome) {
    if let Some(row) = app
        .fleet
        .results
        .as_mut()
        .and_then(|r| r.rows.iter_mut().find(|x| x.host == o.host))
    {
        row.outcome = Some(o);
    }
}

/// The whole exec ended: a denial is shown on the results screen.
pub fn exec_finished(app: &mut App, r: Result<usize, String>) {
    match r {
        Ok(failed) if failed > 0 => app.set_status(
            Level::Warn,
            format!("{failed} host(s) failed: Enter shows the output, r retries them"),
        ),
        Ok(_) => app.set_status(Level::Ok, "exec done on every host"),
        Err(denial) => {
            if let Some(res) = app.fleet.results.as_mut() {
                res.error = Some(denial.clone());
            }
            app.set_status(Level::Error, denial);
        }
    }
}
