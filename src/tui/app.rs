//! All UI state, owned by the event loop's task alone. `App::new` takes an `Env` (who
//! is operating, the keymap, the theme) so tests build an App from a fixture snapshot
//! with no terminal, no collector and no dispatcher.

use super::keys::Keymap;
pub use super::popup::{CmdItem, InputKind, Level, Popup};
use super::screen::Screen;
use super::theme::Theme;
use crate::actions::{Action, Operator};
use crate::model::Snapshot;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

/// What the App needs from outside, injected.
#[derive(Debug, Clone)]
pub struct Env {
    pub operator: Operator,
    pub readonly: bool,
    pub keymap: Keymap,
    pub theme: Theme,
    pub refresh: Duration,
    pub show_kernel_threads: bool,
    /// The configured sites' names (for `:site NAME` before the first services list).
    pub site_names: Vec<Arc<str>>,
    /// Some site service declares a port: the services view needs the sockets.
    pub service_ports: bool,
    /// unit -> its service's env file (`e` edits it).
    pub env_files: std::collections::HashMap<String, std::path::PathBuf>,
    /// The sites the operator may see, with their services' commands (`c`).
    pub sites: Arc<crate::model::site::Sites>,
    /// The fleet (`:hosts`).
    pub hosts: Vec<crate::ssh::Host>,
    /// `[ssh] scrollback`: lines kept per shell pane.
    pub ssh_scrollback: usize,
    /// `[ssh] prefix`: the chord that leaves a pane's input mode (`None`: ctrl-\).
    pub pane_prefix: Option<crate::config::keys::KeySpec>,
    /// `[ssh] parallel`: hosts an exec runs on at once.
    pub exec_parallel: usize,
    /// Where `:export` writes without a path; where a relative path starts.
    pub exports_dir: Option<std::path::PathBuf>,
    pub cwd: Option<std::path::PathBuf>,
}

/// The policy decision for an action, without I/O: `update` asks it before any
/// dialog, so a denied action never shows a confirmation. `tui::run` sets it from the
/// dispatcher; tests build an App with the default (allow) or a real dispatcher's.
pub type Checker = Arc<dyn Fn(&Action) -> Result<(), crate::actions::Denial> + Send + Sync>;

pub struct App {
    /// The dispatcher's policy check (default: allow; the dispatcher still decides).
    pub checker: Checker,
    /// What the screens read.
    pub data: super::data::Data,
    /// The screens, each with its state, keys and draw.
    pub screens: super::screens::Screens,
    /// Whether the unit watcher has been started (on the first services or sites view).
    pub units_started: bool,
    /// What is on screen (popups are drawn over it).
    pub screen: Screen,
    /// The host table Esc returns to from the hosts, panes, jobs and audit screens.
    pub home: Screen,
    /// Where Esc returns to after a jump (Enter on a socket -> its process).
    pub back: Option<Screen>,
    pub popup: Option<Popup>,
    pub keymap: Keymap,
    pub theme: Theme,
    pub refresh: Duration,
    pub paused: bool,
    pub status: Option<(Level, String)>,
    /// The action under way, shown with a spinner.
    pub busy: Option<String>,
    /// The targets of the action under way that have finished, as they arrive.
    pub finished: Vec<crate::actions::TargetOutcome>,
    pub spinner: usize,
    /// Total CPU% of the last refreshes, newest last, for the header sparkline.
    pub cpu_history: VecDeque<f32>,
    pub quit: bool,
}

pub const HISTORY: usize = 120;

fn visible_to(
    op: &Operator,
    sites: &crate::model::site::Sites,
    snap: Arc<Snapshot>,
) -> Arc<Snapshot> {
    if op.role == crate::actions::Role::Admin {
        return snap;
    }
    Arc::new(op.visible(&snap, sites))
}

impl App {
    pub fn new(env: Env, snapshot: Arc<Snapshot>, size: (u16, u16)) -> Self {
        let snapshot = visible_to(&env.operator, &env.sites, snapshot);
        let mut screens = super::screens::Screens::default();
        screens.processes = super::screens::processes::Processes::new(env.show_kernel_threads);
        screens.hosts = super::screens::hosts::Hosts::new(env.exec_parallel);
        screens.panes = super::screens::panes::Panes::new(env.pane_prefix, env.ssh_scrollback);
        let mut app = Self {
            checker: Arc::new(|_| Ok(())),
            screens,
            data: super::data::Data {
                snapshot,
                sites: env.sites,
                site_names: env.site_names,
                service_ports: env.service_ports,
                env_files: env.env_files,
                site: None,
                operator: env.operator,
                readonly: env.readonly,
                jobs: Default::default(),
                audit: Vec::new(),
                audit_error: None,
                page: 1,
                exports_dir: env.exports_dir,
                cwd: env.cwd,
                host_status: vec![None; env.hosts.len()],
                hosts: env.hosts,
                size,
            },
            units_started: false,
            screen: Screen::Processes,
            home: Screen::Processes,
            back: None,
            popup: None,
            keymap: env.keymap,
            theme: env.theme,
            refresh: env.refresh,
            paused: false,
            status: None,
            busy: None,
            finished: Vec::new(),
            spinner: 0,
            cpu_history: VecDeque::with_capacity(HISTORY),
            quit: false,
        };
        // The fleet's rows from the start: `:exec` from any screen has its targets.
        app.screens.hosts.table.rebuild(&app.data);
        app.rebuild();
        app
    }

