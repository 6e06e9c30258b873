//! A whole, immutable picture of one host at one refresh. Collectors publish these
//! behind an `Arc`; views never mutate them, and the newest one wins.

use super::port::PortTable;
use super::{HostStats, Process};
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Snapshot {
    /// `local` for this machine; remote hosts later carry their own name.
    pub host: String,
    /// Unix time in milliseconds when the snapshot was taken.
    pub taken_at_ms: u64,
    pub stats: HostStats,
    pub processes: Vec<Process>,
    /// Processes whose fields could not all be read (permission denied): counted, not hidden.
    pub partial_reads: usize,
    /// Kernel threads counted but not read (they are hidden and unread to save time).
    pub skipped_kernel_threads: usize,
    /// The sockets, when a view asked for them (they cost a netlink dump and fd scans).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<PortTable>,
    /// The services and sites, joined with these processes (TUI only).
    #[serde(skip)]
    pub services: Option<std::sync::Arc<super::services::ServiceTable>>,
}

impl Snapshot {
    /// Every task on the host, listed or only counted.
    pub fn task_count(&self) -> usize {
        self.processes.len() + self.skipped_kernel_threads
    }

    pub fn find(&self, pid: i32) -> Option<&Process> {
        self.processes.iter().find(|p| p.pid == pid)
    }
}
