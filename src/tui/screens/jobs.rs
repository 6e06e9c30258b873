//! The jobs screen (`:jobs`): every action of the session as a row of the jobs table,
//! newest last; Enter opens one to its targets — the second table, an exec's per-host
//! results or a bulk action's per-target outcomes — above its output lines (bounded
//! by `jobs::MAX_OUTPUT`, made inert, scrolled back with the moves, following the end
//! at the bottom). `x` cancels the job (its executor polls the flag: UI state of a
//! running job, not a change on any host), `r` proposes the same action on the failed
//! targets, Esc closes the open job, then leaves.
//!
//! The moves scroll the output while a job is open; the targets table takes the
//! other table commands (filter, sort, marks, export, the mouse). A filter on the
//! targets narrows the output to the lines of the targets it shows.

mod sources;

pub use sources::{JobCol, JobTargetsSource, JobsSource, TargetCol};

use super::super::data::Data;
use super::super::jobs::Job;
use super::super::msg::Act;
use super::super::table::ops::TableOps;
use super::super::table::{Source, Table};
use super::super::theme::Theme;
use super::Component;
use crate::config::Command;
use crate::model::format::duration_short;
use crate::model::text::inert;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;
use std::cell::Cell;
use std::collections::HashSet;

pub struct JobsScreen {
    list: Table<JobsSource>,
    /// The job opened to its targets and output (its id).
    open: Option<usize>,
    targets: Table<JobTargetsSource>,
    /// Output lines scrolled back from the end; 0 follows the end.
    scroll: usize,
    /// Output lines the last frame showed: the page of the output's scrolling.
    out_rows: Cell<usize>,
}

impl Default for JobsScreen {
    fn default() -> Self {
        Self {
            list: Table::new(JobsSource, None),
            open: None,
            targets: Table::new(JobTargetsSource::default(), None),
            scroll: 0,
            out_rows: Cell::new(1),
        }
    }
}

/// Footer hints: the list's, and an open job's.
const LIST_HINTS: &[(&str, &str)] = &[
    ("open-job", "open"),
    ("cancel", "cancel"),
    ("retry", "retry failed"),
    ("filter", "filter"),
    ("back", "close"),
];
const OPEN_HINTS: &[(&str, &str)] = &[
    ("up", "scroll"),
    ("bottom", "follow"),
    ("cancel", "cancel"),
    ("retry", "retry failed"),
    ("filter", "filter targets"),
    ("back", "back"),
];

impl JobsScreen {
    /// The job open to its targets and output.
    pub fn open_id(&self) -> Option<usize> {
        self.open
    }

    /// The jobs table (for the footer and tests).
    pub fn list(&self) -> &Table<JobsSource> {
        &self.list
    }

    /// The open job's targets table.
    pub fn targets(&self) -> &Table<JobTargetsSource> {
        &self.targets
    }

    /// Opens job `id` (Enter, or a command or exec as it is dispatched: its output
    /// is the point): selected in the list, its targets shown, following its output.
    pub fn open(&mut self, id: usize, data: &Data) {
        self.list.rebuild(data);
        let src = &self.list.source;
        if let Some(pos) = self.list.state.position(&id, |i| src.key(data, i)) {
            self.list.select(data, pos);
        }
        if self.open != Some(id) {
            self.targets = Table::new(JobTargetsSource { job: id }, None);
        }
        self.open = Some(id);
        self.targets.rebuild(data);
        self.scroll = 0;
    }

    /// `:jobs`: the list, the newest job selected.
    pub fn show(&mut self, data: &Data) {
        self.open = None;
        self.list.rebuild(data);
        if let Some(newest) = data.jobs.list.last().map(|j| j.id) {
            let src = &self.list.source;
            if let Some(pos) = self.list.state.position(&newest, |i| src.key(data, i)) {
                self.list.select(data, pos);
            }
        }
    }

    /// Recomputes both tables (a job started, a target's outcome arrived). A job no
    /// longer kept closes.
    pub fn rebuild(&mut self, data: &Data) {
        self.list.rebuild(data);
        if let Some(id) = self.open {
            if data.jobs.get(id).is_some() {
                self.targets.rebuild(data);
            } else {
                self.open = None;
            }
        }
    }

