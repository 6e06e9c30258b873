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
    ActionDone(Result<Report, Denial>),
    DetailLoaded(Box<Result<ProcDetail, String>>),
    /// New lines of the open log.
    LogLines(Vec<String>),
    /// The open log cannot be read: why.
    LogError(String),
    /// One unit's result of a bulk unit action, as it arrives.
    Progress(crate::actions::TargetOutcome),
    /// The env file editor came back.
    EnvEdited(crate::tui::envedit::Outcome, crate::actions::UnitTarget),
    /// Animation tick while an action runs.
    Tick,
    /// The terminal cannot be read any more (handled by the loop, not `update`).
    InputClosed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Dispatch(Action),
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
