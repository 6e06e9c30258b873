//! The modal overlays drawn over a screen — confirm, typed confirm, menus (signal,
//! user, unit actions, commands), input, ask, error, help, detail, log, results — and
//! the status level. Types only: screens build popups and the popup handlers read them,
//! without either importing App.

use crate::actions::{Action, ProcTarget, Report, UnitTarget};
use crate::sources::detail::ProcDetail;
use crate::systemd::jobs::UnitOp;
use std::collections::VecDeque;

/// One entry of the command menu.
#[derive(Debug, Clone, PartialEq)]
pub struct CmdItem {
    pub name: String,
    pub display: String,
    pub dangerous: bool,
    pub requires_stop: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Filter,
    Nice,
    Command,
    /// The command of an exec on the marked or selected hosts.
    Exec,
}

#[derive(Debug, Clone)]
pub enum Popup {
    Help {
        scroll: usize,
    },
    SignalMenu {
        selected: usize,
        targets: Vec<ProcTarget>,
    },
    UserMenu {
        items: Vec<(String, usize)>,
        selected: usize,
    },
    /// Cancel is focused until the operator moves to OK.
    Confirm {
        action: Action,
        ok_focused: bool,
    },
    /// Unit actions valid for the targets' states; `kill` opens the signal choice.
    UnitMenu {
        selected: usize,
        items: Vec<UnitOp>,
        targets: Vec<UnitTarget>,
    },
    /// A unit's log (or a site's, merged and tagged), following new lines.
    Log {
        title: String,
        lines: VecDeque<String>,
        /// Lines from the bottom; 0 follows the end.
        scroll: usize,
        /// Only lines containing this (typed after `/`).
        search: String,
        searching: bool,
        /// Why no log could be read, once known.
        error: Option<String>,
    },
    Input {
        kind: InputKind,
        text: String,
        previous: String,
        error: Option<String>,
    },
    Results {
        report: Report,
        scroll: usize,
    },
    /// The custom commands the marked or selected services have in common.
    CommandMenu {
        selected: usize,
        items: Vec<CmdItem>,
        targets: Vec<crate::actions::CommandTarget>,
    },
    /// A dangerous action: runs only once `want` is typed exactly.
    TypedConfirm {
        action: Action,
        want: String,
        typed: String,
    },
    Error {
        title: String,
        message: String,
    },
    /// A connection asks: accept a host key (yes/no), or a passphrase or password.
    Ask {
        id: usize,
        question: crate::ssh::prompt::Question,
        typed: String,
    },
    Detail {
        pid: i32,
        starttime: u64,
        data: Option<Box<Result<ProcDetail, String>>>,
        scroll: usize,
        /// The environment's values after a recorded reveal (`v`).
        revealed: Option<Vec<String>>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Ok,
    Warn,
    Error,
}
