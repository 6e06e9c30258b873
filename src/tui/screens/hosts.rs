//! The hosts screen (`:hosts`): the fleet with each host's connection as the pool
//! reports it, on the one table (filter, sort on any column, marks by host name, so a
//! refresh that reorders rows keeps the marks on the same hosts, export).
//!
//! Its keys are the `[hosts]` section: `shell` (Enter/s) proposes a shell on each
//! marked or the selected host (the App opens the panes: policy first, a job per
//! pane), `exec` (x) asks for a command and proposes an `Action::Exec` on them. It
//! reads the hosts and their states from `Data` and never reaches the pool itself.

use super::super::data::Data;
use super::super::msg::Act;
use super::super::popup::{InputKind, Popup};
use super::super::table::ops::TableOps;
use super::super::table::{Column, Source, Table};
use super::super::theme::Theme;
use super::Component;
use crate::config::Command;
use crate::model::text::inert;
use crate::ssh::Host;
use crate::ssh::pool::{ConnState, HostStatus};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use std::cmp::Ordering;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostCol {
    Name,
    Address,
    Port,
    User,
    Tags,
    Latency,
    Channels,
    Uptime,
    /// Last: it fills, and a failure's reason is as long as it is.
    State,
}

impl Column for HostCol {
    fn all() -> &'static [Self] {
        use HostCol::*;
        &[
            Name, Address, Port, User, Tags, Latency, Channels, Uptime, State,
        ]
    }
    fn title(self) -> &'static str {
        match self {
            HostCol::Name => "NAME",
            HostCol::Address => "ADDRESS",
            HostCol::Port => "PORT",
            HostCol::User => "USER",
            HostCol::Tags => "TAGS",
            HostCol::Latency => "LATENCY",
            HostCol::Channels => "CHANNELS",
            HostCol::Uptime => "UPTIME",
            HostCol::State => "STATE",
        }
    }
    fn width(self) -> u16 {
        match self {
            HostCol::Name => 14,
            HostCol::Address => 18,
            HostCol::Port => 5,
            HostCol::User => 10,
            HostCol::Tags => 10,
            HostCol::Latency => 8,
            HostCol::Channels => 8,
            HostCol::Uptime => 7,
            HostCol::State => 0,
        }
    }
    fn right(self) -> bool {
        matches!(
            self,
            HostCol::Port | HostCol::Latency | HostCol::Channels | HostCol::Uptime
        )
    }
    /// Narrow terminals keep who and where, the state and its latency.
    fn priority(self) -> u8 {
        match self {
            HostCol::Port => 5,
            HostCol::Channels => 4,
            HostCol::Uptime => 3,
            HostCol::Tags => 2,
            HostCol::Latency => 1,
            _ => 0,
        }
    }
    fn descending(self) -> bool {
        matches!(self, HostCol::Latency | HostCol::Channels | HostCol::Uptime)
    }
    fn name(self) -> &'static str {
        match self {
            HostCol::Name => "name",
            HostCol::Address => "address",
            HostCol::Port => "port",
            HostCol::User => "user",
            HostCol::Tags => "tags",
            HostCol::Latency => "latency",
            HostCol::Channels => "channels",
            HostCol::Uptime => "uptime",
            HostCol::State => "state",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            HostCol::Name => &["host"],
            HostCol::Address => &["addr"],
            HostCol::Tags => &["tag"],
            _ => &[],
        }
    }
}

/// The fleet over `Data::hosts` and `Data::host_status` (same order), keyed by name.
#[derive(Debug, Default)]
pub struct HostsSource;

fn status(d: &Data, i: usize) -> Option<&HostStatus> {
    d.host_status.get(i).and_then(Option::as_ref)
}

/// `connected`, `failed: why`, ...; a host never connected is idle, with what qd does
/// not do of its entry (`ProxyJump is not supported`).
fn state_text(d: &Data, i: usize, now: Instant) -> String {
    let state = status(d, i).map_or_else(|| "idle".into(), |s| s.state_text(now));
    match d.hosts.get(i).and_then(|h| h.note.as_deref()) {
        Some(n) if state == "idle" => format!("idle ({n})"),
        _ => state,
    }
}

