//! SSH to the other servers of the fleet: hosts (config and `~/.ssh/config`), host
//! keys with OpenSSH's rules, a pool of one russh connection per (user, host, port),
//! commands on many hosts at once, and the shell panes' sessions. No UI here: the TUI
//! and the CLI both drive it, and every exec or pane goes through the dispatcher's
//! policy and audit (`actions::remote`).

pub mod auth;
pub mod clamp;
pub mod client;
pub mod deadline;
pub mod exec;
pub mod hosts;
pub mod known_hosts;
pub mod learn;
pub mod pane;
pub mod pool;
pub mod prompt;
pub mod ssh_config;

pub use hosts::{Host, HostKeyChecking, HostSource, SshSettings};
pub use learn::{KeyRecorder, LearnHow, LearnRequest};
pub use pool::Pool;
