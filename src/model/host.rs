//! Host-wide figures for the header: load, CPU per core, memory, uptime.

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
}

impl HostStats {
    pub fn mem_used(&self) -> u64 {
        self.mem_total.saturating_sub(self.mem_available)
    }
    pub fn swap_used(&self) -> u64 {
        self.swap_total.saturating_sub(self.swap_free)
    }
}
