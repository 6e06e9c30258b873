//! The process collector: reads /proc incrementally and builds `Process` rows.
//!
//! What never changes for a (pid, starttime) — uid, user name, cgroup unit, and
//! (mostly) argv — is read once and cached. Each refresh then reads only
//! /proc/PID/stat, through a file descriptor kept open since the process was first
//! seen: `pread` on it costs less than half of open+read+close, and once the process
//! exits it fails with ESRCH, so an fd never reads a different process that reused
//! the pid. Processes that vanish mid-read are skipped; fields that cannot be read
//! (permission denied) stay empty instead of failing the refresh.

use super::procstat::{Fields, PF_KTHREAD_U64 as PF_KTHREAD, parse_fields};
use crate::model::Process;
use crate::model::argv::Argv;
use crate::sys::procfile::{is_gone, parse_pid, pread_all, raise_fd_limit, read_capped, read_unit};
use crate::sys::users::UserDb;
use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::sync::Arc;
use std::time::Instant;

/// argv larger than this is cut: a multi-MB argv must not cost a multi-MB read each time.
const MAX_CMDLINE: usize = 256 * 1024;
/// A process's argv is re-read on its first refreshes after being seen: many programs
/// rewrite it just after start (nginx, postgres, sshd)...
const FRESH_REFRESHES: u32 = 3;
/// ...and after that every this many refreshes, staggered by pid so the cost is even.
const CMDLINE_EVERY: u64 = 16;

/// The pids in /proc, through getdents (rustix: no allocation per entry).
fn list_pids() -> Vec<i32> {
    let mut pids = Vec::new();
    let Ok(fd) = rustix::fs::open(
        "/proc",
        rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::DIRECTORY | rustix::fs::OFlags::CLOEXEC,
        rustix::fs::Mode::empty(),
    ) else {
        return pids;
    };
    let Ok(mut dir) = rustix::fs::Dir::read_from(&fd) else {
        return pids;
    };
    while let Some(Ok(ent)) = dir.next() {
        if let Some(pid) = parse_pid(ent.file_name().to_bytes()) {
            pids.push(pid);
        }
    }
    pids
}

/// pids are small distinct integers: a multiply-shift hash spreads them over
/// hashbrown's control bits at a fraction of SipHash's cost (no untrusted keys here).
#[derive(Default, Clone, Copy)]
struct PidHasher(u64);

