//! The two tables of the jobs screen: the session's jobs (`JobsSource`, one row per
//! job, keyed by its id, in the order they started), and one job's targets — an
//! exec's per-host results, a bulk action's per-unit outcomes — (`JobTargetsSource`,
//! keyed by the target's label, in action order). Both read `Data.jobs`; what a job
//! or a target says comes from its executor and the hosts, so every cell is made
//! inert by the default `Source::cell` or here.

use super::super::super::data::Data;
use super::super::super::jobs::Job;
use super::super::super::table::{Column, Source};
use super::super::super::theme::Theme;
use crate::actions::{Outcome, TargetOutcome};
use crate::model::format::duration_short;
use crate::model::text::inert;
use ratatui::style::Style;
use ratatui::text::Line;
use serde_json::json;
use std::cmp::Ordering;
use std::time::Duration;

/// The longest cell drawn; the full text goes to export.
const MAX_CELL: usize = 1024;

fn styled(text: &str, style: Style) -> Line<'static> {
    Line::styled(inert(text, MAX_CELL).into_owned(), style)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobCol {
    Id,
    Action,
    Targets,
    State,
    Time,
}

impl Column for JobCol {
    fn all() -> &'static [Self] {
        &[
            JobCol::Id,
            JobCol::Action,
            JobCol::Targets,
            JobCol::State,
            JobCol::Time,
        ]
    }
    fn title(self) -> &'static str {
        match self {
            JobCol::Id => "ID",
            JobCol::Action => "ACTION",
            JobCol::Targets => "TARGETS",
            JobCol::State => "STATE",
            JobCol::Time => "TIME",
        }
    }
    fn width(self) -> u16 {
        match self {
            JobCol::Id => 4,
            JobCol::Action => 24,
            JobCol::Targets => 14,
            JobCol::State => 14,
            JobCol::Time => 8,
        }
    }
    fn right(self) -> bool {
        self == JobCol::Id
    }
    fn priority(self) -> u8 {
        match self {
            JobCol::Targets => 1,
            _ => 0,
        }
    }
    fn descending(self) -> bool {
        self == JobCol::Time
    }
    fn name(self) -> &'static str {
        match self {
            JobCol::Id => "id",
            JobCol::Action => "action",
            JobCol::Targets => "targets",
            JobCol::State => "state",
            JobCol::Time => "time",
        }
    }
}

/// How long a job ran, or has run so far.
fn took(j: &Job) -> Duration {
    j.took.unwrap_or_else(|| j.started.elapsed())
}

/// States in the order a sort on STATE shows them: what is under way, then what went
/// wrong, then what is done.
fn state_rank(j: &Job) -> u8 {
    if j.running() {
        0
    } else if j.denied.is_some() {
        1
    } else if j.failed() > 0 {
        2
    } else {
        3
    }
}

/// The session's jobs, oldest first (newest last), as `Data.jobs` holds them.
#[derive(Debug, Default)]
pub struct JobsSource;

impl JobsSource {
    fn job(d: &Data, i: usize) -> &Job {
        &d.jobs.list[i]
    }
}

impl Source for JobsSource {
    type Ctx = Data;
    type Key = usize;
    type Col = JobCol;
    const NAME: &'static str = "jobs";

    fn len(&self, d: &Data) -> usize {
        d.jobs.list.len()
    }
    fn key(&self, d: &Data, i: usize) -> usize {
        Self::job(d, i).id
    }
    fn text(&self, d: &Data, i: usize, col: JobCol) -> String {
        let j = Self::job(d, i);
        match col {
            JobCol::Id => j.id.to_string(),
            JobCol::Action => j.action.verb(),
            JobCol::Targets => j.action.target_count(),
            JobCol::State => j.state(),
            JobCol::Time => duration_short(took(j)),
        }
    }
    fn cell(&self, d: &Data, i: usize, col: JobCol, th: &Theme) -> Line<'static> {
        let j = Self::job(d, i);
        let style = match col {
            JobCol::State if j.denied.is_some() || j.failed() > 0 => th.danger,
            JobCol::State if j.running() => th.warn,
            JobCol::State => th.ok,
            _ => th.text,
        };
        styled(&self.text(d, i, col), style)
    }
    fn cmp(&self, d: &Data, a: usize, b: usize, col: JobCol) -> Ordering {
        let (x, y) = (Self::job(d, a), Self::job(d, b));
        match col {
            JobCol::Id => x.id.cmp(&y.id),
            JobCol::Action => x.action.verb().cmp(&y.action.verb()),
            JobCol::Targets => x.targets.len().cmp(&y.targets.len()),
            JobCol::State => state_rank(x)
                .cmp(&state_rank(y))
                .then_with(|| x.state().cmp(&y.state())),
            JobCol::Time => took(x).cmp(&took(y)),
        }
    }
    /// Every column and the targets' labels by substring (`/shop/web` finds the
    /// jobs that touched it); the action and state fuzzily.
    fn filter_text(&self, d: &Data, i: usize, full: &mut String, short: &mut String) {
        let j = Self::job(d, i);
        let (verb, state) = (j.action.verb(), j.state());
        full.push_str(&format!(
            "{} {verb} {} {state}",
            j.id,
            j.action.target_count()
        ));
        for (label, _) in &j.targets {
            full.push(' ');
            full.push_str(label);
        }
        short.push_str(&verb);
        short.push(' ');
        short.push_str(&state);
    }
    fn json(&self, d: &Data, i: usize) -> serde_json::Value {
        let j = Self::job(d, i);
        json!({
            "id": j.id,
            "action": j.action.verb(),
            "targets": j.targets.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(),
            "state": j.state(),
            "running": j.running(),
            "done": j.done(),
            "failed": j.failed(),
            "denied": j.denied,
            "took_ms": j.took.map(|t| t.as_millis() as u64),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetCol {
    Target,
    Outcome,
    Message,
}

impl Column for TargetCol {
    fn all() -> &'static [Self] {
        &[TargetCol::Target, TargetCol::Outcome, TargetCol::Message]
    }
    fn title(self) -> &'static str {
        match self {
            TargetCol::Target => "TARGET",
            TargetCol::Outcome => "OUTCOME",
            TargetCol::Message => "MESSAGE",
        }
    }
    fn width(self) -> u16 {
        match self {
            TargetCol::Target => 24,
            TargetCol::Outcome => 10,
            TargetCol::Message => 0,
        }
    }
    fn name(self) -> &'static str {
        match self {
            TargetCol::Target => "target",
            TargetCol::Outcome => "outcome",
            TargetCol::Message => "message",
        }
    }
    fn aliases(self) -> &'static [&'static str] {
        match self {
            TargetCol::Target => &["host", "label"],
            _ => &[],
        }
    }
}

