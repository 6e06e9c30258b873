//! The services table's rows and columns: the snapshot's service rows (the sites'
//! units, or every service unit with `a`), one site's only while a site is in focus.
//! State colours say what matters at a glance: failed in red, running in green,
//! health failing in red with how long it has been failing.

use super::super::super::data::Data;
use super::super::super::table::{Column, Source};
use super::super::super::theme::Theme;
use crate::model::format::{human_bytes, start_time};
use crate::model::services::ServiceRow;
use crate::model::text::inert;
use ratatui::style::Style;
use ratatui::text::Line;
use std::cmp::Ordering;
use std::fmt::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SvcCol {
    Site,
    Service,
    Load,
    Active,
    Sub,
    MainPid,
    Mem,
    Cpu,
    Procs,
    Restarts,
    Since,
    Port,
    Health,
    Unit,
}

const ALL: [SvcCol; 14] = [
    SvcCol::Site,
    SvcCol::Service,
    SvcCol::Load,
    SvcCol::Active,
    SvcCol::Sub,
    SvcCol::MainPid,
    SvcCol::Mem,
    SvcCol::Cpu,
    SvcCol::Procs,
    SvcCol::Restarts,
    SvcCol::Since,
    SvcCol::Port,
    SvcCol::Health,
    SvcCol::Unit,
];

impl Column for SvcCol {
    fn all() -> &'static [Self] {
        &ALL
    }
    fn title(self) -> &'static str {
        use SvcCol::*;
        match self {
            Site => "SITE",
            Service => "SERVICE",
            Load => "LOAD",
            Active => "ACTIVE",
            Sub => "SUB",
            MainPid => "MAIN PID",
            Mem => "MEM",
            Cpu => "CPU%",
            Procs => "PROCS",
            Restarts => "RESTARTS",
            Since => "SINCE",
            Port => "PORT",
            Health => "HEALTH",
            Unit => "UNIT",
        }
    }
    fn width(self) -> u16 {
        use SvcCol::*;
        match self {
            Site => 8,
            Service => 10,
            Load => 9,
            Active => 10,
            Sub => 12,
            MainPid => 8,
            Mem => 6,
            Cpu => 5,
            Procs => 5,
            Restarts => 8,
            Since => 6,
            Port => 7,
            Health => 14,
            Unit => 0,
        }
    }
    fn right(self) -> bool {
        use SvcCol::*;
        matches!(self, MainPid | Mem | Cpu | Procs | Restarts)
    }
    fn priority(self) -> u8 {
        use SvcCol::*;
        match self {
            Procs => 7,
            Load => 6,
            Restarts => 5,
            Since => 4,
            Sub => 3,
            Mem | Cpu => 2,
            Port | Health => 1,
            _ => 0,
        }
    }
    fn descending(self) -> bool {
        use SvcCol::*;
        matches!(self, Mem | Cpu | Procs | Restarts | Since)
    }
    fn name(self) -> &'static str {
        use SvcCol::*;
        match self {
            Site => "site",
            Service => "service",
            Load => "load",
            Active => "active",
            Sub => "sub",
            MainPid => "pid",
            Mem => "mem",
            Cpu => "cpu",
            Procs => "procs",
            Restarts => "restarts",
            Since => "since",
            Port => "port",
            Health => "health",
            Unit => "unit",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        use SvcCol::*;
        match self {
            // The names the one global sort key had (`:sort state`, `start`, `local`).
            Active => &["state"],
            MainPid => &["main-pid"],
            Mem => &["rss", "memory"],
            Cpu => &["cpu%"],
            Since => &["start"],
            Port => &["local"],
            _ => &[],
        }
    }
}

/// The service rows of `data`'s snapshot (none before systemd answered).
pub fn rows(data: &Data) -> &[ServiceRow] {
    data.snapshot
        .services
        .as_ref()
        .map_or(&[], |t| t.rows.as_slice())
}

/// A failing check sorts first, then unknown, then ok.
fn health_rank(h: Option<&str>) -> u8 {
    match h {
        Some("failing") => 0,
        Some("ok") => 2,
        _ => 1,
    }
}

/// No process of the unit this refresh: its sums are shown as `-`, not 0.
fn has_procs(r: &ServiceRow) -> bool {
    r.procs > 0
}

/// `ok`, `failing 3m`, `-`.
fn health(h: Option<&str>, since: u64, now: u64) -> String {
    match h {
        Some("failing") if since > 0 => {
            let d = now.saturating_sub(since);
            let ago = match d {
                0..60 => format!("{d}s"),
                60..3600 => format!("{}m", d / 60),
                _ => format!("{}h", d / 3600),
            };
            format!("failing {ago}")
        }
        Some(h) => h.to_string(),
        None => "-".into(),
    }
}

fn state_style(th: &Theme, active: &str) -> Style {
    match active {
        "active" | "reloading" => th.ok,
        "failed" => th.danger,
        "activating" | "deactivating" => th.warn,
        _ => th.muted,
    }
}

/// The services table: keyed by unit name, in the order the snapshot lists them
/// (the config's: site by site, each site's services as declared, other units last).
#[derive(Debug, Default)]
pub struct ServiceSource;

impl Source for ServiceSource {
    type Ctx = Data;
    type Key = String;
    type Col = SvcCol;
    const NAME: &'static str = "services";

    fn len(&self, data: &Data) -> usize {
        rows(data).len()
    }

    fn key(&self, data: &Data, i: usize) -> String {
        rows(data)[i].unit.unit.clone()
    }

    fn keep(&self, data: &Data, i: usize) -> bool {
        data.site
            .as_ref()
            .is_none_or(|s| rows(data)[i].unit.site.as_ref() == Some(s))
    }

