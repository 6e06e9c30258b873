//! The services and sites tables as the TUI shows them: systemd's units (from the
//! unit watcher) joined with this refresh's processes and sockets, so CPU%, memory
//! and process counts are live without asking systemd for them.

use super::Process;
use super::port::PortTable;
use super::site::Sites;
use super::unit::Unit;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// What the unit watcher last saw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitList {
    pub units: Vec<Unit>,
    /// systemd could not be reached (or the list failed): why. Rows are the last known.
    pub error: Option<String>,
    /// Every service unit, not only the sites' ones.
    pub all_units: bool,
    /// False until the first list arrived.
    pub loaded: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ServiceRow {
    pub unit: Unit,
    /// Summed over the unit's processes at this refresh.
    pub cpu_percent: f32,
    pub rss_bytes: u64,
    pub procs: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SiteRow {
    pub name: Arc<str>,
    pub user: String,
    pub services: u32,
    pub up: u32,
    pub failed: u32,
    pub procs: u32,
    pub cpu_percent: f32,
    pub rss_bytes: u64,
    /// Listening sockets held by the site's processes (when sockets were read).
    pub ports: Option<u32>,
    pub healthy: u32,
    pub failing: u32,
}

/// The services table and the sites table of one snapshot.
#[derive(Debug, Clone, Default)]
pub struct ServiceTable {
    pub rows: Vec<ServiceRow>,
    pub sites: Vec<SiteRow>,
    pub error: Option<String>,
    pub loaded: bool,
    pub all_units: bool,
}

impl ServiceTable {
    pub fn join(
        list: &UnitList,
        sites: &Sites,
        procs: &[Process],
        ports: Option<&PortTable>,
    ) -> Self {
        let mut per_unit: HashMap<&str, (f32, u64, u32)> = HashMap::new();
        let mut per_site: HashMap<&str, (f32, u64, u32)> = HashMap::new();
        for p in procs {
            if let Some(u) = p.unit.as_deref() {
                let e = per_unit.entry(u).or_default();
                e.0 += p.cpu_percent;
                e.1 += p.rss_bytes;
                e.2 += 1;
            }
            if let Some(s) = p.site.as_deref() {
                let e = per_site.entry(s).or_default();
                e.0 += p.cpu_percent;
                e.1 += p.rss_bytes;
                e.2 += 1;
            }
        }
        let listening: Option<std::collections::HashSet<u16>> = ports.map(|t| {
            t.rows
                .iter()
                .filter(|p| p.socket.state == "LISTEN")
                .map(|p| p.socket.local.port())
                .collect()
        });
        let rows: Vec<ServiceRow> = list
            .units
            .iter()
            .map(|u| {
                let (cpu, rss, n) = per_unit.get(u.unit.as_str()).copied().unwrap_or_default();
                let mut unit = u.clone();
                if let (Some(p), Some(l)) = (u.port, &listening) {
                    unit.listening = Some(l.contains(&p));
                }
                ServiceRow {
                    unit,
                    cpu_percent: cpu,
                    rss_bytes: rss,
                    procs: n,
                }
            })
            .collect();
        let mut port_counts: HashMap<&str, u32> = HashMap::new();
        if let Some(t) = ports {
            for p in t.rows.iter().filter(|p| p.socket.is_listening()) {
                if let Some(s) = p.site.as_deref() {
                    *port_counts.entry(s).or_default() += 1;
                }
            }
        }
        let site_rows = sites
            .sites
            .iter()
            .map(|s| {
                let units: Vec<&Unit> = list
                    .units
                    .iter()
                    .filter(|u| u.site.as_deref() == Some(&*s.name))
                    .collect();
                let (cpu, rss, n) = per_site.get(&*s.name).copied().unwrap_or_default();
                SiteRow {
                    name: s.name.clone(),
                    user: s.user.clone(),
                    services: s.services.len() as u32,
                    up: units.iter().filter(|u| u.active_state == "active").count() as u32,
                    failed: units.iter().filter(|u| u.active_state == "failed").count() as u32,
                    procs: n,
                    cpu_percent: cpu,
                    rss_bytes: rss,
                    ports: ports.map(|_| port_counts.get(&*s.name).copied().unwrap_or(0)),
                    healthy: units
                        .iter()
                        .filter(|u| u.health.as_deref() == Some("ok"))
                        .count() as u32,
                    failing: units
                        .iter()
                        .filter(|u| u.health.as_deref() == Some("failing"))
                        .count() as u32,
                }
            })
            .collect();
        Self {
            rows,
            sites: site_rows,
            error: list.error.clone(),
            loaded: list.loaded,
            all_units: list.all_units,
        }
    }
}
