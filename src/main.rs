//! `qd`: parse the command line, load the config, then open the TUI or run a
//! headless subcommand. Exit codes: 0 ok, 1 failed, 2 usage/config, 3 denied.

use clap::Parser;
use quarterdeck::actions::{Dispatcher, Operator, Policy};
use quarterdeck::audit::{self, AuditLog};
use quarterdeck::cli::{self, Cli, Cmd, ConfigCmd, ServiceCmd, SiteCmd};
use quarterdeck::config;
use quarterdeck::systemd::Bus;
use quarterdeck::systemd::jobs::UnitOp;
use std::time::Duration;

/// qd's own log goes to a file, never the terminal: a root-owned one in privileged
/// mode (`config::logfile`), every record through the escaping writer. Writes are
/// synchronous: qd logs rarely, and a background writer would cost a thread and a
/// preallocated queue.
fn init_logging(level: &str) -> Option<()> {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let level: tracing_subscriber::filter::LevelFilter = level.parse().ok()?;
    let file = config::logfile::open(quarterdeck::sys::privileged()).ok()?;
    let targets = tracing_subscriber::filter::Targets::new()
        .with_target("quarterdeck", level)
        .with_target("qd", level);
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(config::logfile::Escaping(file)))
        .with_ansi(false)
        .finish()
        .with(targets)
        .try_init()
        .ok()
}

fn main() {
    quarterdeck::tui::mark_start();
    // One malloc arena: snapshots are built on the collector thread and freed on the
    // UI thread, and per-thread arenas keep freed memory resident (~0.5 MB measured).
    // A fixed mmap threshold: glibc raises its own to the size of each large block
    // freed, so from the second refresh on a snapshot's process table (~0.5 MB at 3000
    // processes) came from the heap, whose top stays resident after the old one is
    // freed; mapped, it goes back to the kernel when freed (0.2 MB less at the peak,
    // 0.65 MB less after, at 3000 processes: bench/rss.sh).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 * 1024);
    }
    let args = Cli::parse();
    if args.command.is_some() {
        quiet_on_closed_output();
    }
    std::process::exit(real_main(args));
}

/// A closed stdout (`qd snapshot --json | head -c 100`) makes `println!` panic on
/// EPIPE (Rust ignores SIGPIPE). For a headless command that is the reader's
/// choice, not a bug: end quietly with status 1 instead of a panic and an abort.
/// SIGPIPE stays ignored, so a command mid-job is not killed at its first streamed
/// line (output written with `write!` just loses the line); only the failed print
/// ends the process, and at that one place.
fn quiet_on_closed_output() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        // std's print macros: "failed printing to stdout: Broken pipe (os error 32)".
        let closed = msg.starts_with("failed printing to std")
            && msg.contains(&format!("(os error {})", libc::EPIPE));
        if closed {
            std::process::exit(cli::EXIT_FAILED);
        }
        previous(info);
    }));
}

