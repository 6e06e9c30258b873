//! The command line: options shared by the TUI and the headless subcommands, and the
//! subcommands themselves, which run the same core as the TUI with plain or JSON output.
//!
//! Exit codes: 0 ok, 1 an action failed, 2 usage or config error, 3 denied by policy.

pub mod audit_cmd;
pub mod config_cmd;
pub mod exec_cmd;
pub mod proc_cmds;
pub mod run_cmd;
pub mod service_cmds;
pub mod service_info;
pub mod site_cmds;
pub mod snapshot;
pub mod table;

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub use crate::exit::{EXIT_DENIED, EXIT_FAILED, EXIT_OK, EXIT_USAGE};

#[derive(Debug, Parser)]
#[command(
    name = "qd",
    version,
    about = "quarterdeck: a terminal operations console for Linux servers",
    long_about = "quarterdeck (qd): live processes of this server, with race-free signals, renice and \
restart on one row or many marked rows. Without a subcommand, qd opens the interactive console."
)]
pub struct Cli {
    /// Config file to use instead of /etc/quarterdeck/config.toml and the user's config.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Refuse every action (signal, renice, restart) for this session.
    #[arg(long, global = true)]
    pub readonly: bool,
    /// Theme: dark, light, high-contrast, or a user theme's name.
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    /// Refresh interval in milliseconds (at least 100).
    #[arg(long, global = true, value_name = "MS", value_parser = clap::value_parser!(u64).range(100..=3_600_000))]
    pub refresh: Option<u64>,
    /// Talk to the user's systemd (`systemd --user`, on the session bus) instead of the
    /// system manager.
    #[arg(long, global = true)]
    pub user_bus: bool,
    /// The screen the console opens on (default: processes).
    #[arg(long, global = true, value_enum, value_name = "NAME")]
    pub screen: Option<StartScreen>,
    /// Level of qd's own log file (error, warn, info, debug, trace).
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

/// The screens `--screen` opens the console on (those `:NAME` shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StartScreen {
    Processes,
    Ports,
    Services,
    Sites,
    Hosts,
    Jobs,
    Audit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Table {
    Processes,
    Ports,
    Services,
    All,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Print the current tables once (CPU% measured over 250 ms). `all` includes the
    /// services when systemd can be reached.
    Snapshot {
        #[arg(value_enum, default_value = "all")]
        table: Table,
        /// Machine-readable output: one object with an array per table.
        #[arg(long)]
        json: bool,
        /// Include kernel threads.
        #[arg(long)]
        kernel_threads: bool,
        /// Ports: only listening TCP and bound UDP sockets (the default).
        #[arg(long, conflicts_with = "all")]
        listening: bool,
        /// Ports: every socket, connections included.
        #[arg(long)]
        all: bool,
        /// Only this site's processes, ports and services.
        #[arg(long, value_name = "NAME")]
        site: Option<String>,
        /// Services: every service unit, not only the sites' ones.
        #[arg(long)]
        all_units: bool,
    },
    /// systemd services of the sites (SITE/SERVICE, SITE for all its services) or any
    /// unit: actions (exit 1 when a job's result is not `done`), status, logs, env
    /// files, unit files.
    Service {
        #[command(subcommand)]
        command: ServiceCmd,
    },
    /// Sites as a whole.
    Site {
        #[command(subcommand)]
        command: SiteCmd,
    },
    /// Send a signal to processes, race-free (pidfd).
    Signal {
        #[arg(required = true, value_name = "PID")]
        pids: Vec<i32>,
        /// TERM, KILL, INT, HUP, QUIT, STOP, CONT, USR1 or USR2 (or SIGTERM, 15).
        #[arg(long, short = 's', default_value = "TERM")]
        signal: String,
    },
    /// Set the nice value of processes (-20 to 19; lowering it needs root).
    Renice {
        #[arg(required = true, value_name = "PID")]
        pids: Vec<i32>,
        #[arg(long, short = 'n', allow_hyphen_values = true, value_parser = clap::value_parser!(i32).range(-20..=19))]
        nice: i32,
    },
    /// Stop a process (TERM, KILL after the grace period) and relaunch the same argv,
    /// cwd, environment and user, detached.
    Restart {
        #[arg(value_name = "PID")]
        pid: i32,
    },
    /// Run a site service's custom command (from the config) as the site's user;
    /// its output is streamed. Exit 0 ok, 1 failed or timed out, 3 denied.
    Run {
        /// `SITE/SERVICE`, or `SITE` for every service of the site that has the command.
        #[arg(value_name = "SITE/SERVICE")]
        target: String,
        #[arg(value_name = "COMMAND")]
        command: String,
        /// Do not ask for confirmation (needed when stdin is not a terminal).
        #[arg(long)]
        yes: bool,
        /// One JSON object with each target's outcome instead of the streamed output.
        #[arg(long)]
        json: bool,
    },
    /// The audit log: who did what, when, with what result (oldest first).
    Audit {
        /// Only records of the last DURATION (`30m`, `1h`, `7d`).
        #[arg(long, value_name = "DURATION")]
        since: Option<String>,
        /// Machine-readable output: one JSON record per line.
        #[arg(long)]
        json: bool,
        /// Keep printing records as they are written.
        #[arg(long, short)]
        follow: bool,
    },
    /// Run a command on hosts of the fleet, over one pooled SSH connection per host,
    /// `--parallel` hosts at a time. Output lines are prefixed `HOST: `; exit 0 only
    /// if every host returned 0 (1 otherwise, 3 denied by policy). As with ssh, the
    /// words of CMD are joined with spaces and run by the remote user's shell.
    Exec(exec_cmd::ExecOpts),
    /// The fleet: hosts from the config's [[host]] and ~/.ssh/config.
    Hosts {
        #[arg(long)]
        json: bool,
    },
    /// Open the console straight on a shell pane to HOST.
    Ssh {
        #[arg(value_name = "HOST")]
        host: String,
    },
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        command: ConfigCmd,
    },
}