/// A target's outcome word, `running` until it has one.
fn outcome_word(o: Option<&TargetOutcome>) -> &'static str {
    o.map_or("running", |o| o.outcome.word())
}

/// Outcomes in the order a sort on OUTCOME shows them: running, then the failures,
/// then ok.
fn outcome_rank(o: Option<&TargetOutcome>) -> u8 {
    match o.map(|o| o.outcome) {
        None => 0,
        Some(Outcome::Failed) => 1,
        Some(Outcome::Timeout) => 2,
        Some(Outcome::Canceled) => 3,
        Some(Outcome::Denied) => 4,
        Some(Outcome::Ok) => 5,
    }
}

/// One job's targets with their outcomes as they arrive, in action order.
#[derive(Debug, Default)]
pub struct JobTargetsSource {
    /// The job's id; a job no longer kept has no targets.
    pub job: usize,
}

impl JobTargetsSource {
    fn targets<'a>(&self, d: &'a Data) -> &'a [(String, Option<TargetOutcome>)] {
        d.jobs.get(self.job).map_or(&[], |j| j.targets.as_slice())
    }
    fn target<'a>(&self, d: &'a Data, i: usize) -> (&'a str, Option<&'a TargetOutcome>) {
        let (label, o) = &self.targets(d)[i];
        (label, o.as_ref())
    }
}

impl Source for JobTargetsSource {
    type Ctx = Data;
    type Key = String;
    type Col = TargetCol;
    const NAME: &'static str = "job-targets";

    fn len(&self, d: &Data) -> usize {
        self.targets(d).len()
    }
    fn key(&self, d: &Data, i: usize) -> String {
        self.target(d, i).0.to_string()
    }
    fn text(&self, d: &Data, i: usize, col: TargetCol) -> String {
        let (label, o) = self.target(d, i);
        match col {
            TargetCol::Target => label.to_string(),
            TargetCol::Outcome => outcome_word(o).to_string(),
            TargetCol::Message => o.map(|o| o.message.clone()).unwrap_or_default(),
        }
    }
    fn cell(&self, d: &Data, i: usize, col: TargetCol, th: &Theme) -> Line<'static> {
        let (_, o) = self.target(d, i);
        if col != TargetCol::Outcome {
            return styled(&self.text(d, i, col), th.text);
        }
        let (mark, style) = match o {
            None => ("…", th.warn),
            Some(o) if o.ok() => ("✓", th.ok),
            Some(_) => ("✗", th.danger),
        };
        Line::styled(format!("{mark} {}", outcome_word(o)), style)
    }
    fn cmp(&self, d: &Data, a: usize, b: usize, col: TargetCol) -> Ordering {
        let ((la, oa), (lb, ob)) = (self.target(d, a), self.target(d, b));
        match col {
            TargetCol::Target => la.cmp(lb),
            TargetCol::Outcome => outcome_rank(oa).cmp(&outcome_rank(ob)),
            TargetCol::Message => {
                let m = |o: Option<&TargetOutcome>| o.map(|o| o.message.clone());
                m(oa).cmp(&m(ob))
            }
        }
    }
    fn filter_text(&self, d: &Data, i: usize, full: &mut String, short: &mut String) {
        let (label, o) = self.target(d, i);
        full.push_str(label);
        full.push(' ');
        full.push_str(outcome_word(o));
        if let Some(o) = o {
            full.push(' ');
            full.push_str(&o.message);
        }
        short.push_str(label);
    }
    fn json(&self, d: &Data, i: usize) -> serde_json::Value {
        let (label, o) = self.target(d, i);
        json!({
            "target": label,
            "outcome": o.map(|o| o.outcome.word()),
            "message": o.map(|o| o.message.as_str()),
            "exit_status": o.and_then(|o| o.exit_status),
            "duration_ms": o.and_then(|o| o.duration_ms),
        })
    }
}
