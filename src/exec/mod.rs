//! Runs one program the way a site's command (or health probe) must run: as the
//! site's user (uid, gid and the supplementary groups initgroups would give), in the
//! service's directory, with a clean environment, no descriptor of qd's beyond
//! stdin/stdout/stderr, no_new_privs, stdin from /dev/null, stdout and stderr
//! streamed line by line.
//!
//! Where systemd is reachable the program runs as a transient service unit
//! (`unit`): its cgroup holds everything it starts, setsid children included, a
//! timeout or cancel stops the cgroup, and systemd's RuntimeMaxSec bounds it even if
//! qd is killed. Without systemd, or when the manager refuses, it runs in a session
//! and process group of its own (`group`): a timeout or a cancel ends the group and
//! every descendant still attached to its tree, TERM then KILL after a grace.

mod group;
mod unit;

pub use group::cloexec_from_3;

use crate::sys::account::Account;
use crate::systemd::Bus;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, BufReader};
use tokio::sync::mpsc;

/// How the program ended.
#[derive(Debug, Clone, PartialEq)]
pub enum How {
    Code(i32),
    Signal(i32),
    TimedOut(Duration),
    Canceled,
    /// It never ran: the reason in words.
    NotStarted(String),
}

/// What held the program and everything it started.
#[derive(Debug, Clone, PartialEq)]
pub enum Containment {
    /// A transient systemd unit of this name.
    Unit(String),
    /// Its own session and process group; why not a unit (`None`: no systemd asked).
    ProcessGroup(Option<String>),
}

/// The end of a run and how it was contained.
#[derive(Debug, Clone, PartialEq)]
pub struct Exit {
    pub how: How,
    pub containment: Containment,
}

impl Exit {
    fn not_started(why: impl Into<String>) -> Self {
        Self {
            how: How::NotStarted(why.into()),
            containment: Containment::ProcessGroup(None),
        }
    }

    pub fn ok(&self) -> bool {
        self.how == How::Code(0)
    }

    /// The exit status for records: the code, or 128 + signal as shells report it.
    pub fn status(&self) -> Option<i32> {
        match self.how {
            How::Code(c) => Some(c),
            How::Signal(s) => Some(128 + s),
            _ => None,
        }
    }

    /// What was stopped on a timeout or cancel, in words.
    fn what_ended(&self) -> String {
        match &self.containment {
            Containment::Unit(u) => format!("unit {u} and everything it started were stopped"),
            Containment::ProcessGroup(_) => "its process group was killed".into(),
        }
    }

    /// `(in transient unit X)` or `(in its own process group: why)`.
    pub fn where_ran(&self) -> String {
        match &self.containment {
            Containment::Unit(u) => format!("in transient unit {u}"),
            Containment::ProcessGroup(None) => "in its own process group".into(),
            Containment::ProcessGroup(Some(why)) => {
                format!("in its own process group; no transient unit: {why}")
            }
        }
    }

    pub fn describe(&self) -> String {
        let end = match &self.how {
            How::Code(c) => format!("exited with status {c}"),
            How::Signal(s) => format!(
                "killed by signal {}",
                crate::actions::Sig::ALL
                    .into_iter()
                    .find(|g| g.number() == *s)
                    .map(|g| g.name().to_string())
                    .unwrap_or_else(|| s.to_string())
            ),
            How::TimedOut(d) => format!(
                "timed out after {}: {}",
                crate::model::format::duration_short(*d),
                self.what_ended()
            ),
            How::Canceled => format!("canceled: {}", self.what_ended()),
            How::NotStarted(why) => return format!("did not start: {why}"),
        };
        format!("{end} ({})", self.where_ran())
    }
}

/// What to run and how.
pub struct Spec<'a> {
    pub argv: &'a [String],
    /// Whose uid, groups and home.
    pub account: &'a Account,
    /// Switch to `account` (qd is root and the account is not).
    pub switch_user: bool,
    pub dir: &'a Path,
    /// The whole environment: nothing of qd's own is passed on.
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    pub grace: Duration,
    /// The systemd manager to run it under; `None`: no systemd (a process group).
    pub bus: Option<Bus>,
    /// Names the transient unit: `qd-run-LABEL-....service` (`shop-api-migrate`).
    pub label: &'a str,
}

/// The environment every command starts from.
pub fn base_env(account: &Account) -> Vec<(String, String)> {
    let path = if account.uid == 0 {
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    } else {
        "/usr/local/bin:/usr/bin:/bin"
    };
    vec![
        ("PATH".into(), path.into()),
        ("HOME".into(), account.home.clone()),
        ("USER".into(), account.name.clone()),
        ("LOGNAME".into(), account.name.clone()),
        ("LANG".into(), "C.UTF-8".into()),
    ]
}

/// The longest line passed on; longer ones are cut (a binary blob, a flood).
const MAX_LINE: usize = 8192;

/// Reads `stream` line by line onto `tx` until it closes.
fn reader(stream: impl AsyncRead + Unpin + Send + 'static, tx: mpsc::UnboundedSender<String>) {
    tokio::spawn(async move {
        let mut r = BufReader::new(stream);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match (&mut r)
                .take(MAX_LINE as u64)
                .read_until(b'\n', &mut buf)
                .await
            {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf);
                    if tx
                        .send(line.trim_end_matches(['\n', '\r']).to_string())
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
}

/// Passes on lines already read, for at most `bound` or until the writers are gone.
async fn drain(
    rx: &mut mpsc::UnboundedReceiver<String>,
    on_line: &(dyn Fn(&str) + Send + Sync),
    bound: Duration,
) {
    let end = tokio::time::Instant::now() + bound;
    while let Ok(Some(line)) = tokio::time::timeout_at(end, rx.recv()).await {
        on_line(&line);
    }
}

/// `prog` as an absolute path: itself when it has a slash, else the first
/// executable of that name in the command's PATH.
fn resolve(prog: &str, env: &[(String, String)]) -> Option<String> {
    if prog.contains('/') {
        return Some(prog.to_string());
    }
    let path = env
        .iter()
        .find(|(k, _)| k == "PATH")
        .map(|(_, v)| v.as_str())?;
    path.split(':')
        .filter(|d| d.starts_with('/'))
        .find_map(|d| {
            let p = Path::new(d).join(prog);
            rustix::fs::access(&p, rustix::fs::Access::EXEC_OK)
                .ok()
                .filter(|_| p.is_file())
                .map(|_| p.to_string_lossy().into_owned())
        })
}

/// Runs `spec`; each output line goes to `on_line` as it comes.
pub async fn run(
    spec: &Spec<'_>,
    cancel: &AtomicBool,
    on_line: &(dyn Fn(&str) + Send + Sync),
) -> Exit {
    if spec.argv.is_empty() {
        return Exit::not_started("empty command");
    }
    let mut why_not = None;
    if let Some(bus) = spec.bus {
        match unit::run(spec, bus, cancel, on_line).await {
            Ok(exit) => return exit,
            Err(why) => why_not = Some(why),
        }
    }
    group::run(spec, cancel, on_line, why_not).await
}

/// Why qd ends a running command now, if it does: a cancel, or its timeout passed.
/// The same decision on both containment paths.
fn stop_reason(spec: &Spec<'_>, start: tokio::time::Instant, cancel: &AtomicBool) -> Option<How> {
    if cancel.load(std::sync::atomic::Ordering::Relaxed) {
        Some(How::Canceled)
    } else if start.elapsed() >= spec.timeout {
        Some(How::TimedOut(spec.timeout))
    } else {
        None
    }
}
