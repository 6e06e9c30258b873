//! The ports table: TCP/UDP sockets of the host's network namespace joined to the
//! processes holding them (by socket inode, from /proc/PID/fd).
//!
//! One-shot today (the CLI): every listed process's fd table is read once. The TUI's
//! refreshing view will keep inode owners per (pid, starttime) and rescan only new
//! processes and unknown inodes.

use super::sockets::{read_all, socket_inodes};
use super::users::UserDb;
use crate::model::Process;
use crate::model::port::{Exposure, Port};
use std::collections::HashMap;
use std::sync::Arc;

/// Which sockets a table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// TCP listeners and bound UDP sockets (what `ss -tuln` shows).
    Listening,
    All,
}

fn listening(state: &str) -> bool {
    matches!(state, "LISTEN" | "UNCONN")
}

/// Builds the rows for `procs` (a snapshot's processes).
pub fn collect(procs: &[Process], scope: Scope) -> Vec<Port> {
    let sockets = read_all("/proc/net");
    let wanted: std::collections::HashSet<u64> = sockets
        .iter()
        .filter(|s| scope == Scope::All || listening(s.state))
        .map(|s| s.inode)
        .collect();
    // inode -> indices of the processes holding it.
    let mut owners: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, p) in procs.iter().enumerate() {
        if p.kernel_thread {
            continue;
        }
        // Unreadable fd tables (other users' processes) just leave sockets unowned.
        if let Ok(inodes) = socket_inodes(p.pid) {
            for ino in inodes.into_iter().filter(|i| wanted.contains(i)) {
                owners.entry(ino).or_default().push(i);
            }
        }
    }
    let mut users = UserDb::new();
    let mut rows = Vec::new();
    for s in sockets.into_iter().filter(|s| wanted.contains(&s.inode)) {
        let base = Port {
            exposure: Exposure::of(&s.local),
            pid: None,
            process: None,
            user: users.name(s.uid),
            unit: None,
            site: None,
            socket: s,
        };
        match owners.get(&base.socket.inode) {
            Some(holders) => rows.extend(holders.iter().map(|&i| {
                let p = &procs[i];
                Port {
                    pid: Some(p.pid),
                    process: Some(Arc::from(p.display_name())),
                    unit: p.unit.clone(),
                    site: p.site.clone(),
                    ..base.clone()
                }
            })),
            None => rows.push(base),
        }
    }
    rows.sort_by(|a, b| {
        let key = |p: &Port| {
            (
                p.socket.local.port(),
                p.socket.proto,
                p.socket.local,
                p.socket.remote,
                p.pid,
            )
        };
        key(a).cmp(&key(b))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn exposure_of_addresses() {
        let e = |s: &str| Exposure::of(&s.parse().expect("addr"));
        assert_eq!(e("0.0.0.0:80"), Exposure::Public);
        assert_eq!(e("[::]:80"), Exposure::Public);
        assert_eq!(e("127.0.0.1:80"), Exposure::Loopback);
        assert_eq!(e("127.3.2.1:80"), Exposure::Loopback);
        assert_eq!(e("[::1]:53"), Exposure::Loopback);
        assert_eq!(e("[::ffff:127.0.0.1]:53"), Exposure::Loopback);
        assert_eq!(e("10.1.2.3:443"), Exposure::Specific);
    }
}
