//! The sites screen: one row per configured site the operator may see — its user,
//! how many of its services are up, failed ones, its processes' CPU and memory, its
//! listening sockets, its health checks. `[sites]`: Enter opens the site (the
//! services, processes and ports screens show only it: the focus is the App's, so
//! this asks for `:site NAME`), `l`/`L` its services' merged log.

use super::super::data::Data;
use super::super::msg::Act;
use super::super::table::ops::TableOps;
use super::super::table::{Column, Source, Table};
use super::super::theme::Theme;
use super::Component;
use super::units::{self, f32_json, notice};
use crate::config::Command;
use crate::model::format::human_bytes;
use crate::model::services::SiteRow;
use crate::model::text::inert;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use std::cmp::Ordering;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteCol {
    Site,
    User,
    Up,
    Failed,
    Procs,
    Cpu,
    Mem,
    Ports,
    Health,
}

const ALL: [SiteCol; 9] = [
    SiteCol::Site,
    SiteCol::User,
    SiteCol::Up,
    SiteCol::Failed,
    SiteCol::Procs,
    SiteCol::Cpu,
    SiteCol::Mem,
    SiteCol::Ports,
    SiteCol::Health,
];

impl Column for SiteCol {
    fn all() -> &'static [Self] {
        &ALL
    }
    fn title(self) -> &'static str {
        use SiteCol::*;
        match self {
            Site => "SITE",
            User => "USER",
            Up => "UP",
            Failed => "FAILED",
            Procs => "PROCS",
            Cpu => "CPU%",
            Mem => "MEM",
            Ports => "PORTS",
            Health => "HEALTH",
        }
    }
    fn width(self) -> u16 {
        use SiteCol::*;
        match self {
            Site | User => 12,
            Up | Mem => 7,
            Failed | Cpu => 6,
            Procs | Ports => 5,
            Health => 0,
        }
    }
    fn right(self) -> bool {
        !matches!(self, SiteCol::Site | SiteCol::User | SiteCol::Health)
    }
    fn priority(self) -> u8 {
        match self {
            SiteCol::Procs => 3,
            SiteCol::User => 2,
            SiteCol::Ports => 1,
            _ => 0,
        }
    }
    fn descending(self) -> bool {
        use SiteCol::*;
        matches!(self, Failed | Procs | Cpu | Mem | Ports)
    }
    fn name(self) -> &'static str {
        use SiteCol::*;
        match self {
            Site => "site",
            User => "user",
            Up => "up",
            Failed => "failed",
            Procs => "procs",
            Cpu => "cpu",
            Mem => "mem",
            Ports => "ports",
            Health => "health",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            SiteCol::Up => &["state"],
            SiteCol::Cpu => &["cpu%"],
            SiteCol::Mem => &["rss", "memory"],
            _ => &[],
        }
    }
}

fn rows(data: &Data) -> &[SiteRow] {
    data.snapshot
        .services
        .as_ref()
        .map_or(&[], |t| t.sites.as_slice())
}

/// The sites table: keyed by name, in the config's order.
#[derive(Debug, Default)]
pub struct SiteSource;

impl Source for SiteSource {
    type Ctx = Data;
    type Key = Arc<str>;
    type Col = SiteCol;
    const NAME: &'static str = "sites";

    fn len(&self, data: &Data) -> usize {
        rows(data).len()
    }

    fn key(&self, data: &Data, i: usize) -> Arc<str> {
        rows(data)[i].name.clone()
    }

    fn text(&self, data: &Data, i: usize, col: SiteCol) -> String {
        let s = &rows(data)[i];
        match col {
            SiteCol::Site => s.name.to_string(),
            SiteCol::User => s.user.clone(),
            SiteCol::Up => format!("{}/{}", s.up, s.services),
            SiteCol::Failed => s.failed.to_string(),
            SiteCol::Procs => s.procs.to_string(),
            SiteCol::Cpu => format!("{:.1}", s.cpu_percent),
            SiteCol::Mem => human_bytes(s.rss_bytes),
            SiteCol::Ports => s.ports.map_or_else(|| "-".into(), |p| p.to_string()),
            SiteCol::Health if s.failing > 0 => {
                format!("{} failing, {} ok", s.failing, s.healthy)
            }
            SiteCol::Health if s.healthy > 0 => format!("{} ok", s.healthy),
            SiteCol::Health => "-".into(),
        }
    }

