//! The audit screen (`:audit`): the last 7 days of the audit log (what the operator
//! may see of it, read by the event loop: `Effect::LoadAudit` -> `Msg::AuditLoaded`
//! -> `Data.audit`) on the one table, oldest first so the newest is last. While
//! following (`f`/`F`), the log is read again on every refresh and the selection
//! stays on the newest record as long as it was there — scrolled back, it stays where
//! it is. The generic `/` filter, sort, marks and export work as on every table.
//!
//! Records hold what operators, hosts and commands wrote: every cell is made inert.

use super::super::data::Data;
use super::super::msg::{Act, Effect};
use super::super::table::ops::TableOps;
use super::super::table::{Column, Source, Table};
use super::super::theme::Theme;
use super::Component;
use crate::audit::Record;
use crate::config::Command;
use crate::model::text::inert;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditCol {
    Time,
    Operator,
    Host,
    Site,
    Action,
    Target,
    Outcome,
    Message,
}

impl Column for AuditCol {
    fn all() -> &'static [Self] {
        use AuditCol::*;
        &[Time, Operator, Host, Site, Action, Target, Outcome, Message]
    }
    fn title(self) -> &'static str {
        match self {
            AuditCol::Time => "TIME",
            AuditCol::Operator => "OPERATOR",
            AuditCol::Host => "HOST",
            AuditCol::Site => "SITE",
            AuditCol::Action => "ACTION",
            AuditCol::Target => "TARGET",
            AuditCol::Outcome => "OUTCOME",
            AuditCol::Message => "MESSAGE",
        }
    }
    fn width(self) -> u16 {
        match self {
            AuditCol::Time => 19,
            AuditCol::Operator | AuditCol::Host | AuditCol::Outcome => 10,
            AuditCol::Site => 8,
            AuditCol::Action => 14,
            AuditCol::Target => 28,
            AuditCol::Message => 0,
        }
    }
    /// Narrow terminals keep when, who, what and how it went.
    fn priority(self) -> u8 {
        match self {
            AuditCol::Site => 4,
            AuditCol::Host => 3,
            AuditCol::Target => 2,
            AuditCol::Operator => 1,
            _ => 0,
        }
    }
    fn descending(self) -> bool {
        self == AuditCol::Time
    }
    fn name(self) -> &'static str {
        match self {
            AuditCol::Time => "time",
            AuditCol::Operator => "operator",
            AuditCol::Host => "host",
            AuditCol::Site => "site",
            AuditCol::Action => "action",
            AuditCol::Target => "target",
            AuditCol::Outcome => "outcome",
            AuditCol::Message => "message",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            AuditCol::Operator => &["user", "who"],
            _ => &[],
        }
    }
}

/// A record across reloads: its time and a hash of what it says. The log is read
/// whole on every refresh and old days drop off its front, so a position would move.
pub type AuditKey = (u64, u64);

/// The records in `Data.audit`, as read (oldest first).
#[derive(Debug, Default)]
pub struct AuditSource;

fn rec(d: &Data, i: usize) -> &Record {
    &d.audit[i]
}

impl Source for AuditSource {
    type Ctx = Data;
    type Key = AuditKey;
    type Col = AuditCol;
    const NAME: &'static str = "audit";

    fn len(&self, d: &Data) -> usize {
        d.audit.len()
    }
    fn key(&self, d: &Data, i: usize) -> AuditKey {
        let r = rec(d, i);
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            &r.job,
            &r.operator,
            &r.host,
            &r.target,
            &r.action,
            &r.outcome,
        )
            .hash(&mut h);
        r.message.hash(&mut h);
        (r.unix_ms, h.finish())
    }
    fn text(&self, d: &Data, i: usize, col: AuditCol) -> String {
        let r = rec(d, i);
        match col {
            // `2026-11-21T22:26:40.123Z` as `2026-11-21 22:26:40`, as `qd audit` shows.
            AuditCol::Time => {
                let t = r.time.replace('T', " ");
                let t = t.trim_end_matches('Z');
                t.get(..19).unwrap_or(t).to_string()
            }
            AuditCol::Operator => r.operator.clone(),
            AuditCol::Host => r.host.clone(),
            AuditCol::Site => r.site.clone().unwrap_or_else(|| "-".into()),
            AuditCol::Action => r.action.clone(),
            AuditCol::Target => r.target.clone(),
            AuditCol::Outcome => match r.exit_status {
                Some(s) => format!("{} ({s})", r.outcome),
                None => r.outcome.clone(),
            },
            AuditCol::Message => r.message.clone(),
        }
    }
    fn cell(&self, d: &Data, i: usize, col: AuditCol, th: &Theme) -> Line<'static> {
        let style = match (col, rec(d, i).outcome.as_str()) {
            (AuditCol::Outcome, "ok" | "finished") => th.ok,
            (AuditCol::Outcome, "started") => th.muted,
            (AuditCol::Outcome, _) => th.danger,
            _ => th.text,
        };
        Line::styled(inert(&self.text(d, i, col), 1024).into_owned(), style)
    }
    fn cmp(&self, d: &Data, a: usize, b: usize, col: AuditCol) -> Ordering {
        let (x, y) = (rec(d, a), rec(d, b));
        match col {
            AuditCol::Time => x.unix_ms.cmp(&y.unix_ms),
            AuditCol::Operator => x.operator.cmp(&y.operator),
            AuditCol::Host => x.host.cmp(&y.host),
            AuditCol::Site => x.site.cmp(&y.site),
            AuditCol::Action => x.action.cmp(&y.action),
            AuditCol::Target => x.target.cmp(&y.target),
            AuditCol::Outcome => (&x.outcome, x.exit_status).cmp(&(&y.outcome, y.exit_status)),
            AuditCol::Message => x.message.cmp(&y.message),
        }
    }
    fn filter_text(&self, d: &Data, i: usize, full: &mut String, short: &mut String) {
        let r = rec(d, i);
        for (n, c) in AuditCol::all().iter().enumerate() {
            if n > 0 {
                full.push(' ');
            }
            full.push_str(&self.text(d, i, *c));
        }
        for s in [&r.operator, &r.action, &r.target] {
            short.push_str(s);
            short.push(' ');
        }
    }
    /// The record as `qd audit --json` writes it.
    fn json(&self, d: &Data, i: usize) -> serde_json::Value {
        serde_json::to_value(rec(d, i)).unwrap_or(serde_json::Value::Null)
    }
}

