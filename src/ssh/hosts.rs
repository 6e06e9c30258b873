//! The fleet: the hosts qd can open connections to, from the config's `[[host]]`
//! entries and the operator's `~/.ssh/config`, and the `[ssh]` settings the pool,
//! the host key check and the panes run with. Plain data, built by `config`.

use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// Where a host entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HostSource {
    Config,
    SshConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Host {
    /// What the operator types: `web1`.
    pub name: String,
    /// Name or IP address connected to (and looked up in known_hosts).
    pub address: String,
    pub port: u16,
    pub user: String,
    /// Identity files tried after the agent's keys (the host's own, else the defaults).
    pub identities: Vec<PathBuf>,
    pub tags: Vec<String>,
    pub source: HostSource,
    /// Something of the entry qd does not do (`ProxyJump is not supported`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Host {
    /// `user@address:port`: one pooled connection per distinct value.
    pub fn conn_key(&self) -> String {
        format!("{}@{}:{}", self.user, self.address, self.port)
    }

    /// True when `sel` (a name, or `tag:T`) selects this host.
    pub fn selected_by(&self, sel: &str) -> bool {
        match sel.strip_prefix("tag:") {
            Some(t) => self.tags.iter().any(|x| x == t),
            None => sel == "*" || self.name == sel,
        }
    }
}

/// `host_key_checking`: what happens when the server's key is not known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKeyChecking {
    /// Unknown hosts are refused.
    Strict,
    /// Learned when no key of any type is known for the host.
    AcceptNew,
    /// The operator is shown the fingerprint and decides (refused without a terminal).
    Ask,
}

impl HostKeyChecking {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "strict" | "yes" => Some(Self::Strict),
            "accept-new" => Some(Self::AcceptNew),
            "ask" => Some(Self::Ask),
            _ => None,
        }
    }
}

/// `[ssh]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SshSettings {
    pub host_key_checking: HostKeyChecking,
    /// Read after `~/.ssh/known_hosts`; the first is where new keys are written (else
    /// `~/.ssh/known_hosts`).
    pub known_hosts: Vec<PathBuf>,
    /// System-wide files (OpenSSH's GlobalKnownHostsFile), read after the user's and
    /// never written.
    pub global_known_hosts: Vec<PathBuf>,
    /// Bounds TCP connect, banner, key exchange and authentication together.
    pub connect_timeout: Duration,
    /// A keepalive goes out after this much silence; `keepalive_count` unanswered
    /// ones close the connection (dead in about interval x count).
    pub keepalive_interval: Duration,
    pub keepalive_count: usize,
    /// A connection with no channel for this long is closed.
    pub idle_close: Duration,
    /// Connections being set up at once (fan-out to many hosts).
    pub max_connects: usize,
    /// Authentication attempts per connection; stays under sshd's MaxAuthTries (6).
    pub max_auth_tries: usize,
    /// Tried when a host names none of its own.
    pub identity_files: Vec<PathBuf>,
    /// Read `~/.ssh/config` Host entries.
    pub ssh_config: bool,
    /// Lines of scrollback per shell pane.
    pub scrollback: usize,
    /// Hosts a fan-out exec runs on at once.
    pub parallel: usize,
}

impl Default for SshSettings {
    fn default() -> Self {
        Self {
            host_key_checking: HostKeyChecking::Ask,
            known_hosts: Vec::new(),
            global_known_hosts: vec![PathBuf::from("/etc/ssh/ssh_known_hosts")],
            connect_timeout: Duration::from_secs(10),
            keepalive_interval: Duration::from_secs(15),
            keepalive_count: 3,
            idle_close: Duration::from_secs(600),
            max_connects: 16,
            max_auth_tries: 5,
            identity_files: ["id_ed25519", "id_ecdsa", "id_rsa"]
                .iter()
                .map(|f| home().join(".ssh").join(f))
                .collect(),
            ssh_config: true,
            scrollback: 10_000,
            parallel: 32,
        }
    }
}

impl SshSettings {
    /// Every known_hosts file read, in order: the user's, then the system's.
    pub fn known_hosts_files(&self) -> Vec<PathBuf> {
        let mut v = vec![home().join(".ssh/known_hosts")];
        v.extend(self.known_hosts.iter().cloned());
        v.extend(self.global_known_hosts.iter().cloned());
        v
    }

    /// Where accepted keys are written: the first user file that is not also named
    /// as a system file (the system file is never written), else `~/.ssh/known_hosts`.
    pub fn learn_file(&self) -> PathBuf {
        self.known_hosts
            .iter()
            .find(|f| !self.global_known_hosts.contains(f))
            .cloned()
            .unwrap_or_else(|| home().join(".ssh/known_hosts"))
    }
}

/// Where `~/.ssh` is: `$HOME`, else the passwd entry. In privileged mode (sudo) the
/// environment is the operator's (`sudo -E` keeps their HOME), so `~/.ssh/config`,
/// known_hosts and identity files come from the effective user's passwd entry only.
pub fn home() -> PathBuf {
    let privileged = crate::sys::privileged();
    if !privileged && let Some(h) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h);
    }
    let uid = if privileged {
        rustix::process::geteuid().as_raw()
    } else {
        rustix::process::getuid().as_raw()
    };
    crate::sys::account::Account::by_uid(uid)
        .map(|a| PathBuf::from(a.home))
        .unwrap_or_else(|| PathBuf::from("/"))
}

/// `~/x` -> `$HOME/x`.
pub fn expand_tilde(p: &str) -> PathBuf {
    match p.strip_prefix("~/") {
        Some(rest) => home().join(rest),
        None if p == "~" => home(),
        None => PathBuf::from(p),
    }
}

/// The user qd connects as when a host names none: the operator's login name. In
/// privileged mode the effective user's (root's) name from the passwd database: the
/// environment is the operator's, and `USER` there would pick whose account root's
/// keys log into.
pub fn default_user() -> String {
    if crate::sys::privileged() {
        return crate::sys::users::UserDb::new()
            .name(rustix::process::geteuid().as_raw())
            .to_string();
    }
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| {
            crate::sys::users::UserDb::new()
                .name(rustix::process::getuid().as_raw())
                .to_string()
        })
}

/// The hosts `sels` select (names or `tag:T`; `*` is all), in fleet order, or the
/// selector that matched nothing.
pub fn select<'a>(hosts: &'a [Host], sels: &[String]) -> Result<Vec<&'a Host>, String> {
    for s in sels {
        if !hosts.iter().any(|h| h.selected_by(s)) {
            return Err(s.clone());
        }
    }
    Ok(hosts
        .iter()
        .filter(|h| sels.iter().any(|s| h.selected_by(s)))
        .collect())
}
