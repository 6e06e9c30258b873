//! The local host's snapshot: host stats and processes, and the sockets when asked
//! for, collected together so the ports join sees the same processes.

use super::devices::Devices;
use super::host::HostCollector;
use super::ports::PortCollector;
use super::procs::ProcCollector;
use crate::model::port::Scope;
use crate::model::services::{ServiceTable, UnitList};
use crate::model::site::Sites;
use crate::model::{HostStats, Snapshot};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Collects a whole snapshot: host stats and processes.
pub struct LocalCollector {
    pub host: HostCollector,
    pub procs: ProcCollector,
    /// Which sockets to collect; `None`: none (no view shows them).
    pub port_scope: Option<Scope>,
    /// Kept across refreshes for its owner cache; made on first use.
    ports: Option<PortCollector>,
    /// Processes (and so their sockets) are tagged with the site owning them.
    pub sites: Arc<Sites>,
    /// The unit watcher's latest list, joined into each snapshot (TUI only).
    pub units: Option<tokio::sync::watch::Receiver<Arc<UnitList>>>,
    /// Networks, disks and temperatures for the header (TUI only).
    pub devices: Option<Devices>,
}

impl LocalCollector {
    pub fn new() -> Self {
        let host = HostCollector::new();
        let boot = host.boot_time();
        Self {
            host,
            procs: ProcCollector::new(boot),
            port_scope: None,
            ports: None,
            sites: Arc::default(),
            units: None,
            devices: None,
        }
    }

    pub fn snapshot(&mut self) -> Snapshot {
        let mut stats: HostStats = self.host.collect();
        if let Some(d) = self.devices.as_mut() {
            stats.networks = d.networks();
            d.refresh_slow();
            stats.disks = d.disks_now.clone();
            stats.temps = d.temps_now.clone();
        }
        let mut processes = self.procs.collect();
        if !self.sites.is_empty() {
            for p in &mut processes {
                p.site = self.sites.site_of(p.unit.as_deref(), &p.user).cloned();
            }
        }
        let ports = self.port_scope.map(|scope| {
            self.ports
                .get_or_insert_with(PortCollector::new)
                .collect(&processes, scope)
        });
        let services = self.units.as_ref().map(|rx| {
            let list = rx.borrow().clone();
            Arc::new(ServiceTable::join(
                &list,
                &self.sites,
                &processes,
                ports.as_ref(),
            ))
        });
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
            ports,
            services,
        }
    }
}

impl LocalCollector {
    /// `last` with the unit list joined again: the same processes and sockets, so
    /// a unit list that changed alone costs no /proc read.
    pub fn rejoin(&self, last: &Snapshot) -> Snapshot {
        let services = self.units.as_ref().map(|rx| {
            let list = rx.borrow().clone();
            Arc::new(ServiceTable::join(
                &list,
                &self.sites,
                &last.processes,
                last.ports.as_ref(),
            ))
        });
        Snapshot {
            services,
            ..last.clone()
        }
    }
}

impl Default for LocalCollector {
    fn default() -> Self {
        Self::new()
    }
}
