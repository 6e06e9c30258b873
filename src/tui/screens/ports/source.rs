//! The ports table's rows over `Data`: the snapshot's sockets, one row per socket and
//! holder. Its columns (`PortCol`) come in two sets — listening sockets (no REMOTE:
//! it is always `*`) and every socket — that `columns` switches with the scope
//! (`PortSource::scope`; `rescope` carries the sort over). A
//! socket whose holder cannot be seen shows `?`, never a guessed pid; one the kernel
//! holds (TIME_WAIT) shows `-`.

use crate::model::port::{Exposure, Port, Scope};
use crate::model::text::inert;
use crate::tui::data::Data;
use crate::tui::table::{Column, Source};
use crate::tui::theme::Theme;
use ratatui::text::Line;
use std::cmp::Ordering;
use std::fmt::Write;
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

/// What a column of the ports table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Proto,
    Local,
    Remote,
    State,
    Exposure,
    Conns,
    Pid,
    User,
    Unit,
    Site,
    Process,
}

/// A column of one of the two sets: listening sockets and every socket lay the same
/// fields out differently (STATE is short for listeners, EXPOSURE matters most to
/// them; connections need REMOTE and a wide STATE), so a column is a field of a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortCol {
    pub field: Field,
    /// Of the every-socket set.
    pub all: bool,
}

impl PortCol {
    pub const fn listening(field: Field) -> Self {
        Self { field, all: false }
    }
    pub const fn all_sockets(field: Field) -> Self {
        Self { field, all: true }
    }
}

/// Listening sockets: no REMOTE (it is always `*`).
const LISTENING: [PortCol; 10] = {
    use Field::*;
    let l = PortCol::listening;
    [
        l(Proto),
        l(Local),
        l(State),
        l(Exposure),
        l(Conns),
        l(Pid),
        l(User),
        l(Unit),
        l(Site),
        l(Process),
    ]
};

/// Every socket.
const ALL: [PortCol; 11] = {
    use Field::*;
    let a = PortCol::all_sockets;
    [
        a(Proto),
        a(Local),
        a(Remote),
        a(State),
        a(Exposure),
        a(Conns),
        a(Pid),
        a(User),
        a(Unit),
        a(Site),
        a(Process),
    ]
};

