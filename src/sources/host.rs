//! Host-wide stats for the header: CPU per core (from deltas of /proc/stat), memory
//! and swap (/proc/meminfo), load (/proc/loadavg), uptime and host name. The files are
//! parsed by procfs from one buffer qd reuses; the networks, disks and temperatures
//! come from `devices` (sysinfo), for the TUI only.

use crate::model::HostStats;
use procfs::{FromBufRead, FromBufReadSI, FromRead, KernelStats, LoadAverage, Meminfo, Uptime};

#[derive(Clone, Copy, Default)]
struct CpuTimes {
    busy: u64,
    total: u64,
}

pub struct HostCollector {
    hostname: String,
    boot_time: u64,
    prev: Vec<CpuTimes>,
    buf: Vec<u8>,
    system: procfs::ExplicitSystemInfo,
}

/// Reads a small /proc file into `buf` (reused across refreshes).
fn read_into<'a>(path: &str, buf: &'a mut Vec<u8>) -> Option<&'a [u8]> {
    use std::io::Read;
    buf.clear();
    std::fs::File::open(path).ok()?.read_to_end(buf).ok()?;
    Some(buf)
}

/// What procfs needs to parse /proc/stat; the tick rate and page size are the
/// kernel's, the boot time is not used by the parts read here.
fn system_info() -> procfs::ExplicitSystemInfo {
    procfs::ExplicitSystemInfo {
        boot_time_secs: 0,
        ticks_per_second: rustix::param::clock_ticks_per_second(),
        page_size: rustix::param::page_size() as u64,
        is_little_endian: cfg!(target_endian = "little"),
    }
}

impl HostCollector {
    pub fn new() -> Self {
        let hostname = rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned();
        let system = system_info();
        let mut buf = Vec::with_capacity(4096);
        let boot_time = read_into("/proc/stat", &mut buf)
            .and_then(|b| KernelStats::from_buf_read(b, &system).ok())
            .map(|k| k.btime)
            .unwrap_or(0);
        Self {
            hostname,
            boot_time,
            prev: Vec::new(),
            buf,
            system,
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
        if let Some(u) =
            read_into("/proc/uptime", &mut self.buf).and_then(|b| Uptime::from_read(b).ok())
        {
            st.uptime_secs = u.uptime as u64;
        }
        if let Some(l) =
            read_into("/proc/loadavg", &mut self.buf).and_then(|b| LoadAverage::from_read(b).ok())
        {
            st.load = [l.one.into(), l.five.into(), l.fifteen.into()];
        }
        if let Some(b) = read_into("/proc/meminfo", &mut self.buf) {
            [st.mem_total, st.mem_available, st.swap_total, st.swap_free] = memory(b);
        }
        if let Some(k) = read_into("/proc/stat", &mut self.buf)
            .and_then(|b| KernelStats::from_buf_read(b, &self.system).ok())
        {
            let mut all = vec![times(&k.total)];
            all.extend(k.cpu_time.iter().map(times));
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

/// Total and available memory, total and free swap, in bytes, from /proc/meminfo.
///
/// procfs requires 17 fields (Slab, VmallocChunk, Committed_AS, ...) and fails whole
/// without one; a trimmed meminfo (a sandbox's, a container's FUSE view) then showed no
/// memory at all. Then the four fields the header shows are read one by one.
fn memory(b: &[u8]) -> [u64; 4] {
    if let Ok(m) = Meminfo::from_buf_read(b) {
        // Kernels before 3.14 have no MemAvailable: free + page cache is its estimate.
        let available = m
            .mem_available
            .unwrap_or(m.mem_free.saturating_add(m.cached));
        return [m.mem_total, available, m.swap_total, m.swap_free];
    }
    let text = String::from_utf8_lossy(b);
    let kb = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .map(|v| v.saturating_mul(1024))
    };
    let available = kb("MemAvailable")
        .or_else(|| Some(kb("MemFree")?.saturating_add(kb("Cached").unwrap_or(0))))
        .unwrap_or(0);
    [
        kb("MemTotal").unwrap_or(0),
        available,
        kb("SwapTotal").unwrap_or(0),
        kb("SwapFree").unwrap_or(0),
    ]
}

/// Busy and total ticks of one `cpu` line: user nice system idle iowait irq softirq
/// steal (guest time is already inside user); idle and iowait are not busy.
fn times(t: &procfs::CpuTime) -> CpuTimes {
    let opt = |v: Option<u64>| v.unwrap_or(0);
    let idle = t.idle + opt(t.iowait);
    let total = t.user + t.nice + t.system + idle + opt(t.irq) + opt(t.softirq) + opt(t.steal);
    CpuTimes {
        busy: total.saturating_sub(idle),
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lines() {
        let s = "cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 5 0 5 40 0 0 0 0 0 0\ncpu1 5 0 5 40 0 0 0 0 0 0\nintr 1\nctxt 1\nbtime 1700000000\nprocesses 1\n";
        let k = KernelStats::from_buf_read(s.as_bytes(), &system_info()).expect("parses");
        let t = times(&k.total);
        assert_eq!((t.busy, t.total), (20, 100));
        assert_eq!(k.cpu_time.len(), 2);
        assert_eq!(k.btime, 1_700_000_000);
    }

    #[test]
    fn a_trimmed_meminfo_still_gives_the_memory() {
        // No Slab, no Vmalloc*: procfs's Meminfo refuses it (the header showed 0 / 0).
        let short = b"MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    8000000 kB\nBuffers: 0 kB\nCached: 10 kB\nSwapTotal:       2000000 kB\nSwapFree:        1500000 kB\n";
        assert!(Meminfo::from_buf_read(&short[..]).is_err());
        assert_eq!(
            memory(short),
            [
                16_000_000 * 1024,
                8_000_000 * 1024,
                2_000_000 * 1024,
                1_500_000 * 1024
            ]
        );
        let real = std::fs::read("/proc/meminfo").expect("meminfo");
        let m = Meminfo::from_buf_read(&real[..]).expect("parses");
        assert_eq!(memory(&real)[0], m.mem_total);
    }

    #[test]
    fn this_host() {
        let mut c = HostCollector::new();
        assert!(c.boot_time() > 0);
        let _ = c.collect();
        let st = c.collect();
        assert!(st.mem_total > 0 && st.mem_available <= st.mem_total);
        assert!(!st.cpu_per_core.is_empty());
        assert!(st.uptime_secs > 0);
    }
}