#[derive(Debug, Args)]
pub struct Targets {
    /// SITE/SERVICE, SITE (all its services) or a unit name.
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum ServiceCmd {
    /// Start the units and wait for their jobs.
    Start(Targets),
    /// Stop the units and wait for their jobs.
    Stop(Targets),
    /// Restart the units; services with a health check must pass it too.
    Restart(Targets),
    /// Reload the units (those that support it).
    Reload(Targets),
    /// Enable the units (then daemon-reload).
    Enable(Targets),
    /// Disable the units (then daemon-reload).
    Disable(Targets),
    /// Clear the units' failed state and start-limit counter.
    ResetFailed(Targets),
    /// Send a signal to every process of the units.
    Kill {
        #[command(flatten)]
        targets: Targets,
        #[arg(long, short = 's', default_value = "TERM")]
        signal: String,
    },
    /// State, main pid, memory, port, health, unit file and log of the units (exit 3
    /// when one is not active, as systemctl status).
    Status {
        #[command(flatten)]
        targets: Targets,
        #[arg(long)]
        json: bool,
    },
    /// The units' log: from journald, or from the files they append to. Several
    /// units (or a site) are merged, each line tagged.
    Logs {
        #[command(flatten)]
        targets: Targets,
        /// How many lines of the end to show.
        #[arg(long, short = 'n', default_value_t = 50)]
        lines: usize,
        /// Keep printing new lines.
        #[arg(long, short = 'f')]
        follow: bool,
        /// Journal only: lines since this time (`5m ago`, `2026-11-21 10:00`).
        #[arg(long)]
        since: Option<String>,
    },
    /// Print the service's env file: variable names with values masked; with
    /// `--reveal` the values (admins only; the reveal is recorded in the audit log).
    Env {
        target: String,
        #[arg(long)]
        reveal: bool,
    },
    /// Print the unit file qd generates for the service.
    Render { target: String },
    /// Write the services' unit files, daemon-reload and enable them.
    Install(Targets),
    /// Make the manager re-read every unit file.
    DaemonReload,
}

#[derive(Debug, Subcommand)]
pub enum SiteCmd {
    /// List the configured sites and their services.
    List,
    /// Stop, disable and delete the unit files of every service of the site.
    Remove {
        name: String,
        /// Do it (without: print what would be done).
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Validate a config file (default: the files qd would load) and print what it sets.
    Check { path: Option<PathBuf> },
}
