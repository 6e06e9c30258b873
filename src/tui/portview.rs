//! The ports table's rows: the snapshot's sockets (listening only, or all), filtered
//! and sorted. A row acts on the process holding the socket; a socket whose holder
//! cannot be seen has no owner, so actions skip it and say why.

use super::filter::Filter;
use super::render::layout::{ALL_SOCKET_COLUMNS, Col, LISTEN_COLUMNS};
use super::table_state::{Keyed, Row, TableState};
use super::view::Rows;
use crate::actions::ProcTarget;
use crate::config::SortKey;
use crate::model::Snapshot;
use crate::model::port::{Port, Scope};
use std::cmp::Ordering;
use std::net::SocketAddr;

/// A socket row across refreshes: the socket, and which of its holders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortKey {
    pub proto: &'static str,
    pub local: SocketAddr,
    pub remote: SocketAddr,
    pub inode: u64,
    pub pid: Option<i32>,
}

impl Keyed for Port {
    type Key = PortKey;
    fn key(&self) -> PortKey {
        PortKey {
            proto: self.socket.proto,
            local: self.socket.local,
            remote: self.socket.remote,
            inode: self.socket.inode,
            pid: self.pid,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PortView {
    pub table: TableState<PortKey>,
    /// What the operator asked for; the snapshot may still hold the other scope
    /// until the collector's next refresh.
    pub scope: Scope,
    /// Only this site's sockets (`:site NAME`).
    pub site: Option<std::sync::Arc<str>>,
}

impl Default for PortView {
    fn default() -> Self {
        Self {
            table: TableState::new(SortKey::Local, false),
            scope: Scope::Listening,
            site: None,
        }
    }
}

fn compare(k: SortKey, a: &Port, b: &Port) -> Ordering {
    let (sa, sb) = (&a.socket, &b.socket);
    let o = match k {
        SortKey::Proto => sa.proto.cmp(sb.proto),
        SortKey::Remote => sa.remote.cmp(&sb.remote),
        SortKey::State => sa.state.cmp(sb.state),
        SortKey::Exposure => a.exposure.name().cmp(b.exposure.name()),
        SortKey::Conns => a.connections.cmp(&b.connections),
        // Unknown owners last in ascending order.
        SortKey::Pid => a.pid.unwrap_or(i32::MAX).cmp(&b.pid.unwrap_or(i32::MAX)),
        SortKey::User => a.user.cmp(&b.user),
        SortKey::Command => a.process.cmp(&b.process),
        SortKey::Unit => a.unit.cmp(&b.unit),
        SortKey::Site => a.site.cmp(&b.site),
        _ => Ordering::Equal,
    };
    // Port numbers first: "who is on 3000" reads down one column.
    o.then_with(|| (sa.local.port(), sa.local.ip()).cmp(&(sb.local.port(), sb.local.ip())))
        .then_with(|| sa.proto.cmp(sb.proto))
        .then_with(|| sa.remote.cmp(&sb.remote))
        .then_with(|| a.pid.cmp(&b.pid))
}

impl Rows for PortView {
    type Item = Port;
    const NAME: &'static str = "ports";

    fn items<'a>(&self, snap: &'a Snapshot) -> &'a [Port] {
        snap.ports.as_ref().map_or(&[], |t| t.rows.as_slice())
    }
    fn state(&self) -> &TableState<PortKey> {
        &self.table
    }
    fn state_mut(&mut self) -> &mut TableState<PortKey> {
        &mut self.table
    }
    fn columns(&self) -> &'static [Col] {
        match self.scope {
            Scope::Listening => &LISTEN_COLUMNS,
            Scope::All => &ALL_SOCKET_COLUMNS,
        }
    }
    fn owner(p: &Port) -> Option<ProcTarget> {
        let key = p.owner()?;
        Some(ProcTarget {
            pid: key.pid,
            starttime: key.starttime,
            name: p.process.as_deref().unwrap_or("").to_string(),
            user: p.user.to_string(),
            unit: p.unit.as_deref().map(str::to_string),
        })
    }

    fn ordered(&self, snap: &Snapshot) -> Vec<Row> {
        let ports = self.items(snap);
        let nav = &self.table.nav;
        let mut filter = Filter::new(&nav.filter);
        let listening_only = self.scope == Scope::Listening;
        let mut order: Vec<usize> = (0..ports.len())
            .filter(|&i| {
                let p = &ports[i];
                (!listening_only || p.socket.is_listening())
                    && self
                        .site
                        .as_ref()
                        .is_none_or(|s| p.site.as_ref() == Some(s))
                    && filter.as_mut().is_none_or(|f| f.matches(p))
            })
            .collect();
        let (k, desc) = (nav.sort, nav.descending);
        order.sort_unstable_by(|&a, &b| {
            let o = compare(k, &ports[a], &ports[b]);
            if desc { o.reverse() } else { o }
        });
        order.into_iter().map(Row::plain).collect()
    }
}

impl PortView {
    pub fn selected_port<'a>(&self, snap: &'a Snapshot) -> Option<&'a Port> {
        self.table.selected_item(self.items(snap))
    }

    /// True while the snapshot does not yet hold the sockets this view asks for.
    pub fn waiting(&self, snap: &Snapshot) -> bool {
        match &snap.ports {
            None => true,
            // Listening rows can be cut from an `All` table; the reverse needs a refresh.
            Some(t) => t.scope == Scope::Listening && self.scope == Scope::All,
        }
    }
}

/// What to tell an operator about a socket whose holder is not visible: without
/// privilege, another user's process; as root, a process of another PID namespace (a
/// container sharing the host's network).
pub fn unknown_owner_hint(operator_uid: u32) -> &'static str {
    if operator_uid == 0 {
        "? = no process visible here holds it (another PID namespace, e.g. a container)"
    } else {
        "? = holder not visible (another user's process): run qd with sudo to see and act on it"
    }
}