    /// The job `x` and `r` act on: the open one, else the selection.
    fn current<'a>(&self, data: &'a Data) -> Option<&'a Job> {
        match self.open {
            Some(id) => data.jobs.get(id),
            None => self.list.selected(data).map(|i| &data.jobs.list[i]),
        }
    }

    /// The output lines shown: all of them, or, while the targets are filtered, those
    /// of the targets the table shows.
    fn output<'a>(&self, job: &'a Job) -> Vec<&'a (String, String)> {
        if self.targets.filter().is_empty() {
            return job.output.iter().collect();
        }
        let shown: HashSet<&str> = self
            .targets
            .state
            .rows
            .iter()
            .filter_map(|r| job.targets.get(r.idx).map(|(l, _)| l.as_str()))
            .collect();
        job.output
            .iter()
            .filter(|(t, _)| shown.contains(t.as_str()))
            .collect()
    }

    /// The moves in an open job: they scroll its output (back from the end).
    fn scroll_output(&mut self, cmd: &Command, data: &Data) -> bool {
        let Some(job) = self.open.and_then(|id| data.jobs.get(id)) else {
            return false;
        };
        let page = self.out_rows.get().max(1);
        // Scrolled past the top shows the top: start from what is on screen.
        let max = self.output(job).len().saturating_sub(page);
        let s = self.scroll.min(max);
        self.scroll = match cmd {
            Command::Up => s + 1,
            Command::Down => s.saturating_sub(1),
            Command::PageUp => s + page,
            Command::PageDown => s.saturating_sub(page),
            Command::Top => max,
            Command::Bottom => 0,
            _ => return false,
        }
        .min(max);
        true
    }

    /// Where the open job's targets table goes in `body`: a third of it at most,
    /// fewer rows when it has fewer targets, the header and a row at least.
    fn targets_area(&self, body: Rect) -> Rect {
        let rows = self.targets.state.rows.len().max(1) as u16 + 1;
        let h = rows.min((body.height / 3).max(2)).min(body.height);
        Rect::new(body.x, body.y, body.width, h)
    }

    fn draw_open(&self, buf: &mut Buffer, body: Rect, data: &Data, th: &Theme, job: &Job) {
        let t = self.targets_area(body);
        self.targets.draw(buf, t, data, th);
        let mut y = t.y + t.height;
        let bottom = body.y + body.height;
        let line = |buf: &mut Buffer, y: &mut u16, l: Line<'static>| {
            if *y < bottom {
                l.render(Rect::new(body.x, *y, body.width, 1), buf);
                *y += 1;
            }
        };
        if let Some(d) = &job.denied {
            line(
                buf,
                &mut y,
                Line::styled(inert(d, 400).into_owned(), th.danger),
            );
        }
        let lines = self.output(job);
        let mut sep = "── output".to_string();
        if !self.targets.filter().is_empty() {
            sep.push_str(" of the targets shown");
        }
        if job.dropped > 0 {
            sep.push_str(&format!(" ({} earlier lines dropped)", job.dropped));
        }
        line(buf, &mut y, Line::styled(sep, th.muted));
        let rows = bottom.saturating_sub(y) as usize;
        self.out_rows.set(rows.max(1));
        let end = lines.len() - self.scroll.min(lines.len().saturating_sub(rows));
        let many = job.targets.len() > 1;
        for (target, text) in &lines[end.saturating_sub(rows)..end] {
            let shown = if many {
                format!("[{}] {}", inert(target, 30), inert(text, 2000))
            } else {
                inert(text, 2000).into_owned()
            };
            // Step lines of a command (`── running seed as …`) stand out.
            let style = if text.starts_with("──") {
                th.accent
            } else {
                th.text
            };
            line(buf, &mut y, Line::styled(shown, style));
        }
    }
}

impl Component for JobsScreen {
    fn run(&mut self, cmd: &Command, data: &Data) -> Option<Vec<Act>> {
        let acts = match cmd {
            Command::Back if self.open.is_some() => {
                self.open = None;
                Vec::new()
            }
            Command::Back => vec![Act::Leave],
            Command::OpenJob | Command::Detail => {
                let id = self.current(data).map(|j| j.id);
                if let (None, Some(id)) = (self.open, id) {
                    self.open(id, data);
                }
                Vec::new()
            }
            Command::Cancel => match self.current(data) {
                Some(j) if data.jobs.cancel(j.id) => vec![Act::info(format!(
                    "job {}: canceling (its commands' process groups get TERM)",
                    j.id
                ))],
                Some(j) => vec![Act::info(format!("job {} is not running", j.id))],
                None => Vec::new(),
            },
            Command::Retry => match self.current(data).map(Job::retry) {
                Some(Some(_)) if data.readonly => vec![Act::warn("readonly: actions are refused")],
                Some(Some(action)) => vec![Act::Propose(action)],
                _ => vec![Act::info("no failed targets to retry")],
            },
            c if self.scroll_output(c, data) => Vec::new(),
            _ => return None,
        };
        Some(acts)
    }

    fn rebuild(&mut self, data: &Data) {
        JobsScreen::rebuild(self, data);
    }

    fn title(&self, data: &Data) -> String {
        let Some(j) = self.open.and_then(|id| data.jobs.get(id)) else {
            let (shown, all) = (self.list.state.rows.len(), data.jobs.list.len());
            let running = data.jobs.list.iter().filter(|j| j.running()).count();
            let mut t = format!("Jobs · {all} ({running} running)");
            if !self.list.filter().is_empty() {
                t.push_str(&format!(" · {shown} shown, filter: {}", self.list.filter()));
            }
            return t;
        };
        let took = duration_short(j.took.unwrap_or_else(|| j.started.elapsed()));
        let follow = if self.scroll == 0 {
            "following"
        } else {
            "paused"
        };
        format!(
            "job {} · {} · {} · {took} · {follow}",
            j.id,
            j.action.verb(),
            j.state()
        )
    }

    fn draw(&self, buf: &mut Buffer, area: Rect, data: &Data, th: &Theme) {
        if let Some(job) = self.open.and_then(|id| data.jobs.get(id)) {
            return self.draw_open(buf, area, data, th, job);
        }
        self.list.draw(buf, area, data, th);
        if data.jobs.list.is_empty() && area.height > 1 {
            Line::styled(
                "no jobs yet: actions and commands of this session appear here",
                th.muted,
            )
            .render(
                Rect::new(area.x + 2, area.y + 1, area.width.saturating_sub(2), 1),
                buf,
            );
        }
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        if self.open.is_some() {
            OPEN_HINTS
        } else {
            LIST_HINTS
        }
    }

    fn table(&self) -> Option<&dyn TableOps> {
        Some(if self.open.is_some() {
            &self.targets
        } else {
            &self.list
        })
    }

    fn table_mut(&mut self) -> Option<&mut dyn TableOps> {
        Some(if self.open.is_some() {
            &mut self.targets
        } else {
            &mut self.list
        })
    }

    fn table_area(&self, body: Rect) -> Rect {
        if self.open.is_some() {
            self.targets_area(body)
        } else {
            body
        }
    }
}