impl Column for PortCol {
    fn all() -> &'static [Self] {
        &ALL
    }
    fn title(self) -> &'static str {
        match self.field {
            Field::Proto => "PROTO",
            Field::Local => "LOCAL",
            Field::Remote => "REMOTE",
            Field::State => "STATE",
            Field::Exposure => "EXPOSURE",
            Field::Conns => "CONNS",
            Field::Pid => "PID",
            Field::User => "USER",
            Field::Unit => "UNIT",
            Field::Site => "SITE",
            Field::Process => "PROCESS",
        }
    }
    fn width(self) -> u16 {
        match (self.field, self.all) {
            (Field::Proto, _) => 5,
            (Field::Local, false) => 22,
            (Field::Local, true) => 20,
            (Field::Remote, _) => 20,
            (Field::State, false) => 6,
            (Field::State, true) => 11,
            (Field::Exposure, _) => 8,
            (Field::Conns, _) => 5,
            (Field::Pid, _) => 7,
            (Field::User, _) => 9,
            (Field::Unit, _) => 18,
            (Field::Site, _) => 8,
            (Field::Process, _) => 0,
        }
    }
    fn right(self) -> bool {
        matches!(self.field, Field::Conns | Field::Pid)
    }
    fn priority(self) -> u8 {
        // Narrow terminals lose the least useful first (SITE, UNIT, ...); a listener's
        // exposure and a connection's remote end and state stay longest.
        match (self.field, self.all) {
            (Field::Site, false) => 5,
            (Field::Unit, false) => 4,
            (Field::State, false) => 3,
            (Field::Conns, false) => 2,
            (Field::User, false) => 1,
            (Field::Site, true) => 7,
            (Field::Unit, true) => 6,
            (Field::Conns, true) => 5,
            (Field::User, true) => 4,
            (Field::Exposure, true) => 3,
            (Field::State, true) => 2,
            _ => 0,
        }
    }
    fn descending(self) -> bool {
        self.field == Field::Conns
    }
    fn name(self) -> &'static str {
        match self.field {
            Field::Proto => "proto",
            Field::Local => "local",
            Field::Remote => "remote",
            Field::State => "state",
            Field::Exposure => "exposure",
            Field::Conns => "conns",
            Field::Pid => "pid",
            Field::User => "user",
            Field::Unit => "unit",
            Field::Site => "site",
            Field::Process => "process",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self.field {
            Field::Local => &["port"],
            Field::Conns => &["connections"],
            Field::Process => &["command", "cmd", "name"],
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct PortSource {
    /// What the operator asked for; the snapshot may still hold the other scope
    /// until the collector's next refresh.
    pub scope: Scope,
}

impl PortSource {
    fn rows<'a>(&self, data: &'a Data) -> &'a [Port] {
        data.snapshot
            .ports
            .as_ref()
            .map_or(&[], |t| t.rows.as_slice())
    }

    /// The column of `scope`'s set showing what `col` shows (`None`: REMOTE, which
    /// listening sockets do not have).
    pub fn rescope(col: PortCol, scope: Scope) -> Option<PortCol> {
        let all = scope == Scope::All;
        (all || col.field != Field::Remote).then_some(PortCol {
            field: col.field,
            all,
        })
    }

    /// True while the snapshot does not yet hold the sockets this table asks for.
    pub fn waiting(&self, data: &Data) -> bool {
        match &data.snapshot.ports {
            None => true,
            // Listening rows can be cut from an `All` table; the reverse needs a refresh.
            Some(t) => t.scope == Scope::Listening && self.scope == Scope::All,
        }
    }
}

fn remote(p: &Port) -> String {
    let r = &p.socket.remote;
    if r.port() == 0 && r.ip().is_unspecified() {
        "*".into()
    } else {
        r.to_string()
    }
}

impl Source for PortSource {
    type Ctx = Data;
    type Key = PortKey;
    type Col = PortCol;
    const NAME: &'static str = "ports";

