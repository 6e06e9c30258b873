//! Every change to the system goes through one path: `Action` ->
//! `Dispatcher::dispatch_job` (policy check, `started` audit record) -> executor ->
//! one audit record per target -> `Report`.
//!
//! The TUI asks for confirmation before it dispatches and the CLI dispatches directly,
//! but both call the same dispatcher, so readonly, roles and the audit log are
//! enforced where actions are executed, never by hiding keys.

mod action;
pub mod commands;
pub mod exec;
mod job_audit;
pub mod policy;
pub mod proc_ops;
pub mod remote;
pub mod restart;
pub mod unitfile;
pub mod units;

pub use crate::model::policy::Role;
pub use crate::model::signal::Sig;
pub use action::{Action, NiceChange, ProcTarget};
pub use commands::CommandTarget;
pub use policy::{Denial, Operator, Policy};
pub use units::UnitTarget;

use crate::systemd::Bus;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

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
    audit: Option<crate::audit::AuditLog>,
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
    pub fn with_audit(mut self, log: crate::audit::AuditLog) -> Self {
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

    /// A new job id: `PID-N`, shared by the records of one action.
    fn next_job(&self) -> String {
        format!(
            "{}-{}",
            std::process::id(),
            self.jobs.fetch_add(1, Ordering::SeqCst) + 1
        )
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
        let job = self.next_job();
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
