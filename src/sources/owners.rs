//! Which processes hold which sockets: the socket inodes in each /proc/PID/fd, kept
//! per process (pid + starttime) between refreshes.
//!
//! Reading every fd table is what makes `ss -p` and `lsof -i` slow, so a refresh
//! rescans only:
//! - processes not seen before;
//! - holders of sockets shared by several processes (a holder that closed its copy
//!   would otherwise keep showing as an owner while another holder keeps the socket);
//! - processes of the same uid as a socket nobody is known to hold (a process that
//!   opened a new socket), at most every `RETRY_UNKNOWN` refreshes per socket, since
//!   sockets of other users' processes may stay unresolvable without privilege;
//! - a rotating sixteenth of the rest, so any stale entry lives at most 16 refreshes.

use crate::model::{ProcKey, Process};
use rustix::fs::{Dir, Mode, OFlags, openat, readlinkat_raw};
use std::collections::{HashMap, HashSet};
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Refreshes between two attempts to find the holder of an unowned socket.
const RETRY_UNKNOWN: u64 = 8;
const ROTATION: u64 = 16;

#[derive(Default)]
pub struct Owners {
    /// Socket inodes each process held at its last scan (sorted). `None`: its fd
    /// table cannot be read (another user's process, without privilege).
    by_proc: HashMap<ProcKey, Option<Vec<u64>>>,
    by_inode: HashMap<u64, Vec<ProcKey>>,
    /// Unowned inode -> the refresh at which a search for it last failed.
    unresolved: HashMap<u64, u64>,
    tick: u64,
    /// Processes scanned by the last refresh (for benchmarks and tests).
    pub last_scanned: usize,
}

impl Owners {
    pub fn new() -> Self {
        Self::default()
    }

    /// The processes holding socket `inode`, as of the last refresh.
    pub fn holders(&self, inode: u64) -> &[ProcKey] {
        self.by_inode.get(&inode).map_or(&[], Vec::as_slice)
    }

    /// Brings the map up to date for `procs` (a snapshot's processes) and the socket
    /// inodes (with their uids) that are to be shown.
    pub fn refresh(&mut self, procs: &[Process], sockets: &[(u64, u32)]) {
        self.tick += 1;
        let tick = self.tick;
        let alive: HashSet<ProcKey> = procs.iter().map(Process::key).collect();
        self.by_proc.retain(|k, _| alive.contains(k));
        let shared: HashSet<ProcKey> = self
            .by_inode
            .values()
            .filter(|h| h.len() > 1)
            .flatten()
            .copied()
            .collect();
        let mut scanned = HashSet::new();
        let due: Vec<ProcKey> = procs
            .iter()
            .filter(|p| !p.kernel_thread)
            .map(Process::key)
            .filter(|k| match self.by_proc.get(k) {
                None => true,
                Some(_) => shared.contains(k) || (k.pid as u64 + tick).is_multiple_of(ROTATION),
            })
            .collect();
        scanned.extend(due.iter().copied());
        self.scan_all(&due);
        self.rebuild_index();
        // Sockets nobody holds: look in the processes of the socket's uid.
        let searched: Vec<(u64, u32)> = sockets
            .iter()
            .filter(|(ino, _)| *ino != 0 && !self.by_inode.contains_key(ino))
            .filter(|(ino, _)| {
                self.unresolved
                    .get(ino)
                    .is_none_or(|t| tick >= t + RETRY_UNKNOWN)
            })
            .copied()
            .collect();
        if !searched.is_empty() {
            let uids: HashSet<u32> = searched.iter().map(|(_, u)| *u).collect();
            let more: Vec<ProcKey> = procs
                .iter()
                .filter(|p| !p.kernel_thread && uids.contains(&p.uid))
                .map(Process::key)
                .filter(|k| scanned.insert(*k))
                .collect();
            self.scan_all(&more);
            self.rebuild_index();
            for (ino, _) in &searched {
                if !self.by_inode.contains_key(ino) {
                    self.unresolved.insert(*ino, tick);
                }
            }
        }
        let live: HashSet<u64> = sockets.iter().map(|(i, _)| *i).collect();
        let by_inode = &self.by_inode;
        self.unresolved
            .retain(|ino, _| live.contains(ino) && !by_inode.contains_key(ino));
        self.last_scanned = scanned.len();
    }

    fn rebuild_index(&mut self) {
        self.by_inode.clear();
        for (k, inodes) in &self.by_proc {
            for ino in inodes.iter().flatten() {
                self.by_inode.entry(*ino).or_default().push(*k);
            }
        }
        for h in self.by_inode.values_mut() {
            h.sort_unstable_by_key(|k| k.pid);
        }
    }

    /// Reads the fd tables of `keys`, on several threads when there are many: the
    /// readlink per fd is what a ports refresh costs, and it parallelises well.
    fn scan_all(&mut self, keys: &[ProcKey]) {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(4)
            .min(keys.len());
        if threads <= 1 {
            let mut names = Vec::new();
            for k in keys {
                self.by_proc
                    .insert(*k, socket_inodes_into(k.pid, &mut names).ok());
            }
            return;
        }
        // Work is handed out one process at a time: a few processes may hold most of
        // the sockets, so fixed chunks would leave threads idle.
        let next = AtomicUsize::new(0);
        let results: Vec<Vec<(ProcKey, Option<Vec<u64>>)>> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let mut names = Vec::new();
                        let mut out = Vec::new();
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(k) = keys.get(i) else { break };
                            out.push((*k, socket_inodes_into(k.pid, &mut names).ok()));
                        }
                        out
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_default())
                .collect()
        });
        self.by_proc.extend(results.into_iter().flatten());
    }
}

/// The socket inodes among `pid`'s open fds (sorted, deduplicated).
pub fn socket_inodes(pid: i32) -> std::io::Result<Vec<u64>> {
    socket_inodes_into(pid, &mut Vec::new())
}

/// `socket_inodes` with `names` as scratch space reused between calls.
fn socket_inodes_into(pid: i32, names: &mut Vec<u32>) -> std::io::Result<Vec<u64>> {
    let dir_fd = openat(
        rustix::fs::CWD,
        format!("/proc/{pid}/fd"),
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    names.clear();
    let mut dir = Dir::read_from(&dir_fd)?;
    while let Some(Ok(ent)) = dir.next() {
        if let Some(n) = crate::sys::procfile::parse_pid(ent.file_name().to_bytes()) {
            names.push(n as u32);
        }
    }
    let mut out = Vec::new();
    let mut buf = [MaybeUninit::<u8>::uninit(); 64];
    for n in names.iter() {
        let Ok((target, _)) = readlinkat_raw(&dir_fd, n.to_string(), &mut buf) else {
            continue; // closed since the listing
        };
        if let Some(ino) = socket_inode(target) {
            out.push(ino);
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// `socket:[12345]` -> 12345.
fn socket_inode(link: &[u8]) -> Option<u64> {
    let digits = link.strip_prefix(b"socket:[")?.strip_suffix(b"]")?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_links_parse_and_others_do_not() {
        assert_eq!(socket_inode(b"socket:[4242]"), Some(4242));
        assert_eq!(socket_inode(b"pipe:[4242]"), None);
        assert_eq!(socket_inode(b"/dev/null"), None);
        assert_eq!(socket_inode(b"socket:[x]"), None);
    }
}
