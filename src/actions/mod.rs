//! Every change to the system goes through one path: an `Action` ->
//! `Dispatcher::dispatch_job`: the policy check (a denial is recorded and returned
//! before any confirmation is asked), the `started` audit record (refused when it
//! cannot be written), the executor, one audit record per target as it finishes, and
//! the job's end. Processes, units, commands, env and unit files, remote exec, shell
//! panes, host keys and table exports alike.
//!
//! The TUI asks for confirmation (as the action's `risk` says) after `check` and
//! before it dispatches; the CLI dispatches directly. Both call the same dispatcher,
//! so readonly, roles and the audit log are enforced where actions are executed,
//! never by hiding keys. The dispatcher is async; blocking executors (signals through
//! pidfds, process restarts) run on the blocking pool inside it.

mod action;
pub mod commands;
pub mod export;
pub mod files;
mod job;
mod job_audit;
pub mod policy;
pub mod proc_ops;
pub mod remote;
pub mod restart;
pub mod target;
pub mod unitfile;
pub mod units;

pub use crate::model::policy::Role;
pub use crate::model::signal::Sig;
pub use action::{Action, HostKey, NiceChange, ProcTarget};
pub use commands::CommandTarget;
pub use job::{JobCtl, OutputFn, ProgressFn, Report, Sink};
pub use policy::{Denial, Operator, Policy};
pub use target::{Outcome, Risk, Target, TargetKind, TargetOutcome};
pub use units::UnitTarget;

