//! What an action is: its targets (processes by identity, units, services) and
//! what it does, in words for dialogs, reports and audit records, and the site each
//! target belongs to for the policy check.

use super::commands::{self, CommandTarget};
use super::units::UnitTarget;
use crate::model::Process;
use crate::model::signal::Sig;
use crate::systemd::jobs::UnitOp;
use serde::Serialize;

/// A process as an action target: its identity (pid + starttime) as it was listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcTarget {
    pub pid: i32,
    pub starttime: u64,
    pub name: String,
    pub user: String,
    pub unit: Option<String>,
}

impl From<&Process> for ProcTarget {
    fn from(p: &Process) -> Self {
        Self {
            pid: p.pid,
            starttime: p.starttime_ticks,
            name: p.display_name().to_string(),
            user: p.user.to_string(),
            unit: p.unit.as_ref().map(|u| u.to_string()),
        }
    }
}

impl ProcTarget {
    /// The process that has `pid` now: for the CLI, where the operator names a pid
    /// and means whatever runs under it at that moment.
    pub fn lookup(pid: i32) -> Result<Self, String> {
        let starttime = crate::sources::procstat::read_starttime(pid)
            .map_err(|e| crate::sys::procfile::describe_read_error(&e))?;
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|s| s.trim_end().to_string())
            .unwrap_or_default();
        Ok(Self {
            pid,
            starttime,
            name,
            // The owner places the process in its site for the policy check.
            user: std::fs::metadata(format!("/proc/{pid}"))
                .map(|m| {
                    use std::os::unix::fs::MetadataExt;
                    crate::sys::users::UserDb::new().name(m.uid()).to_string()
                })
                .unwrap_or_default(),
            unit: crate::sys::procfile::read_unit(pid).map(|u| u.to_string()),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum NiceChange {
    Set(i32),
    By(i32),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Signal {
        targets: Vec<ProcTarget>,
        sig: Sig,
    },
    Renice {
        targets: Vec<ProcTarget>,
        change: NiceChange,
    },
    Restart {
        targets: Vec<ProcTarget>,
    },
    /// A systemd unit action on every target, as one bulk job.
    Unit {
        op: UnitOp,
        targets: Vec<UnitTarget>,
    },
    /// The manager re-reads every unit file.
    DaemonReload,
    /// A site's custom command on every target service.
    Command {
        command: String,
        targets: Vec<CommandTarget>,
    },
}

impl Action {
    /// What the action does, in words, for dialogs and reports: `signal TERM`.
    pub fn verb(&self) -> String {
        match self {
            Action::Signal { sig, .. } => format!("signal {}", sig.name()),
            Action::Renice {
                change: NiceChange::Set(n),
                ..
            } => format!("renice to {n}"),
            Action::Renice {
                change: NiceChange::By(d),
                ..
            } => format!("renice by {d:+}"),
            Action::Restart { .. } => "restart".into(),
            Action::Unit { op, .. } => op.verb(),
            Action::DaemonReload => "daemon-reload".into(),
            Action::Command { command, .. } => format!("run {command}"),
        }
    }

    /// A command marked `dangerous` on any of its targets (admins only).
    pub fn is_dangerous_in(&self, sites: &crate::model::site::Sites) -> bool {
        let Action::Command { command, targets } = self else {
            return false;
        };
        targets.iter().any(|t| {
            sites
                .resolve(&t.id())
                .ok()
                .and_then(|v| v.into_iter().next())
                .and_then(|r| commands::find(&r, command))
                .is_some_and(|c| c.dangerous)
        })
    }

    /// Each target in words with the site it belongs to (by unit, else by user).
    pub fn target_sites(&self, sites: &crate::model::site::Sites) -> Vec<(String, Option<String>)> {
        match self {
            Action::Signal { targets, .. }
            | Action::Renice { targets, .. }
            | Action::Restart { targets } => targets
                .iter()
                .map(|t| {
                    (
                        format!("pid {} ({})", t.pid, t.name),
                        sites
                            .site_of(t.unit.as_deref(), &t.user)
                            .map(|s| s.to_string()),
                    )
                })
                .collect(),
            Action::Unit { targets, .. } => targets
                .iter()
                .map(|t| {
                    (
                        t.unit.clone(),
                        sites.by_unit(&t.unit).map(|r| r.site.name.to_string()),
                    )
                })
                .collect(),
            Action::DaemonReload => vec![("the service manager".into(), None)],
            Action::Command { targets, .. } => targets
                .iter()
                .map(|t| (t.id(), Some(t.site.clone())))
                .collect(),
        }
    }

    /// The process targets (empty for unit actions).
    pub fn targets(&self) -> &[ProcTarget] {
        match self {
            Action::Signal { targets, .. }
            | Action::Renice { targets, .. }
            | Action::Restart { targets } => targets,
            Action::Unit { .. } | Action::DaemonReload | Action::Command { .. } => &[],
        }
    }

    /// The unit targets (empty for process actions).
    pub fn units(&self) -> &[UnitTarget] {
        match self {
            Action::Unit { targets, .. } => targets,
            _ => &[],
        }
    }

    /// How many things it acts on, and what they are: `3 processes`, `2 units`.
    pub fn target_count(&self) -> String {
        let (n, one, many) = match self {
            Action::Unit { targets, .. } => (targets.len(), "unit", "units"),
            Action::DaemonReload => return "the service manager".into(),
            Action::Command { targets, .. } => (targets.len(), "service", "services"),
            _ => (self.targets().len(), "process", "processes"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}
