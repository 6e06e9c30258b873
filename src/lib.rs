//! quarterdeck: a terminal operations console for Linux servers.
//!
//! The crate is layered top to bottom; a layer never imports one above it:
//! `tui` (ratatui app) and `cli` (headless subcommands) sit on `actions` (the one path
//! every change goes through), `sources` (collectors of /proc), `config` and `model`
//! (plain data, no I/O). Only `tui` knows about the terminal, so the core is testable
//! without one and the CLI shares every line of it.

pub mod actions;
pub mod cli;
pub mod config;
pub mod model;
pub mod sources;
pub mod ssh;
pub mod tui;
