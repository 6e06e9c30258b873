//! The header's networks, disks and temperatures, from sysinfo: interface traffic as
//! rates over each refresh, each mounted disk's space, each sensor that reports a
//! temperature. Only the TUI's collector thread keeps one (`LocalCollector::devices`);
//! one-shot snapshots leave these lists empty.
//!
//! Disks and sensors change slowly and cost a `statvfs` or a hwmon read each, so they
//! are read every few refreshes; the networks every refresh (their rates need it).

use crate::model::text::inert;
use crate::model::{DiskUse, NetRate, Temp};
use std::time::{Duration, Instant};
use sysinfo::{Components, DiskRefreshKind, Disks, Networks};

/// How often the disks and sensors are read again.
const SLOW_EVERY: Duration = Duration::from_secs(5);

pub struct Devices {
    networks: Option<Networks>,
    disks: Option<Disks>,
    components: Option<Components>,
    last_net: Instant,
    last_slow: Option<Instant>,
    pub disks_now: Vec<DiskUse>,
    pub temps_now: Vec<Temp>,
}

impl Devices {
    /// Lists what there is. A part sysinfo cannot read (no /sys in a container) stays
    /// absent and its list empty.
    pub fn new() -> Self {
        Self {
            networks: Networks::new_with_refreshed_list().ok(),
            disks: Disks::new_with_refreshed_list_specifics(
                DiskRefreshKind::nothing().with_storage(),
            )
            .ok(),
            components: Components::new_with_refreshed_list().ok(),
            last_net: Instant::now(),
            last_slow: None,
            disks_now: Vec::new(),
            temps_now: Vec::new(),
        }
    }

    /// The rates since the last call, busiest first, loopback left out.
    pub fn networks(&mut self) -> Vec<NetRate> {
        let Some(nets) = self.networks.as_mut() else {
            return Vec::new();
        };
        nets.refresh(true);
        let secs = self.last_net.elapsed().as_secs_f64().max(0.001);
        self.last_net = Instant::now();
        let mut out: Vec<NetRate> = nets
            .iter()
            .filter(|(name, _)| name.as_os_str() != "lo")
            .map(|(name, data)| NetRate {
                name: inert(&name.to_string_lossy(), 32).into_owned(),
                rx_bytes_per_sec: data.received() as f64 / secs,
                tx_bytes_per_sec: data.transmitted() as f64 / secs,
            })
            .collect();
        out.sort_by(|a, b| {
            (b.rx_bytes_per_sec + b.tx_bytes_per_sec)
                .total_cmp(&(a.rx_bytes_per_sec + a.tx_bytes_per_sec))
                .then_with(|| a.name.cmp(&b.name))
        });
        out
    }

    /// Disks and temperatures, read again when `SLOW_EVERY` has passed.
    pub fn refresh_slow(&mut self) {
        if self.last_slow.is_some_and(|t| t.elapsed() < SLOW_EVERY) {
            return;
        }
        self.last_slow = Some(Instant::now());
        if let Some(disks) = self.disks.as_mut() {
            disks.refresh_specifics(true, DiskRefreshKind::nothing().with_storage());
            let mut seen = std::collections::HashSet::new();
            let mut out: Vec<DiskUse> = disks
                .iter()
                .filter(|d| d.total_space() > 0)
                // One row per device: a bind mount of the same disk is not a second disk.
                .filter(|d| seen.insert(d.name().to_os_string()))
                .map(|d| DiskUse {
                    mount: inert(&d.mount_point().to_string_lossy(), 48).into_owned(),
                    total: d.total_space(),
                    available: d.available_space(),
                })
                .collect();
            out.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.mount.cmp(&b.mount)));
            self.disks_now = out;
        }
        if let Some(comps) = self.components.as_mut() {
            comps.refresh(true);
            let mut out: Vec<Temp> = comps
                .iter()
                .filter_map(|c| {
                    let t = c.temperature().filter(|t| t.is_finite())?;
                    Some(Temp {
                        label: inert(c.label(), 32).into_owned(),
                        celsius: t,
                    })
                })
                .collect();
            out.sort_by(|a, b| b.celsius.total_cmp(&a.celsius));
            self.temps_now = out;
        }
    }
}

impl Default for Devices {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_machine() {
        let mut d = Devices::new();
        d.refresh_slow();
        // Every machine this runs on has a root filesystem with space.
        assert!(
            d.disks_now
                .iter()
                .any(|u| u.total > 0 && u.available <= u.total),
            "{:?}",
            d.disks_now
        );
        let nets = d.networks();
        assert!(
            nets.iter()
                .all(|n| n.name != "lo" && n.rx_bytes_per_sec >= 0.0)
        );
        // A second call within SLOW_EVERY reads nothing new.
        let before = d.last_slow;
        d.refresh_slow();
        assert_eq!(before, d.last_slow);
    }
}