pub struct AuditScreen {
    table: Table<AuditSource>,
    follow: bool,
    /// The newest record at the last rebuild: following keeps the selection on the
    /// newest only while it is there.
    newest: Option<AuditKey>,
}

impl Default for AuditScreen {
    fn default() -> Self {
        Self {
            table: Table::new(AuditSource, None),
            follow: false,
            newest: None,
        }
    }
}

const HINTS: &[(&str, &str)] = &[
    ("follow", "follow/pause"),
    ("filter", "filter"),
    ("sort-next", "sort"),
    ("back", "close"),
];

impl AuditScreen {
    /// Whether each refresh reads the log again.
    pub fn following(&self) -> bool {
        self.follow
    }

    pub fn table(&self) -> &Table<AuditSource> {
        &self.table
    }

    /// `:audit`: following, the newest record selected once it is read (the caller
    /// asks for the read: `Effect::LoadAudit`).
    pub fn show(&mut self, data: &Data) {
        self.follow = true;
        self.rebuild(data);
        self.select_newest(data);
    }

    fn select_newest(&mut self, data: &Data) {
        let Some(k) = self.newest else {
            return;
        };
        let src = &self.table.source;
        if let Some(pos) = self.table.state.position(&k, |i| src.key(data, i)) {
            self.table.select(data, pos);
        }
    }

    /// New records (or the same ones again): the selection stays on its record, or
    /// on the newest while following from it.
    pub fn rebuild(&mut self, data: &Data) {
        let sel = self.table.state.selected_key;
        let stick = self.follow && (sel.is_none() || sel == self.newest);
        self.table.rebuild(data);
        let src = &self.table.source;
        self.newest = data.audit.len().checked_sub(1).map(|i| src.key(data, i));
        if stick {
            self.select_newest(data);
        }
    }

    /// The table above one line of what was read (or why the log cannot be read).
    fn split(body: Rect) -> (Rect, Rect) {
        let h = body.height.saturating_sub(1);
        (
            Rect::new(body.x, body.y, body.width, h),
            Rect::new(body.x, body.y + h, body.width, body.height.min(1)),
        )
    }
}

impl Component for AuditScreen {
    fn run(&mut self, cmd: &Command, data: &Data) -> Option<Vec<Act>> {
        Some(match cmd {
            Command::Back => vec![Act::Leave],
            Command::Follow => {
                self.follow = !self.follow;
                if !self.follow {
                    return Some(vec![Act::info("audit log paused")]);
                }
                self.select_newest(data);
                vec![
                    Act::Effect(Effect::LoadAudit),
                    Act::info("following new records"),
                ]
            }
            _ => return None,
        })
    }

    fn rebuild(&mut self, data: &Data) {
        AuditScreen::rebuild(self, data);
    }

    fn title(&self, _data: &Data) -> String {
        let state = if self.follow { "following" } else { "paused" };
        format!("Audit log · last 7 days · {state}")
    }

    fn draw(&self, buf: &mut Buffer, area: Rect, data: &Data, th: &Theme) {
        let (table, info) = Self::split(area);
        self.table.draw(buf, table, data, th);
        let shown = self.table.state.rows.len();
        if shown == 0 && data.audit_error.is_none() && table.height > 1 {
            Line::styled("no records", th.muted).render(
                Rect::new(table.x + 2, table.y + 1, table.width.saturating_sub(2), 1),
                buf,
            );
        }
        let line = match &data.audit_error {
            Some(e) => Line::styled(inert(e, 400).into_owned(), th.danger),
            None if self.table.filter().is_empty() => {
                Line::styled(format!("{} records", data.audit.len()), th.muted)
            }
            None => Line::styled(
                format!(
                    "{shown} of {} records · filter: {}",
                    data.audit.len(),
                    inert(self.table.filter(), 80)
                ),
                th.muted,
            ),
        };
        line.render(info, buf);
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        HINTS
    }

    fn table(&self) -> Option<&dyn TableOps> {
        Some(&self.table)
    }

    fn table_mut(&mut self) -> Option<&mut dyn TableOps> {
        Some(&mut self.table)
    }

    fn table_area(&self, body: Rect) -> Rect {
        Self::split(body).0
    }
}
