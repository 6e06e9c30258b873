//! The ports table: TCP/UDP sockets of the host's network namespace joined to the
//! processes holding them (by socket inode), with each listener's connection count.
//!
//! `PortCollector` lives as long as its user: the CLI makes one for one table, the
//! TUI's collector thread keeps one across refreshes so the fd tables behind the
//! inode -> owner join are rescanned only where something may have changed (see
//! `owners`).

use super::owners::Owners;
use super::sockdiag::{Query, SockDiag, TCP_CLOSE, TCP_ESTABLISHED, TCP_LISTEN};
use super::sockets::read_all;
use crate::model::port::{Exposure, Port, PortTable, Scope, SocketEntry};
use crate::model::{ProcKey, Process};
use crate::sys::users::UserDb;
use std::collections::HashMap;
use std::net::SocketAddr;

pub struct PortCollector {
    /// `None` once netlink has been refused: /proc/net from then on.
    diag: Option<SockDiag>,
    owners: Owners,
    users: UserDb,
}

impl Default for PortCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl PortCollector {
    pub fn new() -> Self {
        Self {
            diag: SockDiag::open().ok(),
            owners: Owners::new(),
            users: UserDb::new(),
        }
    }

    /// Processes whose fd tables the last refresh read.
    pub fn last_scanned(&self) -> usize {
        self.owners.last_scanned
    }

    /// The sockets of `scope`, plus established TCP connections (to count them per
    /// listener even when they are not shown).
    fn sockets(&mut self, scope: Scope) -> Result<Vec<SocketEntry>, String> {
        let (tcp, udp) = match scope {
            Scope::Listening => ((1 << TCP_LISTEN) | (1 << TCP_ESTABLISHED), 1 << TCP_CLOSE),
            Scope::All => (u32::MAX, u32::MAX),
        };
        if let Some(d) = &mut self.diag {
            let mut out = Vec::new();
            let r = d
                .dump(
                    Query {
                        udp: false,
                        states: tcp,
                    },
                    &mut out,
                )
                .and_then(|()| {
                    d.dump(
                        Query {
                            udp: true,
                            states: udp,
                        },
                        &mut out,
                    )
                });
            match r {
                Ok(()) => return Ok(out),
                Err(e) => {
                    tracing::warn!("sock_diag failed ({e}); reading /proc/net instead");
                    self.diag = None;
                }
            }
        }
        read_all("/proc/net").map_err(|e| format!("cannot list sockets: {e}"))
    }

    pub fn collect(&mut self, procs: &[Process], scope: Scope) -> PortTable {
        let t0 = std::time::Instant::now();
        let sockets = match self.sockets(scope) {
            Ok(s) => s,
            Err(e) => {
                return PortTable {
                    scope,
                    rows: Vec::new(),
                    error: Some(e),
                };
            }
        };
        let t1 = t0.elapsed();
        let conns = connection_counts(&sockets);
        let shown: Vec<SocketEntry> = sockets
            .into_iter()
            .filter(|s| scope == Scope::All || s.is_listening())
            .collect();
        let wanted: Vec<(u64, u32)> = shown.iter().map(|s| (s.inode, s.uid)).collect();
        self.owners.refresh(procs, &wanted);
        let t2 = t0.elapsed();
        let by_key: HashMap<ProcKey, &Process> = procs.iter().map(|p| (p.key(), p)).collect();
        let mut rows = Vec::with_capacity(shown.len());
        for s in shown {
            let connections =
                (s.state == "LISTEN").then(|| listener_connections(&conns, s.proto, &s.local));
            let base = Port {
                exposure: Exposure::of(&s.local),
                pid: None,
                starttime: None,
                process: None,
                user: self.users.name(s.uid),
                unit: None,
                site: None,
                connections,
                socket: s,
            };
            let holders: Vec<&Process> = self
                .owners
                .holders(base.socket.inode)
                .iter()
                .filter_map(|k| by_key.get(k).copied())
                .collect();
            if holders.is_empty() {
                rows.push(base);
                continue;
            }
            rows.extend(holders.into_iter().map(|p| base.held_by(p)));
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
        tracing::debug!(
            "ports: sockets {t1:?}, owners {t2:?} ({} fd tables read), rows {:?}",
            self.owners.last_scanned,
            t0.elapsed()
        );
        PortTable {
            scope,
            rows,
            error: None,
        }
    }
}

/// Established TCP connections per (proto, local address).
fn connection_counts(sockets: &[SocketEntry]) -> HashMap<(&'static str, SocketAddr), u32> {
    let mut m = HashMap::new();
    for s in sockets.iter().filter(|s| s.state == "ESTABLISHED") {
        if s.proto.starts_with("tcp") {
            *m.entry((s.proto, s.local)).or_insert(0) += 1;
        }
    }
    m
}

/// Connections accepted by a listener on `local`: those on its port and address, or
/// on any address of its family when it listens on the any-address.
fn listener_connections(
    conns: &HashMap<(&'static str, SocketAddr), u32>,
    proto: &str,
    local: &SocketAddr,
) -> u32 {
    if local.ip().is_unspecified() {
        conns
            .iter()
            .filter(|((p, a), _)| *p == proto && a.port() == local.port())
            .map(|(_, n)| n)
            .sum()
    } else {
        conns
            .get(&(proto_static(proto), *local))
            .copied()
            .unwrap_or(0)
    }
}

fn proto_static(p: &str) -> &'static str {
    match p {
        "tcp6" => "tcp6",
        "udp" => "udp",
        "udp6" => "udp6",
        _ => "tcp",
    }
}

/// The TCP ports something listens on (no owners: no /proc scan).
pub fn listening_ports(scope: Scope) -> std::collections::HashSet<u16> {
    PortCollector::new()
        .sockets(scope)
        .unwrap_or_default()
        .into_iter()
        .filter(|s| s.state == "LISTEN")
        .map(|s| s.local.port())
        .collect()
}

/// One table, for one-shot use (the CLI).
pub fn collect(procs: &[Process], scope: Scope) -> PortTable {
    PortCollector::new().collect(procs, scope)
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

    #[test]
    fn connections_count_per_listener_address() {
        let sock = |proto, local: &str, state| SocketEntry {
            proto,
            local: local.parse().expect("addr"),
            remote: "127.0.0.1:50000".parse().expect("addr"),
            state,
            uid: 0,
            inode: 1,
        };
        let all = vec![
            sock("tcp", "127.0.0.1:80", "ESTABLISHED"),
            sock("tcp", "10.0.0.1:80", "ESTABLISHED"),
            sock("tcp", "10.0.0.1:81", "ESTABLISHED"),
            sock("tcp6", "[::1]:80", "ESTABLISHED"),
            sock("tcp", "127.0.0.1:80", "TIME_WAIT"),
        ];
        let c = connection_counts(&all);
        let any: SocketAddr = "0.0.0.0:80".parse().expect("addr");
        let lo: SocketAddr = "127.0.0.1:80".parse().expect("addr");
        let any6: SocketAddr = "[::]:80".parse().expect("addr");
        assert_eq!(listener_connections(&c, "tcp", &any), 2);
        assert_eq!(listener_connections(&c, "tcp", &lo), 1);
        assert_eq!(listener_connections(&c, "tcp6", &any6), 1);
    }
}
