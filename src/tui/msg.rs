//! What flows into `update` (messages) and out of it (effects). `update` never does
//! I/O: it turns messages into state changes and effects, which the event loop runs.

use crate::actions::{Action, Denial, Report};
use crate::model::Snapshot;
use crate::sources::Control;
use crate::sources::detail::ProcDetail;
use ratatui::crossterm::event::Event;
use std::sync::Arc;

#[derive(Debug)]
pub enum Msg {
    Term(Event),
    Snapshot(Arc<Snapshot>),
    /// A job ended (its id, then the report or the denial).
    ActionDone(usize, Result<Report, Denial>),
    DetailLoaded(Box<Result<ProcDetail, String>>),
    /// New lines of the open log.
    LogLines(Vec<String>),
    /// The open log cannot be read: why.
    LogError(String),
    /// One target's outcome of a job, as it arrives.
    Progress(usize, crate::actions::TargetOutcome),
    /// A line of a command job's output: job, target, line.
    JobOutput(usize, String, String),
    /// The audit log as read for the audit view.
    AuditLoaded(Result<Vec<crate::actions::audit::Record>, String>),
    /// The env file editor came back.
    EnvEdited(crate::tui::envedit::Outcome, crate::actions::UnitTarget),
    /// Animation tick while an action runs.
    Tick,
    /// The terminal cannot be read any more (handled by the loop, not `update`).
    InputClosed(String),
}

/// The job an action runs as: its id, and the flag that cancels it.
#[derive(Debug, Clone)]
pub struct JobRef {
    pub id: usize,
    pub cancel: Arc<std::sync::atomic::AtomicBool>,
}

impl PartialEq for JobRef {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Dispatch {
        job: JobRef,
        action: Action,
    },
    /// Read the audit log for the audit view.
    LoadAudit,
    LoadDetail {
        pid: i32,
        starttime: u64,
    },
    Collector(Control),
    /// Start the unit watcher if needed, then send it this.
    Units(crate::sources::unitwatch::WatchCtl),
    /// Follow these units' logs (tag, unit) into the log popup.
    OpenLog(Vec<(String, String)>),
    CloseLog,
    /// Suspend, edit this env file, resume; then offer to restart the unit.
    EditEnv(std::path::PathBuf, crate::actions::UnitTarget),
    SetReadonly,
    Suspend,
    ClearScreen,
    Quit,
}