use crate::systemd::Bus;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

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
    pub sites: Arc<crate::model::site::Sites>,
    /// `[systemd]`: where unit files are written and how they are rendered.
    pub systemd: crate::config::SystemdConfig,
    /// Targets of one command job run at most this many at once.
    pub concurrency: usize,
    audit: Option<crate::audit::AuditLog>,
    /// The SSH pool remote actions run on, made on first use.
    pool: OnceLock<Arc<crate::ssh::Pool>>,
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
            systemd: Default::default(),
            concurrency: 8,
            audit: None,
            pool: OnceLock::new(),
            jobs: AtomicUsize::new(0),
        }
    }

    pub fn with_sites(mut self, sites: Arc<crate::model::site::Sites>) -> Self {
        self.sites = sites;
        self
    }

    pub fn with_systemd(mut self, systemd: crate::config::SystemdConfig) -> Self {
        self.systemd = systemd;
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

    pub fn policy(&self) -> &Policy {
        &self.policy
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

    /// Checks the action against the policy without running it: dialogs call this
    /// first, so a denied action never shows a confirmation.
    pub fn check(&self, action: &Action) -> Result<(), Denial> {
        self.policy
            .check(&self.operator, self.is_readonly(), action, &self.sites)
    }

    fn recorder<'a>(&'a self, job: &'a str) -> job_audit::Recorder<'a> {
        job_audit::Recorder {
            log: self.audit.as_ref(),
            operator: &self.operator,
            sites: &self.sites,
            job,
        }
    }

    /// Check (a denial is recorded) and the `started` record (refused when it cannot
    /// be written): what every action passes before anything is done.
    fn begin(&self, action: &Action, rec: &job_audit::Recorder) -> Result<(), Denial> {
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
        tracing::info!(operator = %self.operator.name, action = %action.verb(),
            job = %rec.job, targets = %action.target_count(), "dispatch");
        Ok(())
    }

    /// The full path: check, record the attempt, execute, record each target as it
    /// finishes, record the end.
    pub async fn dispatch_job(&self, action: &Action, ctl: &JobCtl) -> Result<Report, Denial> {
        let job = self.next_job();
        let rec = self.recorder(&job);
        self.begin(action, &rec)?;
        let started = std::time::Instant::now();
        let sink = Sink::new(&rec, action, ctl);
        {
            // Outcome records wait for a shared sync (the job's end); this tick bounds
            // the wait while the job runs on.
            let run = self.execute(action, &sink);
            tokio::pin!(run);
            let mut tick = tokio::time::interval(crate::audit::SYNC_LAG);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    () = &mut run => break,
                    _ = tick.tick() => rec.sync_stale(),
                }
            }
        }
        let outcomes = sink.into_outcomes();
        rec.finished(action, &outcomes, started.elapsed());
        Ok(Report {
            action: action.verb(),
            job,
            outcomes,
        })
    }

    /// The same path for an executor that is one quick synchronous step (learning a
    /// host key from inside a handshake, a reveal): check, `started`, run, record.
    pub fn dispatch_now(
        &self,
        action: &Action,
        run: impl FnOnce() -> TargetOutcome,
    ) -> Result<Report, Denial> {
        let job = self.next_job();
        let rec = self.recorder(&job);
        self.begin(action, &rec)?;
        let started = std::time::Instant::now();
        let mut o = run();
        rec.outcome_in_job(action, &mut o);
        let outcomes = vec![o];
        rec.finished(action, &outcomes, started.elapsed());
        Ok(Report {
            action: action.verb(),
            job,
            outcomes,
        })
    }

    /// A service's env file with its values, for an admin: checked and recorded as
    /// a reveal (the values themselves are never written to the log).
    pub fn reveal_env(&self, service: &CommandTarget) -> Result<Result<String, String>, Denial> {
        let mut text = None;
        self.dispatch_now(
            &Action::RevealEnv {
                service: service.clone(),
            },
            || {
                let (o, t) = files::reveal_env(self, service);
                text = Some(t);
                o
            },
        )?;
        Ok(text.unwrap_or_else(|| Err("not read".into())))
    }

    /// `dispatch_blocking` with nobody watching: for scripts and tests.
    pub fn dispatch(&self, action: &Action) -> Result<Report, Denial> {
        self.dispatch_blocking(action, &JobCtl::quiet())
    }

    /// A process's environment with its values: checked (admins, or the operator's
    /// own process) and recorded as a reveal; the values never reach the log.
    pub fn reveal_environ(
        &self,
        target: &ProcTarget,
    ) -> Result<Result<Vec<String>, String>, Denial> {
        let mut vars = None;
        self.dispatch_now(
            &Action::RevealEnviron {
                target: target.clone(),
            },
            || {
                let (o, v) = proc_ops::reveal_environ(target);
                vars = Some(v);
                o
            },
        )?;
        Ok(vars.unwrap_or_else(|| Err("not read".into())))
    }

    /// `dispatch_job` for callers without a runtime (the CLI): runs it on one.
    pub fn dispatch_blocking(&self, action: &Action, ctl: &JobCtl) -> Result<Report, Denial> {
        match tokio::runtime::Handle::try_current() {
            Ok(_) => Err(Denial {
                reason: "internal: dispatch_blocking called inside a runtime".into(),
            }),
            Err(_) => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Denial {
                    reason: format!("cannot start the runtime: {e}"),
                })?
                .block_on(self.dispatch_job(action, ctl)),
        }
    }

    async fn execute(&self, action: &Action, sink: &Sink<'_>) {
        match action {
            Action::Signal { targets, sig } => {
                for t in targets {
                    sink.emit(TargetOutcome::new(t.target(), proc_ops::signal(t, *sig)));
                }
            }
            Action::Renice { targets, change } => {
                for t in targets {
                    sink.emit(TargetOutcome::new(t.target(), proc_ops::renice(t, *change)));
                }
            }
            Action::Restart { targets } => {
                for t in targets {
                    let (t2, grace) = (t.clone(), self.restart_grace);
                    // Waiting for the old process to exit blocks: off the runtime.
                    let r = tokio::task::spawn_blocking(move || restart::restart(&t2, grace))
                        .await
                        .unwrap_or_else(|e| Err(format!("restart task failed: {e}")));
                    sink.emit(TargetOutcome::new(t.target(), r));
                }
            }
            Action::Unit { op, targets } => {
                units::run(self.bus, Some(*op), targets, &self.sites, sink).await
            }
            Action::DaemonReload => units::run(self.bus, None, &[], &self.sites, sink).await,
            Action::Command { command, targets } => {
                commands::run(self, command, targets, sink).await
            }
            Action::WriteEnv { service, content } => {
                sink.emit(files::write_env(self, service, content))
            }
            Action::RevealEnviron { target } => sink.emit(proc_ops::reveal_environ(target).0),
            // The text is for `reveal_env`'s caller; dispatched as a job it is dropped.
            Action::RevealEnv { service } => sink.emit(files::reveal_env(self, service).0),
            Action::InstallUnits { services } => files::install_units(self, services, sink).await,
            Action::RemoveSite { site } => files::remove_site(self, site, sink).await,
            Action::Exec {
                hosts,
                command,
                parallel,
                timeout,
            } => remote::exec(self, hosts, command, *parallel, *timeout, sink).await,
            Action::Shell { host } => sink.emit(remote::shell_opened(host)),
            Action::LearnHostKey(k) => sink.emit(remote::learn(k)),
            Action::Export {
                table,
                format,
                path,
                content,
                rows,
            } => sink.emit(export::write(table, *format, path, content, *rows)),
        }
    }
}