    fn text(&self, data: &Data, i: usize, col: SvcCol) -> String {
        let r = &rows(data)[i];
        let u = &r.unit;
        let now = data.snapshot.taken_at_ms / 1000;
        let dash = || "-".to_string();
        match col {
            SvcCol::Site => u.site.as_deref().map_or_else(dash, str::to_string),
            SvcCol::Service => u.service.as_deref().map_or_else(dash, str::to_string),
            SvcCol::Load => u.load_state.clone(),
            SvcCol::Active => u.active_state.clone(),
            SvcCol::Sub => u.sub_state.clone(),
            // Not read yet: unknown, never a zero that would read as "none".
            SvcCol::MainPid | SvcCol::Restarts | SvcCol::Since if u.props_pending => {
                "…".to_string()
            }
            SvcCol::MainPid if u.main_pid == 0 => dash(),
            SvcCol::MainPid => u.main_pid.to_string(),
            SvcCol::Mem if !has_procs(r) => dash(),
            SvcCol::Mem => human_bytes(r.rss_bytes),
            SvcCol::Cpu if !has_procs(r) => dash(),
            SvcCol::Cpu => format!("{:.1}", r.cpu_percent),
            SvcCol::Procs => r.procs.to_string(),
            SvcCol::Restarts => u.restarts.to_string(),
            SvcCol::Since if u.active_since_us == 0 || u.active_state != "active" => dash(),
            SvcCol::Since => start_time(u.active_since_us / 1_000_000, now),
            SvcCol::Port => match (u.port, u.listening) {
                // Declared, and nothing listens on it.
                (Some(p), Some(false)) => format!("{p} ✗"),
                (Some(p), _) => p.to_string(),
                (None, _) => dash(),
            },
            SvcCol::Health => health(u.health.as_deref(), u.health_since, now),
            SvcCol::Unit => u.unit.clone(),
        }
    }

    fn cell(&self, data: &Data, i: usize, col: SvcCol, th: &Theme) -> Line<'static> {
        let r = &rows(data)[i];
        let u = &r.unit;
        let style = match col {
            SvcCol::Site | SvcCol::MainPid => th.text,
            SvcCol::Service => th.basename,
            SvcCol::Load if u.load_state == "loaded" => th.muted,
            SvcCol::Load => th.warn,
            SvcCol::Active => state_style(th, &u.active_state),
            SvcCol::Sub | SvcCol::Procs | SvcCol::Since | SvcCol::Unit => th.muted,
            SvcCol::Mem | SvcCol::Cpu => th.text,
            SvcCol::Restarts if u.restarts > 0 => th.warn,
            SvcCol::Restarts => th.muted,
            SvcCol::Port => match (u.port, u.listening) {
                (Some(_), Some(false)) => th.danger,
                (Some(_), _) => th.text,
                (None, _) => th.muted,
            },
            SvcCol::Health => match u.health.as_deref() {
                Some("ok") => th.ok,
                Some(_) => th.danger,
                None => th.muted,
            },
        };
        let text = self.text(data, i, col);
        Line::styled(inert(&text, 128).into_owned(), style)
    }

    fn cmp(&self, data: &Data, a: usize, b: usize, col: SvcCol) -> Ordering {
        let rows = rows(data);
        let (ra, rb) = (&rows[a], &rows[b]);
        let (x, y) = (&ra.unit, &rb.unit);
        match col {
            // The snapshot's order is the config's: sorting on SITE keeps it, with
            // the units of no site after the sites'.
            SvcCol::Site => x.site.is_none().cmp(&y.site.is_none()),
            SvcCol::Service => x.service.cmp(&y.service),
            SvcCol::Load => x.load_state.cmp(&y.load_state),
            SvcCol::Active => x.active_state.cmp(&y.active_state),
            SvcCol::Sub => x.sub_state.cmp(&y.sub_state),
            SvcCol::MainPid => x.main_pid.cmp(&y.main_pid),
            SvcCol::Mem => ra.rss_bytes.cmp(&rb.rss_bytes),
            SvcCol::Cpu => ra.cpu_percent.total_cmp(&rb.cpu_percent),
            SvcCol::Procs => ra.procs.cmp(&rb.procs),
            SvcCol::Restarts => x.restarts.cmp(&y.restarts),
            SvcCol::Since => x.active_since_us.cmp(&y.active_since_us),
            SvcCol::Port => x.port.cmp(&y.port),
            SvcCol::Health => {
                health_rank(x.health.as_deref()).cmp(&health_rank(y.health.as_deref()))
            }
            SvcCol::Unit => x.unit.cmp(&y.unit),
        }
    }

    fn filter_text(&self, data: &Data, i: usize, full: &mut String, short: &mut String) {
        let u = &rows(data)[i].unit;
        let site = u.site.as_deref().unwrap_or("");
        let svc = u.service.as_deref().unwrap_or("");
        let _ = write!(short, "{site} {svc} {}", u.unit);
        let _ = write!(
            full,
            "{site}/{svc} {} {} {} {} {} {}",
            u.unit,
            u.active_state,
            u.sub_state,
            u.main_pid,
            u.port.map(|p| format!(":{p}")).unwrap_or_default(),
            u.health.as_deref().unwrap_or(""),
        );
    }

    /// The unit as `qd snapshot --json` gives it, with this refresh's sums.
    fn json(&self, data: &Data, i: usize) -> serde_json::Value {
        let r = &rows(data)[i];
        let mut v = serde_json::to_value(&r.unit).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "cpu_percent".into(),
                super::super::units::f32_json(r.cpu_percent),
            );
            o.insert("rss_bytes".into(), r.rss_bytes.into());
            o.insert("procs".into(), r.procs.into());
        }
        v
    }
}