impl std::hash::Hasher for PidHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_i32(&mut self, n: i32) {
        self.0 = (n as u32 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type PidMap<V> = HashMap<i32, V, std::hash::BuildHasherDefault<PidHasher>>;

struct Entry {
    starttime: u64,
    stat_fd: Option<File>,
    uid: u32,
    user: Arc<str>,
    name: Arc<str>,
    cmdline: Argv,
    unit: Option<Arc<str>>,
    prev_ticks: u64,
    seen: u64,
    refreshes: u32,
    kernel: bool,
    /// Kernel threads only: tells (by polling) when the thread exits, so a skipped
    /// thread's pid is never mistaken for a new process that reused it.
    pidfd: Option<rustix::fd::OwnedFd>,
}

pub struct ProcCollector {
    cache: PidMap<Entry>,
    users: UserDb,
    clk_tck: f64,
    page_size: u64,
    boot_time: u64,
    /// How many stat fds may stay open; beyond it, processes are read with open+read.
    fd_budget: usize,
    open_fds: usize,
    generation: u64,
    last_sample: Option<Instant>,
    buf: Vec<u8>,
    pub partial_reads: usize,
    /// Kernel threads are not read when nobody shows them (only counted).
    pub skip_kernel_threads: bool,
    pub skipped_kernel_threads: usize,
}

impl ProcCollector {
    pub fn new(boot_time: u64) -> Self {
        let clk_tck = rustix::param::clock_ticks_per_second() as f64;
        let fd_limit = raise_fd_limit();
        Self {
            cache: PidMap::default(),
            users: UserDb::new(),
            clk_tck: if clk_tck > 0.0 { clk_tck } else { 100.0 },
            page_size: rustix::param::page_size() as u64,
            boot_time,
            // Leave room for sockets, ptys and the rest of the program.
            fd_budget: (fd_limit as usize).saturating_sub(512) * 3 / 4,
            open_fds: 0,
            generation: 0,
            last_sample: None,
            buf: Vec::with_capacity(1024),
            partial_reads: 0,
            skip_kernel_threads: false,
            skipped_kernel_threads: 0,
        }
    }

    /// Reads every process once. CPU percentages are relative to the previous call.
    pub fn collect(&mut self) -> Vec<Process> {
        self.generation += 1;
        self.partial_reads = 0;
        self.skipped_kernel_threads = 0;
        if self.skip_kernel_threads {
            self.drop_exited_kernel_threads();
        }
        let now = Instant::now();
        let elapsed = self
            .last_sample
            .map(|t| now.duration_since(t).as_secs_f64());
        self.last_sample = Some(now);

        // The pids first, so the table and the cache are allocated at their size once
        // rather than grown by doubling (the first refresh's table had room for 4096
        // rows at 3000 processes, and the cache rehashed: 0.4 MB more at the peak).
        let pids = list_pids();
        let mut out = Vec::with_capacity(pids.len());
        self.cache
            .reserve(pids.len().saturating_sub(self.cache.len()));
        for pid in pids {
            if let Some(p) = self.read_one(pid, elapsed) {
                out.push(p);
            }
        }
        let gen_now = self.generation;
        let mut closed = 0;
        self.cache.retain(|_, e| {
            let keep = e.seen == gen_now;
            if !keep && e.stat_fd.is_some() {
                closed += 1;
            }
            keep
        });
        self.open_fds -= closed;
        out
    }

    /// One `poll` over the pidfds of the cached kernel threads: those that exited
    /// leave the cache, so their pid, if reused, is read as a new process.
    fn drop_exited_kernel_threads(&mut self) {
        use rustix::event::{PollFd, PollFlags, Timespec, poll};
        let mut pids = Vec::new();
        let mut fds = Vec::new();
        for (pid, e) in &self.cache {
            if let Some(fd) = &e.pidfd {
                pids.push(*pid);
                fds.push(PollFd::new(fd, PollFlags::IN));
            }
        }
        if fds.is_empty()
            || poll(
                &mut fds,
                Some(&Timespec {
                    tv_sec: 0,
                    tv_nsec: 0,
                }),
            )
            .unwrap_or(0)
                == 0
        {
            return;
        }
        let exited: Vec<i32> = fds
            .iter()
            .zip(&pids)
            .filter(|(fd, _)| !fd.revents().is_empty())
            .map(|(_, pid)| *pid)
            .collect();
        for pid in exited {
            if let Some(old) = self.cache.remove(&pid)
                && old.stat_fd.is_some()
            {
                self.open_fds -= 1;
            }
        }
    }

    fn read_one(&mut self, pid: i32, elapsed: Option<f64>) -> Option<Process> {
        if self.skip_kernel_threads {
            let generation = self.generation;
            if let Some(e) = self
                .cache
                .get_mut(&pid)
                .filter(|e| e.kernel && e.pidfd.is_some())
            {
                // Still the same thread (`drop_exited_kernel_threads` ran): count it.
                e.seen = generation;
                self.skipped_kernel_threads += 1;
                return None;
            }
        }
        // Fast path: a cached fd (or path), still the same process.
        let buf = &mut self.buf;
        let cached = self.cache.get_mut(&pid).and_then(|e| {
            let read = match &e.stat_fd {
                Some(fd) => pread_all(fd, buf),
                // Over the fd budget: open+read, but still keep the cached fields.
                None => File::open(format!("/proc/{pid}/stat")).and_then(|f| pread_all(&f, buf)),
            };
            read.ok()?;
            parse_fields(buf).filter(|s| s.starttime == e.starttime)
        });
        let stat = match cached {
            Some(s) => s,
            None => self.open_new(pid)?,
        };
        let generation = self.generation;
        let e = self.cache.get_mut(&pid)?;
        e.seen = generation;
        e.refreshes = e.refreshes.saturating_add(1);
        let refresh_cmdline = e.refreshes <= FRESH_REFRESHES
            || (pid as u64 + generation).is_multiple_of(CMDLINE_EVERY);
        if refresh_cmdline
            && stat.flags & PF_KTHREAD == 0
            && let Ok(bytes) = read_capped(&format!("/proc/{pid}/cmdline"), MAX_CMDLINE)
        {
            let args = Argv::from_nul_bytes(&bytes);
            if e.cmdline != args {
                e.cmdline = args;
            }
        }
        let comm = self.buf.get(stat.comm.clone()).unwrap_or_default();
        if e.name.as_bytes() != comm {
            e.name = Arc::from(String::from_utf8_lossy(comm).as_ref());
        }
        let ticks = stat.utime + stat.stime;
        let cpu_percent = match elapsed {
            Some(dt) if dt > 0.0 && ticks >= e.prev_ticks => {
                ((ticks - e.prev_ticks) as f64 / self.clk_tck / dt * 100.0) as f32
            }
            _ => 0.0,
        };
        e.prev_ticks = ticks;
        Some(Process {
            pid,
            ppid: stat.ppid,
            user: e.user.clone(),
            uid: e.uid,
            name: e.name.clone(),
            cmdline: e.cmdline.clone(),
            state: stat.state,
            nice: stat.nice,
            priority: stat.priority,
            threads: stat.threads,
            cpu_percent,
            rss_bytes: stat.rss_pages.saturating_mul(self.page_size),
            vsize_bytes: stat.vsize,
            cpu_ticks: ticks,
            cpu_seconds: ticks as f64 / self.clk_tck,
            start_time: self.boot_time + (stat.starttime as f64 / self.clk_tck) as u64,
            starttime_ticks: stat.starttime,
            tty_nr: stat.tty_nr,
            kernel_thread: stat.flags & PF_KTHREAD != 0,
            unit: e.unit.clone(),
            site: None,
        })
    }

    /// First sight of a process (or of a reused pid): open its stat, read what never
    /// changes, and cache it. `None` when it vanished meanwhile.
    fn open_new(&mut self, pid: i32) -> Option<Fields> {
        if let Some(old) = self.cache.remove(&pid)
            && old.stat_fd.is_some()
        {
            self.open_fds -= 1;
        }
        let path = format!("/proc/{pid}/stat");
        let file = File::open(&path).ok()?;
        pread_all(&file, &mut self.buf).ok()?;
        let stat = parse_fields(&self.buf)?;
        let meta = std::fs::metadata(format!("/proc/{pid}")).ok()?;
        let uid = meta.uid();
        let kernel = stat.flags & PF_KTHREAD != 0;
        let cmdline = if kernel {
            Argv::default()
        } else {
            match read_capped(&format!("/proc/{pid}/cmdline"), MAX_CMDLINE) {
                Ok(b) => Argv::from_nul_bytes(&b),
                Err(e) if is_gone(&e) => return None,
                Err(_) => {
                    self.partial_reads += 1;
                    Argv::default()
                }
            }
        };
        let unit = if kernel { None } else { read_unit(pid) };
        let keep_fd = self.open_fds < self.fd_budget;
        if keep_fd {
            self.open_fds += 1;
        }
        let user = self.users.name(uid);
        self.cache.insert(
            pid,
            Entry {
                starttime: stat.starttime,
                stat_fd: keep_fd.then_some(file),
                uid,
                user,
                name: Arc::from(stat.comm(&self.buf).as_ref()),
                cmdline,
                unit,
                // A new process: its CPU% counts from its start, not from zero ticks.
                prev_ticks: stat.utime + stat.stime,
                seen: 0,
                refreshes: 0,
                kernel,
                pidfd: if kernel {
                    rustix::process::Pid::from_raw(pid).and_then(|p| {
                        rustix::process::pidfd_open(p, rustix::process::PidfdFlags::empty()).ok()
                    })
                } else {
                    None
                },
            },
        );
        Some(stat)
    }
}