    /// Checks actions with `d`'s policy (what `tui::run` does).
    pub fn with_checker_of(mut self, d: &Arc<crate::actions::Dispatcher>) -> Self {
        let d = d.clone();
        self.checker = Arc::new(move |a| d.check(a));
        self
    }

    /// `snap` as this operator may see it (`Operator::visible`).
    pub fn visible(&self, snap: Arc<Snapshot>) -> Arc<Snapshot> {
        visible_to(&self.data.operator, &self.data.sites, snap)
    }

    /// Whether the detail shows `p`'s environment values without a reveal: the
    /// operator's own processes only.
    pub fn own_process(&self, p: &crate::model::Process) -> bool {
        !self.data.operator.name.is_empty() && *p.user == *self.data.operator.name
    }

    pub fn set_status(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some((level, text.into()));
    }

    /// Rows of the table that fit on screen (for paging and scrolling).
    pub fn table_height(&self) -> usize {
        self.table_area().height.saturating_sub(1) as usize
    }

    /// Where the table of the screen on top is drawn: under the host header for this
    /// host's tables, else where its screen puts it inside the frame's body.
    pub fn table_area(&self) -> ratatui::layout::Rect {
        let (w, h) = self.data.size;
        if self.screen.is_host_table() {
            let cores = self.data.snapshot.stats.cpu_per_core.len();
            return super::geometry::areas(w, h, cores).table;
        }
        let body = super::geometry::body(ratatui::layout::Rect::new(0, 0, w, h));
        self.screens.get(self.screen).table_area(body)
    }

    /// The `/` filter text of the table on screen.
    pub fn filter_text(&self) -> String {
        match self.screens.get(self.screen).table() {
            Some(t) => t.filter().to_string(),
            None => String::new(),
        }
    }

    /// Sets the `/` filter of the table on screen (as it is typed).
    pub fn set_filter(&mut self, text: &str) {
        if let Some(t) = self.screens.get_mut(self.screen).table_mut() {
            t.set_filter(&self.data, text);
        }
    }

    /// Clears the marks of the host table Esc returns to (a job done everywhere).
    pub fn clear_home_marks(&mut self) {
        if let Some(t) = self.screens.get_mut(self.home).table_mut() {
            t.clear_marks();
        }
    }

    /// Recomputes the rows of the screen on top (the others catch up when shown).
    pub fn rebuild(&mut self) {
        self.screens.get_mut(self.screen).rebuild(&self.data);
        self.scroll_into_view();
    }

    /// The session's jobs changed (one started, a target's outcome or the end came):
    /// the jobs screen's rows follow while it is on top; it rebuilds when shown.
    pub fn jobs_changed(&mut self) {
        if self.screen == Screen::Jobs {
            self.screens.jobs.rebuild(&self.data);
        }
    }

    /// The one precedence rule: a popup, when open, over the screen.
    pub fn layer(&self) -> super::screen::Layer {
        if self.popup.is_some() {
            super::screen::Layer::Popup
        } else {
            super::screen::Layer::Screen(self.screen)
        }
    }

    /// Puts `screen` on screen; a host table also becomes the one Esc returns to.
    pub fn show(&mut self, screen: Screen) {
        self.screen = screen;
        if screen.is_host_table() {
            self.home = screen;
        }
    }

    /// Esc on the fleet, jobs and audit screens: back to the host table, with rows
    /// of the latest snapshot (only the screen on top is rebuilt as they arrive).
    pub fn leave(&mut self) {
        self.screen = self.home;
        self.rebuild();
    }

    pub fn scroll_into_view(&mut self) {
        let h = self.table_height();
        self.data.page = h.max(1);
        if let Some(t) = self.screens.get_mut(self.screen).table_mut() {
            t.fit(h);
        }
    }
}

impl Env {
    /// An Env for tests and benchmarks: operator alice, default keys, dark theme.
    pub fn for_tests() -> Self {
        Self {
            operator: Operator {
                name: "alice".into(),
                uid: 1000,
                role: crate::actions::Role::Admin,
                sites: crate::model::policy::SiteSet::All,
                hosts: crate::model::policy::SiteSet::All,
                rule: None,
            },
            readonly: false,
            keymap: super::keys::Keymap::new(crate::config::keymap::defaults()),
            theme: Theme::builtin_dark(),
            refresh: Duration::from_millis(1000),
            show_kernel_threads: false,
            site_names: Vec::new(),
            service_ports: true,
            env_files: Default::default(),
            sites: Default::default(),
            hosts: Vec::new(),
            ssh_scrollback: 1000,
            pane_prefix: None,
            exec_parallel: 8,
            exports_dir: None,
            cwd: None,
        }
    }
}