fn latency(d: &Data, i: usize) -> Option<Duration> {
    status(d, i).and_then(|s| s.latency)
}

fn uptime(d: &Data, i: usize, now: Instant) -> Option<Duration> {
    status(d, i)
        .and_then(|s| s.connected_at)
        .map(|c| now.saturating_duration_since(c))
}

impl Source for HostsSource {
    type Ctx = Data;
    type Key = String;
    type Col = HostCol;
    const NAME: &'static str = "hosts";

    fn len(&self, d: &Data) -> usize {
        d.hosts.len()
    }
    fn key(&self, d: &Data, i: usize) -> String {
        d.hosts.get(i).map(|h| h.name.clone()).unwrap_or_default()
    }
    fn text(&self, d: &Data, i: usize, col: HostCol) -> String {
        let Some(h) = d.hosts.get(i) else {
            return String::new();
        };
        let now = Instant::now();
        match col {
            HostCol::Name => h.name.clone(),
            HostCol::Address => h.address.clone(),
            HostCol::Port => h.port.to_string(),
            HostCol::User => h.user.clone(),
            HostCol::Tags => h.tags.join(","),
            HostCol::Latency => latency(d, i).map_or_else(
                || "-".into(),
                |l| format!("{:.1}ms", l.as_secs_f64() * 1000.0),
            ),
            HostCol::Channels => status(d, i).map_or(0, |s| s.channels).to_string(),
            HostCol::Uptime => {
                uptime(d, i, now).map_or_else(|| "-".into(), crate::model::format::duration_short)
            }
            HostCol::State => state_text(d, i, now),
        }
    }
    /// The state in the colour of how it goes: connected green, failed red.
    fn cell(&self, d: &Data, i: usize, col: HostCol, theme: &Theme) -> Line<'static> {
        let style = match (col, status(d, i).map(|s| &s.state)) {
            (HostCol::State, Some(ConnState::Connected)) => theme.ok,
            (HostCol::State, Some(ConnState::Failed(_))) => theme.danger,
            (HostCol::State, Some(ConnState::Reconnecting(_))) => theme.warn,
            _ => theme.text,
        };
        Line::styled(inert(&self.text(d, i, col), 400).into_owned(), style)
    }
    fn cmp(&self, d: &Data, a: usize, b: usize, col: HostCol) -> Ordering {
        let (Some(ha), Some(hb)) = (d.hosts.get(a), d.hosts.get(b)) else {
            return Ordering::Equal;
        };
        match col {
            HostCol::Port => ha.port.cmp(&hb.port),
            HostCol::Latency => latency(d, a).cmp(&latency(d, b)),
            HostCol::Channels => {
                let n = |i| status(d, i).map_or(0, |s| s.channels);
                n(a).cmp(&n(b))
            }
            HostCol::Uptime => {
                let now = Instant::now();
                uptime(d, a, now).cmp(&uptime(d, b, now))
            }
            c => self.text(d, a, c).cmp(&self.text(d, b, c)),
        }
    }
    fn filter_text(&self, d: &Data, i: usize, full: &mut String, short: &mut String) {
        let Some(h) = d.hosts.get(i) else {
            return;
        };
        short.push_str(&h.name);
        full.push_str(&format!(
            "{} {}:{} {} {} {}",
            h.name,
            h.address,
            h.port,
            h.user,
            h.tags.join(" "),
            state_text(d, i, Instant::now())
        ));
    }
    /// `qd hosts --json`'s object for the host, with its connection: state (text),
    /// latency_ms, channels and uptime_s as numbers (null when not connected).
    fn json(&self, d: &Data, i: usize) -> serde_json::Value {
        let Some(h) = d.hosts.get(i) else {
            return serde_json::Value::Null;
        };
        let now = Instant::now();
        let mut v = serde_json::to_value(h).unwrap_or(serde_json::Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.insert("state".into(), state_text(d, i, now).into());
            o.insert(
                "latency_ms".into(),
                latency(d, i).map(|l| l.as_micros() as f64 / 1000.0).into(),
            );
            o.insert(
                "channels".into(),
                status(d, i).map_or(0, |s| s.channels).into(),
            );
            o.insert(
                "uptime_s".into(),
                uptime(d, i, now).map(|u| u.as_secs()).into(),
            );
        }
        v
    }
}