    fn cell(&self, data: &Data, i: usize, col: SiteCol, th: &Theme) -> Line<'static> {
        let s = &rows(data)[i];
        let style = match col {
            SiteCol::Site => th.basename,
            SiteCol::Up if s.up == s.services => th.ok,
            SiteCol::Up => th.warn,
            SiteCol::Failed if s.failed > 0 => th.danger,
            SiteCol::Failed => th.muted,
            SiteCol::Health if s.failing > 0 => th.danger,
            SiteCol::Health if s.healthy > 0 => th.ok,
            SiteCol::Health => th.muted,
            _ => th.text,
        };
        Line::styled(inert(&self.text(data, i, col), 64).into_owned(), style)
    }

    fn cmp(&self, data: &Data, a: usize, b: usize, col: SiteCol) -> Ordering {
        let rows = rows(data);
        let (x, y) = (&rows[a], &rows[b]);
        match col {
            // The config's order, which is the snapshot's.
            SiteCol::Site => Ordering::Equal,
            SiteCol::User => x.user.cmp(&y.user),
            SiteCol::Up => (x.up, x.failed).cmp(&(y.up, y.failed)),
            SiteCol::Failed => x.failed.cmp(&y.failed),
            SiteCol::Procs => x.procs.cmp(&y.procs),
            SiteCol::Cpu => x.cpu_percent.total_cmp(&y.cpu_percent),
            SiteCol::Mem => x.rss_bytes.cmp(&y.rss_bytes),
            SiteCol::Ports => x.ports.cmp(&y.ports),
            // The most failing checks first.
            SiteCol::Health => y.failing.cmp(&x.failing),
        }
    }

    fn filter_text(&self, data: &Data, i: usize, full: &mut String, short: &mut String) {
        let s = &rows(data)[i];
        for t in [&mut *full, &mut *short] {
            t.push_str(&s.name);
            t.push(' ');
            t.push_str(&s.user);
        }
    }

    fn json(&self, data: &Data, i: usize) -> serde_json::Value {
        let s = &rows(data)[i];
        let mut v = serde_json::to_value(s).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("cpu_percent".into(), f32_json(s.cpu_percent));
        }
        v
    }
}

pub struct SitesScreen {
    pub table: Table<SiteSource>,
}

impl Default for SitesScreen {
    fn default() -> Self {
        Self {
            table: Table::new(SiteSource, Some(SiteCol::Site)),
        }
    }
}

impl SitesScreen {
    pub fn selected<'a>(&self, data: &'a Data) -> Option<&'a SiteRow> {
        self.table.selected(data).map(|i| &rows(data)[i])
    }
}

impl Component for SitesScreen {
    fn run(&mut self, cmd: &Command, data: &Data) -> Option<Vec<Act>> {
        let site = self.selected(data).map(|s| s.name.to_string());
        Some(match cmd {
            // `detail`: what Enter did here before the keymap had sections.
            Command::OpenSite | Command::Detail => match site {
                Some(name) => vec![Act::Run(Command::FocusSite(name))],
                None => vec![Act::info("nothing selected")],
            },
            // A site's log is its services' logs merged.
            Command::SiteLogs | Command::UnitLog => units::site_log(data, site.as_deref()),
            _ => return None,
        })
    }

    fn rebuild(&mut self, data: &Data) {
        self.table.rebuild(data);
    }

    fn title(&self, _data: &Data) -> String {
        "sites".into()
    }

    fn draw(&self, buf: &mut Buffer, area: Rect, data: &Data, theme: &Theme) {
        let what = "no sites: add [[site]] tables to the config (config.example.toml)";
        if notice(buf, area, data, theme, rows(data).is_empty(), what) {
            return;
        }
        self.table.draw(buf, area, data, theme);
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("help", "help"),
            ("open-site", "open site"),
            ("site-logs", "site log"),
            ("next-screen", "processes"),
            ("quit", "quit"),
        ]
    }

    fn table(&self) -> Option<&dyn TableOps> {
        Some(&self.table)
    }

    fn table_mut(&mut self) -> Option<&mut dyn TableOps> {
        Some(&mut self.table)
    }
}
