//! Host-wide stats for the header: CPU per core (from deltas of /proc/stat), memory
//! and swap (/proc/meminfo), load (/proc/loadavg), uptime and host name.

use crate::model::HostStats;

#[derive(Clone, Copy, Default)]
struct CpuTimes {
    busy: u64,
    total: u64,
}

pub struct HostCollector {
    hostname: String,
    boot_time: u64,
    prev: Vec<CpuTimes>,
}

impl HostCollector {
    pub fn new() -> Self {
        let hostname = rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned();
        let boot_time = std::fs::read_to_string("/proc/stat")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("btime "))
                    .and_then(|v| v.trim().parse().ok())
            })
            .unwrap_or(0);
        Self {
            hostname,
            boot_time,
            prev: Vec::new(),
        }
    }

    pub fn boot_time(&self) -> u64 {
        self.boot_time
    }

    pub fn collect(&mut self) -> HostStats {
        let mut st = HostStats {
            hostname: self.hostname.clone(),
            boot_time: self.boot_time,
            ..HostStats::default()
        };
        if let Ok(s) = std::fs::read_to_string("/proc/uptime") {
            st.uptime_secs = s
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or(0.0) as u64;
        }
        if let Ok(s) = std::fs::read_to_string("/proc/loadavg") {
            for (i, v) in s.split_whitespace().take(3).enumerate() {
                st.load[i] = v.parse().unwrap_or(0.0);
            }
        }
        if let Ok(s) = std::fs::read_to_string("/proc/meminfo") {
            for line in s.lines() {
                let mut it = line.split_whitespace();
                let (Some(k), Some(v)) = (it.next(), it.next()) else {
                    continue;
                };
                let bytes = v.parse::<u64>().unwrap_or(0) * 1024;
                match k {
                    "MemTotal:" => st.mem_total = bytes,
                    "MemAvailable:" => st.mem_available = bytes,
                    "SwapTotal:" => st.swap_total = bytes,
                    "SwapFree:" => st.swap_free = bytes,
                    _ => {}
                }
            }
        }
        if let Ok(s) = std::fs::read_to_string("/proc/stat") {
            let (total, cores) = parse_cpu_lines(&s);
            let mut all = vec![total];
            all.extend(cores);
            let pct: Vec<f32> = all
                .iter()
                .enumerate()
                .map(|(i, now)| match self.prev.get(i) {
                    Some(p) if now.total > p.total => {
                        (now.busy.saturating_sub(p.busy)) as f32 / (now.total - p.total) as f32
                            * 100.0
                    }
                    _ => 0.0,
                })
                .collect();
            self.prev = all;
            st.cpu_total = pct.first().copied().unwrap_or(0.0);
            st.cpu_per_core = pct.into_iter().skip(1).collect();
        }
        st
    }
}

impl Default for HostCollector {
    fn default() -> Self {
        Self::new()
    }
}

/// The aggregate `cpu` line and the `cpuN` lines of /proc/stat.
fn parse_cpu_lines(s: &str) -> (CpuTimes, Vec<CpuTimes>) {
    let mut total = CpuTimes::default();
    let mut cores = Vec::new();
    for line in s.lines().take_while(|l| l.starts_with("cpu")) {
        let mut it = line.split_whitespace();
        let label = it.next().unwrap_or("");
        let v: Vec<u64> = it.map(|x| x.parse().unwrap_or(0)).collect();
        // user nice system idle iowait irq softirq steal (guest is inside user)
        let sum: u64 = v.iter().take(8).sum();
        let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
        let t = CpuTimes {
            busy: sum.saturating_sub(idle),
            total: sum,
        };
        if label == "cpu" {
            total = t;
        } else {
            cores.push(t);
        }
    }
    (total, cores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lines() {
        let s = "cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 5 0 5 40 0 0 0 0 0 0\ncpu1 5 0 5 40 0 0 0 0 0 0\nintr 1\n";
        let (t, c) = parse_cpu_lines(s);
        assert_eq!((t.busy, t.total), (20, 100));
        assert_eq!(c.len(), 2);
    }
}
