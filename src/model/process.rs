//! One row of the process table, as collected from /proc.

use serde::Serialize;
use std::sync::Arc;

/// The identity of a process: a pid alone can be reused, a pid plus its start time
/// (clock ticks since boot, field 22 of /proc/PID/stat) cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ProcKey {
    pub pid: i32,
    pub starttime: u64,
}

/// A process as seen at one refresh. Fields that never change for a (pid, starttime)
/// are shared (`Arc`) with the collector's cache, so a snapshot costs no string copies.
#[derive(Debug, Clone, Serialize)]
pub struct Process {
    pub pid: i32,
    pub ppid: i32,
    pub user: Arc<str>,
    pub uid: u32,
    /// The kernel's short name (`comm`), at most 15 bytes.
    pub name: Arc<str>,
    /// argv, each argument decoded lossily (invalid UTF-8 becomes U+FFFD).
    pub cmdline: super::argv::Argv,
    /// One letter: R running, S sleeping, D disk wait, Z zombie, T stopped, I idle...
    pub state: char,
    pub nice: i32,
    pub priority: i32,
    pub threads: u32,
    /// Percent of one core over the last refresh interval (htop's convention).
    pub cpu_percent: f32,
    pub rss_bytes: u64,
    pub vsize_bytes: u64,
    /// utime + stime in clock ticks.
    #[serde(skip)]
    pub cpu_ticks: u64,
    /// Total CPU time used, in seconds (TIME+).
    pub cpu_seconds: f64,
    /// Start time in unix seconds.
    pub start_time: u64,
    /// Start time in clock ticks since boot: with `pid` the race-free identity.
    pub starttime_ticks: u64,
    pub tty_nr: i32,
    /// True for kernel threads (no argv, children of kthreadd).
    pub kernel_thread: bool,
    /// The systemd unit owning the process, from its cgroup (`foo.service`, `session-3.scope`).
    pub unit: Option<Arc<str>>,
    /// The site owning the process (filled in once sites exist).
    pub site: Option<Arc<str>>,
}

impl Process {
    pub fn key(&self) -> ProcKey {
        ProcKey {
            pid: self.pid,
            starttime: self.starttime_ticks,
        }
    }

    /// The program name: the basename of argv[0]'s first word (argv[0] may be a
    /// whole title such as `nginx: worker process`), or the kernel's name (`comm`)
    /// for kernel threads and processes whose argv is empty.
    pub fn display_name(&self) -> &str {
        match self.cmdline.first() {
            Some(a0) if !a0.is_empty() => {
                let first = a0.split(' ').next().unwrap_or(a0);
                let base = first.rsplit('/').next().unwrap_or(first);
                let base = base.strip_suffix(':').unwrap_or(base);
                if base.is_empty() { &self.name } else { base }
            }
            _ => &self.name,
        }
    }

    /// The full command as one line, arguments joined by spaces, or `[comm]`.
    pub fn command_line(&self) -> String {
        if self.cmdline.is_empty() {
            format!("[{}]", self.name)
        } else {
            self.cmdline.join(" ")
        }
    }

    /// State letter as a word, for detail panes and JSON consumers.
    pub fn state_name(&self) -> &'static str {
        match self.state {
            'R' => "running",
            'S' => "sleeping",
            'D' => "disk-sleep",
            'Z' => "zombie",
            'T' => "stopped",
            't' => "tracing-stop",
            'X' | 'x' => "dead",
            'I' => "idle",
            'P' => "parked",
            'W' => "waking",
            'K' => "wakekill",
            _ => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::fixture;

    #[test]
    fn display_name_is_the_first_words_basename() {
        let snap = fixture::web_host();
        let name = |pid| snap.find(pid).map(|p| p.display_name().to_string());
        assert_eq!(
            name(620).as_deref(),
            Some("nginx"),
            "nginx: master process ..."
        );
        assert_eq!(name(5120).as_deref(), Some("sshd"), "sshd: alice [priv]");
        assert_eq!(name(1801).as_deref(), Some("node"));
        assert_eq!(name(2).as_deref(), Some("kthreadd"), "kernel thread: comm");
        assert_eq!(name(5131).as_deref(), Some("-bash"));
    }
}