pub struct Hosts {
    pub table: Table<HostsSource>,
    /// `[ssh] parallel`: hosts an exec runs on at once.
    pub parallel: usize,
}

impl Default for Hosts {
    fn default() -> Self {
        Self::new(8)
    }
}

impl Hosts {
    /// In config order until a column is sorted on.
    pub fn new(parallel: usize) -> Self {
        Self {
            table: Table::new(HostsSource, None),
            parallel: parallel.max(1),
        }
    }

    /// The marked hosts shown, in view order, or the selected one.
    pub fn targets(&self, d: &Data) -> Vec<Host> {
        self.table
            .targets(d)
            .into_iter()
            .filter_map(|i| d.hosts.get(i).cloned())
            .collect()
    }

    /// `x` / `:exec [CMD]` on the marked or selected hosts: asks for the command
    /// without one, else proposes the exec (its confirmation lists the hosts).
    pub fn exec(&self, command: Option<String>, d: &Data) -> Vec<Act> {
        let hosts = self.targets(d);
        if hosts.is_empty() {
            let why = if d.hosts.is_empty() {
                "no host to run on: the fleet is empty (see :hosts)"
            } else {
                "no host to run on: the marked hosts are all filtered out"
            };
            return vec![Act::warn(why)];
        }
        match command.filter(|c| !c.trim().is_empty()) {
            None => vec![Act::Popup(Popup::Input {
                kind: InputKind::Exec,
                text: String::new(),
                previous: String::new(),
                error: None,
            })],
            Some(command) => vec![Act::Propose(crate::actions::Action::Exec {
                hosts,
                command,
                parallel: self.parallel,
                timeout: None,
            })],
        }
    }

    /// Enter / `s`: a shell proposed on each target; the marks served their purpose.
    fn shell(&mut self, d: &Data) -> Vec<Act> {
        let hosts = self.targets(d);
        if hosts.is_empty() {
            return vec![Act::warn("no host selected")];
        }
        self.table.clear_marks();
        hosts
            .into_iter()
            .map(|host| Act::Propose(crate::actions::Action::Shell { host }))
            .collect()
    }
}

impl Component for Hosts {
    fn run(&mut self, cmd: &Command, d: &Data) -> Option<Vec<Act>> {
        Some(match cmd {
            Command::Shell => self.shell(d),
            Command::Exec(c) => self.exec(c.clone(), d),
            Command::Back => vec![Act::Leave],
            _ => return None,
        })
    }

    fn rebuild(&mut self, d: &Data) {
        self.table.rebuild(d);
    }

    fn title(&self, d: &Data) -> String {
        let shown = self.table.state.rows.len();
        match self.table.filter() {
            "" => format!(" hosts ({})", d.hosts.len()),
            f => format!(" hosts ({shown} of {}, filter: {f})", d.hosts.len()),
        }
    }

    fn draw(&self, buf: &mut Buffer, area: Rect, d: &Data, theme: &Theme) {
        self.table.draw(buf, area, d, theme);
        if d.hosts.is_empty() && area.height > 1 {
            let msg =
                "no hosts: add [[host]] entries to the config, or Host entries to ~/.ssh/config";
            buf.set_stringn(area.x, area.y + 1, msg, area.width as usize, theme.muted);
        }
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("shell", "shell"),
            ("mark", "mark"),
            ("exec", "exec"),
            ("panes", "panes"),
            ("jobs", "jobs"),
            ("filter", "filter"),
            ("back", "back"),
        ]
    }

    fn table(&self) -> Option<&dyn TableOps> {
        Some(&self.table)
    }
    fn table_mut(&mut self) -> Option<&mut dyn TableOps> {
        Some(&mut self.table)
    }
}