    fn columns(&self) -> &'static [PortCol] {
        match self.scope {
            Scope::Listening => &LISTENING,
            Scope::All => &ALL,
        }
    }
    fn len(&self, data: &Data) -> usize {
        self.rows(data).len()
    }
    fn key(&self, data: &Data, i: usize) -> PortKey {
        let p = &self.rows(data)[i];
        PortKey {
            proto: p.socket.proto,
            local: p.socket.local,
            remote: p.socket.remote,
            inode: p.socket.inode,
            pid: p.pid,
        }
    }
    fn text(&self, data: &Data, i: usize, col: PortCol) -> String {
        let p = &self.rows(data)[i];
        let s = &p.socket;
        let foreign = |t: Option<&str>| inert(t.unwrap_or("-"), 256).into_owned();
        match col.field {
            Field::Proto => s.proto.to_string(),
            Field::Local => s.local.to_string(),
            Field::Remote => remote(p),
            Field::State => s.state.to_string(),
            Field::Exposure => p.exposure.name().to_string(),
            Field::Conns => p.connections.map(|n| n.to_string()).unwrap_or_default(),
            Field::Pid => match p.pid {
                Some(pid) => pid.to_string(),
                // TIME_WAIT and the like: the kernel holds them, no process does.
                None if s.inode == 0 => "-".into(),
                // Never a guessed pid: the holder is not visible to this user.
                None => "?".into(),
            },
            Field::User => inert(&p.user, 256).into_owned(),
            Field::Unit => foreign(p.unit.as_deref()),
            Field::Site => foreign(p.site.as_deref()),
            Field::Process => match (&p.process, p.pid) {
                (Some(name), _) => inert(name, 256).into_owned(),
                (None, Some(_)) => String::new(),
                (None, None) if s.inode == 0 => String::new(),
                (None, None) => "? (not visible)".into(),
            },
        }
    }
    fn cell(&self, data: &Data, i: usize, col: PortCol, th: &Theme) -> Line<'static> {
        let p = &self.rows(data)[i];
        let unknown = p.pid.is_none() && p.socket.inode != 0;
        let style = match col.field {
            // Cut to the column with a mark, so a cut name does not read as another.
            Field::User => {
                let w = col.width() as usize;
                return Line::styled(inert(&p.user, w).into_owned(), th.text);
            }
            Field::State => match p.socket.state {
                "LISTEN" | "UNCONN" => th.ok,
                "ESTABLISHED" => th.text,
                _ => th.muted,
            },
            Field::Exposure => match p.exposure {
                Exposure::Public => th.warn,
                Exposure::Loopback => th.muted,
                Exposure::Specific => th.text,
            },
            Field::Pid if unknown => th.warn,
            Field::Pid if p.pid.is_none() => th.muted,
            Field::Process if p.process.is_some() => th.basename,
            Field::Process | Field::Unit | Field::Site => th.muted,
            _ => th.text,
        };
        Line::styled(self.text(data, i, col), style)
    }
    fn cmp(&self, data: &Data, a: usize, b: usize, col: PortCol) -> Ordering {
        let rows = self.rows(data);
        let (a, b) = (&rows[a], &rows[b]);
        let (sa, sb) = (&a.socket, &b.socket);
        let o = match col.field {
            Field::Proto => sa.proto.cmp(sb.proto),
            // By port number (the tie-break below), then address.
            Field::Local => Ordering::Equal,
            Field::Remote => sa.remote.cmp(&sb.remote),
            Field::State => sa.state.cmp(sb.state),
            Field::Exposure => a.exposure.name().cmp(b.exposure.name()),
            Field::Conns => a.connections.cmp(&b.connections),
            // Unknown owners last in ascending order.
            Field::Pid => a.pid.unwrap_or(i32::MAX).cmp(&b.pid.unwrap_or(i32::MAX)),
            Field::User => a.user.cmp(&b.user),
            Field::Unit => a.unit.cmp(&b.unit),
            Field::Site => a.site.cmp(&b.site),
            Field::Process => a.process.cmp(&b.process),
        };
        // Port numbers first: "who is on 3000" reads down one column.
        o.then_with(|| (sa.local.port(), sa.local.ip()).cmp(&(sb.local.port(), sb.local.ip())))
            .then_with(|| sa.proto.cmp(sb.proto))
            .then_with(|| sa.remote.cmp(&sb.remote))
            .then_with(|| a.pid.cmp(&b.pid))
    }
    fn filter_text(&self, data: &Data, i: usize, full: &mut String, short: &mut String) {
        let p = &self.rows(data)[i];
        let s = &p.socket;
        let pid = p.pid.map(|p| p.to_string()).unwrap_or_default();
        let process = p.process.as_deref().unwrap_or("");
        let _ = write!(short, "{} {pid} {process} {}", s.local.port(), p.user);
        let _ = write!(
            full,
            "{} {} {} {} {} {pid} {process} {} {}",
            s.proto,
            s.local,
            s.remote,
            s.state,
            p.exposure.name(),
            p.user,
            p.unit.as_deref().unwrap_or(""),
        );
    }
    fn json(&self, data: &Data, i: usize) -> serde_json::Value {
        // The schema of `qd snapshot --json`: ports, pids, inodes as numbers.
        serde_json::to_value(&self.rows(data)[i]).unwrap_or_default()
    }
    fn keep(&self, data: &Data, i: usize) -> bool {
        let p = &self.rows(data)[i];
        (self.scope == Scope::All || p.socket.is_listening())
            && data
                .site
                .as_ref()
                .is_none_or(|s| p.site.as_ref() == Some(s))
    }
}
