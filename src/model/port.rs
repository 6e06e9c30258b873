//! One row of the ports table: a socket and one process holding it (a socket held by
//! several processes — fork after bind, SO_REUSEPORT — gives one row per holder).

use serde::Serialize;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// Who can reach a bound address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Exposure {
    /// Bound to the any-address (0.0.0.0 or ::): every interface.
    Public,
    /// Bound to 127.0.0.0/8 or ::1: this host only.
    Loopback,
    /// Bound to one non-loopback address: reachable on that interface.
    Specific,
}

impl Exposure {
    pub fn of(addr: &SocketAddr) -> Self {
        let ip = match addr.ip() {
            IpAddr::V6(v6) => v6
                .to_ipv4_mapped()
                .map(IpAddr::V4)
                .unwrap_or(IpAddr::V6(v6)),
            v4 => v4,
        };
        if ip.is_unspecified() {
            Exposure::Public
        } else if ip.is_loopback() {
            Exposure::Loopback
        } else {
            Exposure::Specific
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Exposure::Public => "public",
            Exposure::Loopback => "loopback",
            Exposure::Specific => "specific",
        }
    }
}

/// A socket as the kernel lists it in /proc/net/{tcp,tcp6,udp,udp6}.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SocketEntry {
    pub proto: &'static str,
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub state: &'static str,
    pub uid: u32,
    pub inode: u64,
}

/// Which sockets a ports table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// TCP listeners and unconnected UDP sockets (what `ss -tuln` shows).
    #[default]
    Listening,
    /// Every TCP and UDP socket, connections and TIME_WAIT included.
    All,
}

impl SocketEntry {
    pub fn is_listening(&self) -> bool {
        matches!(self.state, "LISTEN" | "UNCONN")
    }
}

/// The ports of one snapshot, when they were asked for.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PortTable {
    pub scope: Scope,
    pub rows: Vec<Port>,
    /// Why the socket list could not be read (rows are then empty), for the view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Port {
    /// proto, local, remote, state, uid, inode: the socket as the kernel lists it.
    #[serde(flatten)]
    pub socket: SocketEntry,
    pub exposure: Exposure,
    /// The owning process, or `None` when no visible process holds the socket (another
    /// user's, without privilege): shown as `?`, never guessed.
    pub pid: Option<i32>,
    /// The owner's start time (clock ticks after boot): with `pid`, the process key
    /// the views jump to and act on.
    #[serde(skip)]
    pub starttime: Option<u64>,
    pub process: Option<Arc<str>>,
    /// The socket's owner uid as the kernel reports it, by name.
    pub user: Arc<str>,
    pub unit: Option<Arc<str>>,
    pub site: Option<Arc<str>>,
    /// For a TCP listener: its established connections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connections: Option<u32>,
}

impl Port {
    /// This socket's row for one of its holders.
    pub fn held_by(&self, p: &crate::model::Process) -> Port {
        Port {
            pid: Some(p.pid),
            starttime: Some(p.starttime_ticks),
            process: Some(Arc::from(p.display_name())),
            unit: p.unit.clone(),
            site: p.site.clone(),
            ..self.clone()
        }
    }

    /// The owning process's key, when the owner is known.
    pub fn owner(&self) -> Option<crate::model::ProcKey> {
        Some(crate::model::ProcKey {
            pid: self.pid?,
            starttime: self.starttime?,
        })
    }
}
