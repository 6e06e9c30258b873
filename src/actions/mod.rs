//! Every change to the system goes through one path: `Action` ->
//! `Dispatcher::dispatch_job` (policy check, `started` audit record) -> executor ->
//! one audit record per target -> `Report`.
//!
//! The TUI asks for confirmation before it dispatches and the CLI dispatches directly,
//! but both call the same dispatcher, so readonly, roles and the audit log are
//! enforced where actions are executed, never by hiding keys.

pub mod audit;
pub mod commands;
pub mod errno;
pub mod exec;
mod job_audit;
pub mod policy;
pub mod proc_ops;
pub mod restart;
pub mod signal;
pub mod unitfile;
pub mod units;

pub use crate::model::policy::Role;
pub use commands::CommandTarget;
pub use policy::{Denial, Operator, Policy};
pub use signal::Sig;
pub use units::UnitTarget;

use crate::sources::systemd::Bus;
use crate::sources::systemd::jobs::UnitOp;

use crate::model::Process;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

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
            .map_err(|e| crate::sources::procfile::describe_read_error(&e))?;
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
                    crate::sources::users::UserDb::new()
                        .name(m.uid())
                        .to_string()
                })
                .unwrap_or_default(),
            unit: crate::sources::procfile::read_unit(pid).map(|u| u.to_string()),
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

/// The outcome for one target: a short message either way.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct TargetOutcome {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    pub name: String,
    pub ok: bool,
    pub message: String,
    /// A command's exit status (128 + signal when killed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_status: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub action: String,
    /// The job id the audit records of this action share.
    pub job: String,
    pub outcomes: Vec<TargetOutcome>,
}

/// What a running job reports to, and how it is told to stop.
pub struct JobCtl<'a> {
    /// Each target's outcome as it arrives.
    pub progress: &'a (dyn Fn(&TargetOutcome) + Sync),
    /// Output and step lines of a target (`shop/api`, line).
    pub output: &'a (dyn Fn(&str, &str) + Sync),
    pub cancel: &'a AtomicBool,
}

impl JobCtl<'_> {
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

impl TargetOutcome {
    /// `1234 nginx` or `shop/api` / `nginx.service`.
    pub fn label(&self) -> String {
        match self.pid {
            Some(pid) => format!("{pid} {}", self.name),
            None => self.name.clone(),
        }
    }
}

impl Report {
    pub fn all_ok(&self) -> bool {
        self.outcomes.iter().all(|o| o.ok)
    }
    pub fn failed(&self) -> usize {
        self.outcomes.iter().filter(|o| !o.ok).count()
    }
}

/// The one place actions are checked, recorded and executed. Shared (behind an
/// `Arc`) by the TUI's action tasks and used directly by the CLI.
pub struct Dispatcher {
    policy: Policy,
    operator: Operator,
    readonly: AtomicBool,
    pub restart_grace: Duration,
    /// The systemd instance unit actions go to.
    pub bus: Bus,
    /// Every site of the config (not only the visible ones): targets are placed in
    /// their sites by this, and commands found in it.
    pub sites: std::sync::Arc<crate::model::site::Sites>,
    /// Targets of one command job run at most this many at once.
    pub concurrency: usize,
    audit: Option<audit::AuditLog>,
    jobs: AtomicUsize,
}

impl Dispatcher {
    pub fn new(
        policy: Policy,
        operator: Operator,
        readonly: bool,
        restart_grace: Duration,
    ) -> Self {
        Self {
            policy,
            operator,
            readonly: AtomicBool::new(readonly),
            restart_grace,
            bus: Bus::System,
            sites: Default::default(),
            concurrency: 8,
            audit: None,
            jobs: AtomicUsize::new(0),
        }
    }

    pub fn with_sites(mut self, sites: std::sync::Arc<crate::model::site::Sites>) -> Self {
        self.sites = sites;
        self
    }

    /// Unit actions go to `bus` (the user manager with `--user-bus`).
    pub fn with_bus(mut self, bus: Bus) -> Self {
        self.bus = bus;
        self
    }

    /// Records go to `log`; without one (tests of the UI) nothing is recorded.
    pub fn with_audit(mut self, log: audit::AuditLog) -> Self {
        self.audit = Some(log);
        self
    }

