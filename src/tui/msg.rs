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
    /// The reveal of a process's environment came back (pid, then the values, why
    /// they could not be read, or the denial).
    EnvironRevealed(i32, Result<Result<Vec<String>, String>, Denial>),
    /// New lines of the open log.
    LogLines(Vec<String>),
    /// The open log cannot be read: why.
    LogError(String),
    /// One target's outcome of a job, as it arrives.
    Progress(usize, crate::actions::TargetOutcome),
    /// A line of a command job's output: job, target, line.
    JobOutput(usize, String, String),
    /// The audit log as read for the audit view.
    AuditLoaded(Result<Vec<crate::audit::Record>, String>),
    /// The env file editor came back.
    EnvEdited(crate::tui::envedit::Outcome, crate::actions::CommandTarget),
    /// Animation tick while an action runs.
    Tick,
    /// A connection asks the operator (id for the answer).
    Prompt(usize, crate::ssh::prompt::Question),
    /// The pool's state of each host of the fleet, in fleet order.
    HostStatus(Vec<Option<crate::ssh::pool::HostStatus>>),
    /// A pane's screen changed.
    PaneOutput,
    /// A pane was refused (policy or audit), or its session ended: id, why.
    PaneDenied(usize, String),
    /// A pane's session ended, with its close outcome (recorded by the dispatcher).
    PaneEnded(usize, Option<crate::actions::TargetOutcome>),
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
    /// `values`: the environment unmasked (the operator's own process).
    LoadDetail {
        pid: i32,
        starttime: u64,
        values: bool,
    },
    /// `v` in the detail: the process's environment through the recorded reveal.
    RevealEnviron(crate::actions::ProcTarget),
    Collector(Control),
    /// Start the unit watcher if needed, then send it this.
    Units(crate::sources::unitwatch::WatchCtl),
    /// Follow these units' logs (tag, unit) into the log popup.
    OpenLog(Vec<(String, String)>),
    CloseLog,
    /// Reveal this service's env file, suspend, edit a copy as the operator, resume.
    EditEnv(crate::actions::CommandTarget),
    SetReadonly,
    /// Refresh the hosts' connection states.
    HostsTick,
    OpenPane {
        id: usize,
        host: crate::ssh::Host,
        shared: SharedPane,
    },
    PaneInput {
        id: usize,
        bytes: Vec<u8>,
    },
    PaneResize {
        id: usize,
        rows: u16,
        cols: u16,
    },
    ClosePane {
        id: usize,
    },
    /// Put text on the terminal's clipboard (OSC 52).
    Copy(String),
    /// The operator's answer to prompt `id`.
    Answer(usize, Option<String>),
    Suspend,
    ClearScreen,
    Quit,
}

/// A pane's emulator and state, shared with its session; equal when the same pane.
#[derive(Clone)]
pub struct SharedPane(pub Arc<crate::ssh::pane::PaneShared>);

impl std::fmt::Debug for SharedPane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedPane")
    }
}

impl PartialEq for SharedPane {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// What a screen's or a popup's handler asks of the App. Handlers never call the
/// dispatcher or each other: they return these, and `run::apply` does them in order.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // short-lived: built by a handler, applied at once
pub enum Act {
    Effect(Effect),
    /// Open this popup over the screen.
    Popup(crate::tui::popup::Popup),
    Status(crate::tui::popup::Level, String),
    /// Put this screen on screen.
    Show(crate::tui::screen::Screen),
    /// Back to the host table (Esc on the fleet, jobs and audit screens).
    Leave,
    /// An action: policy first, then its confirmation, then the dispatcher. Shells
    /// (`Action::Shell`) proposed in a row open together as panes (`fleet::open_shells`).
    Propose(Action),
    /// A confirmed action: straight to the dispatcher (which checks the policy again).
    Dispatch(Action),
    /// `v` in a process's detail: its environment through the recorded reveal.
    Reveal {
        pid: i32,
        starttime: u64,
    },
    /// The policy must allow this action (the one a menu's first item stands for)
    /// for the acts after it to be done: when it refuses, the denial is shown and
    /// recorded instead, so no menu opens that can only end in a denial.
    Check(Action),
    /// The processes screen with this process selected (shown first if a filter
    /// hid it); Esc comes back to the screen it came from.
    ShowProcess(crate::model::ProcKey),
    /// Run a command as if typed on the `:` line.
    Run(crate::config::Command),
}

impl Act {
    pub fn info(text: impl Into<String>) -> Self {
        Act::Status(crate::tui::popup::Level::Info, text.into())
    }
    pub fn warn(text: impl Into<String>) -> Self {
        Act::Status(crate::tui::popup::Level::Warn, text.into())
    }
    pub fn error(text: impl Into<String>) -> Self {
        Act::Status(crate::tui::popup::Level::Error, text.into())
    }
}
