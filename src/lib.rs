//! quarterdeck: a terminal operations console for Linux servers.
//!
//! The crate is layered top to bottom; a layer never imports one above it:
//! `tui` (ratatui app) and `cli` (headless subcommands) are two faces over one core;
//! `actions` is the one path every change goes through (policy, confirmation, audit,
//! executors); `exec` runs a site's program contained (a transient unit, or a
//! process group); `sources` are the collectors; `systemd` (the D-Bus driver) and `ssh`
//! (the connection pool) are used by both sources and actions; `sys` reads OS facts
//! on demand; `audit` is the append-only log; `config` loads files and decides which
//! may carry authority; `model` is plain data. Only `tui` knows about the terminal, so
//! the core is testable without one and the CLI shares every line of it.

pub mod actions;
pub mod audit;
pub mod cli;
pub mod config;
pub mod exec;
pub mod exit;
pub mod model;
pub mod sources;
pub mod ssh;
pub mod sys;
pub mod systemd;
pub mod tui;
