//! The services view's rows: the units of the snapshot's services table (the sites'
//! services, or every service unit), optionally only one site's, filtered and sorted.
//! Its actions are unit actions; the process of a row (its main pid) is what Enter
//! on the processes side would show.

use super::filter::Filter;
use super::render::layout::{Col, SITE_COLUMNS, SVC_COLUMNS};
use super::table_state::{Keyed, Row, TableState};
use super::view::Rows;
use crate::actions::{ProcTarget, UnitTarget};
use crate::config::SortKey;
use crate::model::Snapshot;
use crate::model::services::{ServiceRow, SiteRow};
use std::cmp::Ordering;
use std::sync::Arc;

impl Keyed for ServiceRow {
    type Key = String;
    fn key(&self) -> String {
        self.unit.unit.clone()
    }
}

impl Keyed for SiteRow {
    type Key = Arc<str>;
    fn key(&self) -> Arc<str> {
        self.name.clone()
    }
}

#[derive(Debug, Clone)]
pub struct SvcView {
    pub table: TableState<String>,
    /// Only this site's services (`:site NAME`, Enter on a site).
    pub site: Option<Arc<str>>,
}

impl Default for SvcView {
    fn default() -> Self {
        Self {
            // Config order (sites, then their services) is the natural order.
            table: TableState::new(SortKey::Site, false),
            site: None,
        }
    }
}

fn health_rank(h: Option<&str>) -> u8 {
    match h {
        Some("failing") => 0,
        Some("ok") => 2,
        _ => 1,
    }
}

fn compare(k: SortKey, a: &ServiceRow, b: &ServiceRow) -> Ordering {
    let (x, y) = (&a.unit, &b.unit);
    match k {
        // None (units of no site) after the sites; within a site, config order.
        SortKey::Site => x.site.is_none().cmp(&y.site.is_none()),
        SortKey::Service => x.service.cmp(&y.service),
        SortKey::State => x.active_state.cmp(&y.active_state),
        SortKey::Pid => x.main_pid.cmp(&y.main_pid),
        SortKey::Mem => a.rss_bytes.cmp(&b.rss_bytes),
        SortKey::Cpu => a.cpu_percent.total_cmp(&b.cpu_percent),
        SortKey::Restarts => x.restarts.cmp(&y.restarts),
        SortKey::Start => x.active_since_us.cmp(&y.active_since_us),
        SortKey::Local => x.port.cmp(&y.port),
        SortKey::Health => health_rank(x.health.as_deref()).cmp(&health_rank(y.health.as_deref())),
        SortKey::Unit => x.unit.cmp(&y.unit),
        _ => Ordering::Equal,
    }
}

impl Rows for SvcView {
    type Item = ServiceRow;
    const NAME: &'static str = "services";

    fn items<'a>(&self, snap: &'a Snapshot) -> &'a [ServiceRow] {
        snap.services.as_ref().map_or(&[], |t| t.rows.as_slice())
    }
    fn state(&self) -> &TableState<String> {
        &self.table
    }
    fn state_mut(&mut self) -> &mut TableState<String> {
        &mut self.table
    }
    fn columns(&self) -> &'static [Col] {
        &SVC_COLUMNS
    }
    fn owner(r: &ServiceRow) -> Option<ProcTarget> {
        (r.unit.main_pid > 0).then(|| ProcTarget {
            pid: r.unit.main_pid as i32,
            starttime: 0,
            name: r.unit.unit.clone(),
            user: String::new(),
            unit: Some(r.unit.unit.clone()),
        })
    }
    fn ordered(&self, snap: &Snapshot) -> Vec<Row> {
        let rows = self.items(snap);
        let nav = &self.table.nav;
        let mut filter = Filter::new(&nav.filter);
        let mut order: Vec<usize> = (0..rows.len())
            .filter(|&i| {
                let r = &rows[i];
                self.site
                    .as_ref()
                    .is_none_or(|s| r.unit.site.as_ref() == Some(s))
                    && filter.as_mut().is_none_or(|f| f.matches(r))
            })
            .collect();
        let (k, desc) = (nav.sort, nav.descending);
        // The table arrives in config order: a stable sort keeps it within ties.
        order.sort_by(|&a, &b| {
            let o = compare(k, &rows[a], &rows[b]);
            if desc { o.reverse() } else { o }
        });
        order.into_iter().map(Row::plain).collect()
    }
}

impl SvcView {
    pub fn selected_row<'a>(&self, snap: &'a Snapshot) -> Option<&'a ServiceRow> {
        self.table.selected_item(self.items(snap))
    }

    /// The marked rows, or the selected one, as unit targets.
    pub fn unit_targets(&self, snap: &Snapshot) -> Vec<UnitTarget> {
        self.table
            .targets(self.items(snap))
            .into_iter()
            .map(|r| {
                let svc = match (&r.unit.site, &r.unit.service) {
                    (Some(s), Some(v)) => Some(format!("{s}/{v}")),
                    _ => None,
                };
                UnitTarget::new(r.unit.unit.clone(), svc)
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct SiteView {
    pub table: TableState<Arc<str>>,
}

impl Default for SiteView {
    fn default() -> Self {
        Self {
            table: TableState::new(SortKey::Site, false),
        }
    }
}

impl Rows for SiteView {
    type Item = SiteRow;
    const NAME: &'static str = "sites";

    fn items<'a>(&self, snap: &'a Snapshot) -> &'a [SiteRow] {
        snap.services.as_ref().map_or(&[], |t| t.sites.as_slice())
    }
    fn state(&self) -> &TableState<Arc<str>> {
        &self.table
    }
    fn state_mut(&mut self) -> &mut TableState<Arc<str>> {
        &mut self.table
    }
    fn columns(&self) -> &'static [Col] {
        &SITE_COLUMNS
    }
    fn owner(_: &SiteRow) -> Option<ProcTarget> {
        None
    }
    fn ordered(&self, snap: &Snapshot) -> Vec<Row> {
        let rows = self.items(snap);
        let nav = &self.table.nav;
        let mut filter = Filter::new(&nav.filter);
        let mut order: Vec<usize> = (0..rows.len())
            .filter(|&i| filter.as_mut().is_none_or(|f| f.matches(&rows[i])))
            .collect();
        let (k, desc) = (nav.sort, nav.descending);
        order.sort_by(|&a, &b| {
            let (x, y) = (&rows[a], &rows[b]);
            let o = match k {
                SortKey::User => x.user.cmp(&y.user),
                SortKey::State => (x.up, x.failed).cmp(&(y.up, y.failed)),
                SortKey::Cpu => x.cpu_percent.total_cmp(&y.cpu_percent),
                SortKey::Mem => x.rss_bytes.cmp(&y.rss_bytes),
                SortKey::Health => y.failing.cmp(&x.failing),
                _ => Ordering::Equal,
            };
            if desc { o.reverse() } else { o }
        });
        order.into_iter().map(Row::plain).collect()
    }
}

impl SiteView {
    pub fn selected_site<'a>(&self, snap: &'a Snapshot) -> Option<&'a SiteRow> {
        self.table.selected_item(self.items(snap))
    }
}
