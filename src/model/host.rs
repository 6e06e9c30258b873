//! Host-wide figures for the header: load, CPU per core, memory, uptime, and the
//! networks, disks and temperatures (TUI only: empty in one-shot snapshots).

use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
pub struct HostStats {
    pub hostname: String,
    pub uptime_secs: u64,
    pub load: [f64; 3],
    /// Busy percent of each core over the last interval (0..=100).
    pub cpu_per_core: Vec<f32>,
    /// Busy percent of all cores together (0..=100).
    pub cpu_total: f32,
    pub mem_total: u64,
    pub mem_available: u64,
    pub swap_total: u64,
    pub swap_free: u64,
    /// Unix time of boot (`btime` of /proc/stat).
    pub boot_time: u64,
    /// Network interfaces (loopback left out), busiest first.
    pub networks: Vec<NetRate>,
    /// Mounted disks, largest first.
    pub disks: Vec<DiskUse>,
    /// Temperature sensors that report a value, hottest first.
    pub temps: Vec<Temp>,
}

/// One network interface's traffic over the last refresh.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NetRate {
    /// The interface name, made inert.
    pub name: String,
    pub rx_bytes_per_sec: f64,
    pub tx_bytes_per_sec: f64,
}

/// One mounted disk's space.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DiskUse {
    /// The mount point, made inert (a FUSE mount of a user may be named anything).
    pub mount: String,
    pub total: u64,
    pub available: u64,
}

impl DiskUse {
    pub fn used_percent(&self) -> f32 {
        if self.total == 0 {
            return 0.0;
        }
        self.total.saturating_sub(self.available) as f32 * 100.0 / self.total as f32
    }
}

/// One temperature sensor.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Temp {
    /// The sensor's label, made inert.
    pub label: String,
    pub celsius: f32,
}

impl HostStats {
    pub fn mem_used(&self) -> u64 {
        self.mem_total.saturating_sub(self.mem_available)
    }
    pub fn swap_used(&self) -> u64 {
        self.swap_total.saturating_sub(self.swap_free)
    }
}
