//! SSH to the other servers of the fleet: hosts (config and `~/.ssh/config`), host
//! keys with OpenSSH's rules, a pool of one russh connection per (user, host, port),
//! commands on many hosts at once, and the shell panes' sessions. No UI here: the TUI
//! and the CLI both drive it, and every exec or pane goes through the dispatcher's
//! policy and audit (`actions::remote`).

pub mod auth;
pub mod client;
pub mod exec;
pub mod hosts;
pub mod known_hosts;
pub mod pane;
pub mod pool;
pub mod prompt;
pub mod ssh_config;

pub use hosts::{Host, HostKeyChecking, HostSource, SshSettings};
pub use pool::Pool;

// lead: placeholder of the key-recorder interface until the SSH branch lands.
/// A host key the pool wants to keep: what the action path records and appends.
#[derive(Debug, Clone)]
pub struct LearnRequest {
    pub host: Host,
    pub file: std::path::PathBuf,
    pub line: String,
    pub key_type: String,
    pub fingerprint: String,
    pub how: &'static str,
}

/// Installed by the layer above: learns a key through the action path.
pub type KeyRecorder = std::sync::Arc<dyn Fn(&LearnRequest) -> Result<(), String> + Send + Sync>;
