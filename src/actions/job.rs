//! A running job as executors see it: `JobCtl` (who hears of progress and output,
//! and the cancel flag), the `Sink` each target's outcome is handed to (recorded,
//! then passed on, then kept), and the `Report` the caller gets at the end.

use super::{Action, TargetOutcome, job_audit};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub action: String,
    /// The job id the audit records of this action share.
    pub job: String,
    pub outcomes: Vec<TargetOutcome>,
}

pub type ProgressFn = Arc<dyn Fn(&TargetOutcome) + Send + Sync>;
/// An output line of a target: (target label, line, from stderr).
pub type OutputFn = Arc<dyn Fn(&str, &str, bool) + Send + Sync>;

/// What a running job reports to, and how it is told to stop.
#[derive(Clone)]
pub struct JobCtl {
    /// Each target's outcome as it finishes (after its audit record is written).
    pub progress: ProgressFn,
    /// Output and step lines of a target (`shop/api`, line, stderr).
    pub output: OutputFn,
    pub cancel: Arc<AtomicBool>,
}

impl JobCtl {
    /// A job nobody watches (tests, scripts that only want the report).
    pub fn quiet() -> Self {
        Self::with_progress(Arc::new(|_| {}))
    }

    pub fn with_progress(progress: ProgressFn) -> Self {
        Self {
            progress,
            output: Arc::new(|_, _, _| {}),
            cancel: Arc::new(AtomicBool::new(false)),
        }
    }

    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

impl Report {
    pub fn all_ok(&self) -> bool {
        self.outcomes.iter().all(TargetOutcome::ok)
    }
    pub fn failed(&self) -> usize {
        self.outcomes.iter().filter(|o| !o.ok()).count()
    }
}

/// Where an executor hands each target's outcome: it is recorded in the audit log,
/// passed to the job's watcher, and kept for the report, in that order.
pub struct Sink<'a> {
    /// `None` for a step sink: outcomes of an executor's own steps (the unit stop
    /// and start around a command) are kept for it, not reported as targets.
    rec: Option<(&'a job_audit::Recorder<'a>, &'a Action)>,
    ctl: &'a JobCtl,
    done: Mutex<Vec<TargetOutcome>>,
}

impl<'a> Sink<'a> {
    pub(super) fn new(
        rec: &'a job_audit::Recorder<'a>,
        action: &'a Action,
        ctl: &'a JobCtl,
    ) -> Self {
        Self {
            rec: Some((rec, action)),
            ctl,
            done: Mutex::new(Vec::new()),
        }
    }

    pub fn emit(&self, mut o: TargetOutcome) {
        if let Some((rec, action)) = self.rec {
            rec.outcome_in_job(action, &mut o);
            (self.ctl.progress)(&o);
        }
        if let Ok(mut d) = self.done.lock() {
            d.push(o);
        }
    }

    /// A sink for an executor's inner steps: same output and cancel flag, no records.
    pub fn steps(&self) -> Sink<'a> {
        Sink {
            rec: None,
            ctl: self.ctl,
            done: Mutex::new(Vec::new()),
        }
    }

    pub fn into_outcomes(self) -> Vec<TargetOutcome> {
        self.done.into_inner().unwrap_or_default()
    }

    pub fn output(&self, target: &str, line: &str, stderr: bool) {
        (self.ctl.output)(target, line, stderr)
    }

    pub fn cancelled(&self) -> bool {
        self.ctl.cancelled()
    }

    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.ctl.cancel
    }
}
