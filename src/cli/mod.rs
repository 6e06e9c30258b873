//! The command line: options shared by the TUI and the headless subcommands, and the
//! subcommands themselves, which run the same core as the TUI with plain or JSON output.
//!
//! Exit codes: 0 ok, 1 an action failed, 2 usage or config error, 3 denied by policy.

pub mod config_cmd;
pub mod proc_cmds;
pub mod snapshot;
pub mod table;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_DENIED: i32 = 3;

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
    /// Level of qd's own log file (error, warn, info, debug, trace).
    #[arg(long, global = true, value_name = "LEVEL")]
    pub log_level: Option<String>,
    #[command(subcommand)]
    pub command: Option<Cmd>,
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
    /// Configuration helpers.
    Config {
        #[command(subcommand)]
        command: ConfigCmd,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCmd {
    /// Validate a config file (default: the files qd would load) and print what it sets.
    Check { path: Option<PathBuf> },
}
