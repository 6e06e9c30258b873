//! The local host's snapshot: host stats and processes, collected together.

use super::host::HostCollector;
use super::procs::ProcCollector;
use crate::model::{HostStats, Snapshot};
use std::time::{SystemTime, UNIX_EPOCH};

/// Collects a whole snapshot: host stats and processes.
pub struct LocalCollector {
    pub host: HostCollector,
    pub procs: ProcCollector,
}

impl LocalCollector {
    pub fn new() -> Self {
        let host = HostCollector::new();
        let boot = host.boot_time();
        Self {
            host,
            procs: ProcCollector::new(boot),
        }
    }

    pub fn snapshot(&mut self) -> Snapshot {
        let stats: HostStats = self.host.collect();
        let processes = self.procs.collect();
        let taken_at_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        Snapshot {
            host: "local".into(),
            taken_at_ms,
            stats,
            processes,
            partial_reads: self.procs.partial_reads,
            skipped_kernel_threads: self.procs.skipped_kernel_threads,
        }
    }
}

impl Default for LocalCollector {
    fn default() -> Self {
        Self::new()
    }
}