    pub fn with_concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    pub fn operator(&self) -> &Operator {
        &self.operator
    }

    pub fn audit_dir(&self) -> Option<&std::path::Path> {
        self.audit.as_ref().map(|a| a.dir())
    }

    pub fn is_readonly(&self) -> bool {
        self.readonly.load(Ordering::SeqCst)
    }

    /// Turns readonly on for the rest of the session. There is deliberately no way
    /// back: a console left readonly must not be made writable by a stray key.
    pub fn set_readonly(&self) {
        self.readonly.store(true, Ordering::SeqCst);
    }

    /// Checks the action against the policy without running it (for dialogs).
    pub fn check(&self, action: &Action) -> Result<(), Denial> {
        self.policy
            .check(&self.operator, self.is_readonly(), action, &self.sites)
    }

    /// Checks, then executes. Blocking: the TUI calls it on a blocking task.
    pub fn dispatch(&self, action: &Action) -> Result<Report, Denial> {
        self.dispatch_with(action, &|_| {})
    }

    /// As `dispatch`, telling `progress` of each target's outcome as it arrives
    /// (unit actions run concurrently and finish in any order).
    pub fn dispatch_with(
        &self,
        action: &Action,
        progress: &(dyn Fn(&TargetOutcome) + Sync),
    ) -> Result<Report, Denial> {
        let cancel = AtomicBool::new(false);
        self.dispatch_job(
            action,
            &JobCtl {
                progress,
                output: &|_, _| {},
                cancel: &cancel,
            },
        )
    }

    /// The full path: check (a denial is recorded), record the attempt (refused when
    /// the record cannot be written), execute, record each target's outcome.
    pub fn dispatch_job(&self, action: &Action, ctl: &JobCtl) -> Result<Report, Denial> {
        let job = format!(
            "{}-{}",
            std::process::id(),
            self.jobs.fetch_add(1, Ordering::SeqCst) + 1
        );
        let rec = job_audit::Recorder {
            log: self.audit.as_ref(),
            operator: &self.operator,
            sites: &self.sites,
            job: &job,
        };
        if let Err(d) = self.check(action) {
            rec.denied(action, &d);
            return Err(d);
        }
        rec.started(action).map_err(|why| Denial {
            reason: format!(
                "{} refused: {why}; nothing is done while actions cannot be recorded",
                action.verb()
            ),
        })?;
        tracing::info!(operator = %self.operator.name, action = %action.verb(), job = %job,
            pids = ?action.targets().iter().map(|t| t.pid).collect::<Vec<_>>(),
            units = ?action.units().iter().map(|t| &t.unit).collect::<Vec<_>>(), "dispatch");
        let started = std::time::Instant::now();
        let progress = ctl.progress;
        let mut outcomes: Vec<TargetOutcome> = match action {
            Action::Signal { targets, sig } => targets
                .iter()
                .map(|t| outcome(t, proc_ops::signal(t, *sig)))
                .inspect(progress)
                .collect(),
            Action::Renice { targets, change } => targets
                .iter()
                .map(|t| outcome(t, proc_ops::renice(t, *change)))
                .inspect(progress)
                .collect(),
            Action::Restart { targets } => targets
                .iter()
                .map(|t| outcome(t, restart::restart(t, self.restart_grace)))
                .inspect(progress)
                .collect(),
            Action::Unit { op, targets } => {
                units::run(self.bus, Some(*op), targets, &self.sites, progress)
            }
            Action::DaemonReload => units::run(self.bus, None, &[], &self.sites, progress),
            Action::Command { command, targets } => commands::run(self, command, targets, ctl),
        };
        rec.outcomes(action, &mut outcomes, started.elapsed());
        Ok(Report {
            action: action.verb(),
            job,
            outcomes,
        })
    }
}

fn outcome(t: &ProcTarget, r: Result<String, String>) -> TargetOutcome {
    let (ok, message) = match r {
        Ok(m) => (true, m),
        Err(m) => (false, m),
    };
    TargetOutcome {
        pid: Some(t.pid),
        unit: None,
        name: t.name.clone(),
        ok,
        message,
        exit_status: None,
    }
}
