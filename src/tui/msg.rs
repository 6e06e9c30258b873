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
    /// Animation tick while an action runs.
    Tick,
    /// The terminal cannot be read any more (handled by the loop, not `update`).
    InputClosed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Dispatch(Action),
    LoadDetail { pid: i32, starttime: u64 },
    Collector(Control),
    SetReadonly,
    Suspend,
    ClearScreen,
    Quit,
}
