//! The interactive console (ratatui). The only layer that knows about the terminal:
//! state in `app`, changes in `update`, drawing in `render`, the loop in `event_loop`.

pub mod app;
pub mod ask;
pub mod commands;
pub mod data;
pub mod env_commands;
pub mod envedit;
pub mod event_loop;
pub mod export;
pub mod fleet;
pub mod focus;
pub mod geometry;
pub mod jobs;
pub mod keys;
pub mod logtask;
pub mod msg;
pub mod popup;
pub mod popups;
pub mod propose;
pub mod remote;
pub mod render;
pub mod run;
pub mod screen;
pub mod screens;
pub mod table;
pub mod terminal;
pub mod theme;
pub mod update;

use crate::actions::Dispatcher;
use crate::config::Config;
use app::{App, Env, Level};
use std::io::IsTerminal;
use std::sync::Arc;

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Records when the process started, so the first frame's latency can be logged.
pub fn mark_start() {
    let _ = STARTED.set(std::time::Instant::now());
}

/// Milliseconds since `mark_start`, for the first-frame log line.
pub fn since_start_ms() -> f64 {
    STARTED
        .get()
        .map(|t| t.elapsed().as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// Runs the TUI until quit; returns the process exit code.
pub fn run(
    cfg: Config,
    dispatcher: Arc<Dispatcher>,
    fleet: Vec<crate::ssh::Host>,
    open_host: Option<String>,
    screen: Option<screen::Screen>,
) -> i32 {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!("qd: the console needs a terminal; for scripts use `qd snapshot --json`");
        return crate::exit::EXIT_USAGE;
    }
    let theme = match theme::Theme::load(&cfg.theme) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("qd: {e}");
            return crate::exit::EXIT_USAGE;
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("qd: cannot start the runtime: {e}");
            return crate::exit::EXIT_FAILED;
        }
    };
    let (units_tx, units_rx) =
        tokio::sync::watch::channel(Arc::new(crate::model::services::UnitList::default()));
    let collector = match crate::sources::spawn_local(
        cfg.refresh,
        cfg.show_kernel_threads,
        cfg.sites.clone(),
        Some(units_rx),
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("qd: cannot start the process collector: {e}");
            return crate::exit::EXIT_FAILED;
        }
    };
    let snapshot = collector.snapshots.borrow().clone();
    let env = Env {
        operator: dispatcher.operator().clone(),
        readonly: dispatcher.is_readonly(),
        keymap: keys::Keymap::new(cfg.keys.clone()),
        theme,
        refresh: cfg.refresh,
        show_kernel_threads: cfg.show_kernel_threads,
        site_names: cfg.sites.sites.iter().map(|s| s.name.clone()).collect(),
        service_ports: cfg.sites.services().any(|r| r.service.port.is_some()),
        env_files: cfg
            .sites
            .services()
            .filter_map(|r| Some((r.service.unit.clone(), r.service.env_file.clone()?)))
            .collect(),
        sites: cfg.sites.clone(),
        hosts: fleet.clone(),
        ssh_scrollback: cfg.ssh.scrollback,
        pane_prefix: cfg.pane_prefix,
        exec_parallel: cfg.ssh.parallel,
        exports_dir: crate::config::paths::exports_dir(),
        cwd: std::env::current_dir().ok(),
    };
    terminal::install_panic_hook();
    let _guard = terminal::Guard;
    let term = match terminal::enter() {
        Ok(t) => t,
        Err(e) => {
            terminal::restore();
            eprintln!("qd: cannot set up the terminal: {e}");
            return crate::exit::EXIT_FAILED;
        }
    };
    let size = term.size().map(|s| (s.width, s.height)).unwrap_or((80, 24));
    let mut app = App::new(env, snapshot, size).with_checker_of(&dispatcher);
    if let Some(w) = cfg.warnings.first() {
        app.set_status(Level::Warn, w.clone());
    }
    let units = event_loop::Units::new(
        dispatcher.bus,
        cfg.sites.clone(),
        units_tx,
        app.table_height(),
    );
    let remote = remote::Remote::new(cfg.ssh.clone(), fleet);
    // `qd ssh HOST` opens on its pane; `--screen NAME` on that screen, shown as `:NAME`
    // shows it (with what it needs started: the unit watcher, the sockets...).
    let initial = match (open_host, screen) {
        (Some(h), _) => fleet::open_host(&mut app, &h),
        (None, Some(s)) => commands::show(&mut app, s),
        (None, None) => Vec::new(),
    };
    let result = rt.block_on(event_loop::run(
        term, app, dispatcher, collector, units, remote, initial,
    ));
    terminal::restore();
    match result {
        Ok(exit) => {
            tracing::info!(?exit, "qd exits");
            crate::exit::EXIT_OK
        }
        Err(e) => {
            tracing::error!("terminal error: {e}");
            eprintln!("qd: terminal error: {e}");
            crate::exit::EXIT_FAILED
        }
    }
}