fn real_main(args: Cli) -> i32 {
    if let Some(Cmd::Config {
        command: ConfigCmd::Check { path },
    }) = &args.command
    {
        return cli::config_cmd::check(path.as_deref(), args.config.as_deref());
    }
    let mut cfg = match config::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("qd: {e}");
            return cli::EXIT_USAGE;
        }
    };
    if let Some(level) = &args.log_level {
        cfg.log_level = level.clone();
    }
    let _log = init_logging(&cfg.log_level);
    for w in &cfg.warnings {
        tracing::warn!("{w}");
        // A headless command says it too (the TUI shows the first one itself).
        if args.command.is_some() {
            eprintln!("qd: warning: {}", quarterdeck::model::text::inert(w, 4096));
        }
    }
    if let Some(ms) = args.refresh {
        cfg.refresh = Duration::from_millis(ms);
    }
    if let Some(t) = &args.theme {
        if let Err(e) = config::theme::ThemeSpec::load(t) {
            eprintln!("qd: --theme: {}", e.message);
            return cli::EXIT_USAGE;
        }
        cfg.theme = t.clone();
    }
    if args.user_bus && !cfg.systemd.user_bus {
        // Which manager root talks to is the system file's call: the user bus is found
        // through the operator's environment, and its default unit dir is theirs.
        if quarterdeck::sys::privileged() {
            eprintln!(
                "qd: --user-bus refused: qd runs as root for another user (sudo); the bus is chosen by [systemd] bus in {}",
                config::paths::SYSTEM_CONFIG
            );
            return cli::EXIT_USAGE;
        }
        cfg.systemd.user_bus = true;
    }
    quarterdeck::systemd::set_user_bus_address(cfg.systemd.bus_address.clone());
    quarterdeck::systemd::set_direct(cfg.systemd.direct);
    let bus = if cfg.systemd.user_bus {
        Bus::User
    } else {
        Bus::System
    };
    let operator = Operator::current().under(&cfg.policy);
    let audit = AuditLog::new(cfg.audit.dir.clone().unwrap_or_else(audit::default_dir));
    audit.prune(cfg.audit.retention);
    let dispatcher = Dispatcher::new(
        Policy::new(cfg.policy.clone()),
        operator.clone(),
        args.readonly,
        cfg.restart_grace,
    )
    .with_bus(bus)
    .with_systemd(cfg.systemd.clone())
    .with_sites(cfg.sites.clone())
    .with_concurrency(cfg.jobs_concurrency)
    .with_audit(audit);
    let dispatcher = std::sync::Arc::new(dispatcher);
    // Views and snapshots show only the sites the operator may see; the dispatcher
    // keeps them all, to place every target in its site.
    cfg.sites = std::sync::Arc::new(quarterdeck::model::site::Sites::new(
        cfg.sites
            .sites
            .iter()
            .filter(|s| operator.may_see(&s.name))
            .cloned()
            .collect(),
    ));
    // The fleet: the config's hosts, then ~/.ssh/config's.
    let mut ssh_warnings = Vec::new();
    let fleet = quarterdeck::ssh::ssh_config::fleet(&cfg.hosts, &cfg.ssh, &mut ssh_warnings);
    for w in &ssh_warnings {
        tracing::warn!("{w}");
    }
    let screen = args.screen.map(start_screen);
    match args.command {
        None => quarterdeck::tui::run(cfg, dispatcher, fleet, None, screen),
        Some(Cmd::Ssh { host }) => {
            if !fleet.iter().any(|h| h.name == host) {
                eprintln!("qd: no host `{host}` in the fleet (see `qd hosts`)");
                return cli::EXIT_USAGE;
            }
            quarterdeck::tui::run(cfg, dispatcher, fleet, Some(host), screen)
        }
        Some(Cmd::Hosts { json }) => cli::exec_cmd::hosts(&fleet, json),
        Some(Cmd::Exec(opts)) => cli::exec_cmd::exec(&dispatcher, &cfg.ssh, &fleet, opts),
        Some(Cmd::Snapshot {
            table,
            json,
            kernel_threads,
            all,
            site,
            all_units,
            ..
        }) => cli::snapshot::run(cli::snapshot::Opts {
            table,
            json,
            kernel_threads,
            all_sockets: all,
            bus,
            sites: cfg.sites.clone(),
            site,
            all_units,
            operator: dispatcher.operator().clone(),
        }),
        Some(Cmd::Service { command }) => service(&dispatcher, &cfg, bus, command),
        Some(Cmd::Site { command }) => match command {
            SiteCmd::List => cli::site_cmds::site_list(&cfg),
            SiteCmd::Remove { name, yes } => {
                cli::site_cmds::site_remove(&dispatcher, &cfg, &name, yes)
            }
        },
        Some(Cmd::Signal { pids, signal }) => cli::proc_cmds::signal(&dispatcher, &pids, &signal),
        Some(Cmd::Renice { pids, nice }) => cli::proc_cmds::renice(&dispatcher, &pids, nice),
        Some(Cmd::Restart { pid }) => cli::proc_cmds::restart(&dispatcher, pid),
        Some(Cmd::Run {
            target,
            command,
            yes,
            json,
        }) => cli::run_cmd::run(&dispatcher, &target, &command, yes, json),
        Some(Cmd::Audit {
            since,
            json,
            follow,
        }) => cli::audit_cmd::run(
            dispatcher.audit_dir().unwrap_or(std::path::Path::new(".")),
            since.as_deref(),
            json,
            follow,
            &|r| dispatcher.operator().may_see_record(r),
        ),
        Some(Cmd::Config { .. }) => cli::EXIT_OK,
    }
}

fn service(d: &Dispatcher, cfg: &config::Config, bus: Bus, cmd: ServiceCmd) -> i32 {
    use cli::service_cmds as sc;
    let act = |op: UnitOp, t: cli::Targets| sc::action(d, cfg, op, &t.targets);
    match cmd {
        ServiceCmd::Start(t) => act(UnitOp::Start, t),
        ServiceCmd::Stop(t) => act(UnitOp::Stop, t),
        ServiceCmd::Restart(t) => act(UnitOp::Restart, t),
        ServiceCmd::Reload(t) => act(UnitOp::Reload, t),
        ServiceCmd::Enable(t) => act(UnitOp::Enable, t),
        ServiceCmd::Disable(t) => act(UnitOp::Disable, t),
        ServiceCmd::ResetFailed(t) => act(UnitOp::ResetFailed, t),
        ServiceCmd::Kill { targets, signal } => match quarterdeck::actions::Sig::parse(&signal) {
            Some(sig) => act(quarterdeck::actions::units::kill_op(sig), targets),
            None => {
                eprintln!(
                    "qd: unknown signal `{signal}`: use TERM, KILL, INT, HUP, QUIT, STOP, CONT, USR1 or USR2"
                );
                cli::EXIT_USAGE
            }
        },
        ServiceCmd::Status { targets, json } => {
            cli::service_info::status(d, cfg, bus, &targets.targets, json)
        }
        ServiceCmd::Logs {
            targets,
            lines,
            follow,
            since,
        } => cli::service_info::logs(
            d,
            cfg,
            bus,
            &targets.targets,
            lines,
            follow,
            since.as_deref(),
        ),
        ServiceCmd::Env { target, reveal } => sc::env(d, cfg, &target, reveal),
        ServiceCmd::Render { target } => cli::site_cmds::render(cfg, &target),
        ServiceCmd::Install(t) => cli::site_cmds::install(d, cfg, &t.targets),
        ServiceCmd::DaemonReload => sc::daemon_reload(d),
    }
}

/// `--screen NAME` as the console's screen.
fn start_screen(s: cli::StartScreen) -> quarterdeck::tui::screen::Screen {
    use quarterdeck::tui::screen::Screen;
    match s {
        cli::StartScreen::Processes => Screen::Processes,
        cli::StartScreen::Ports => Screen::Ports,
        cli::StartScreen::Services => Screen::Services,
        cli::StartScreen::Sites => Screen::Sites,
        cli::StartScreen::Hosts => Screen::Hosts,
        cli::StartScreen::Jobs => Screen::Jobs,
        cli::StartScreen::Audit => Screen::Audit,
    }
}
