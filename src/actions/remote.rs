//! SSH actions through the dispatcher: a command on many hosts (`exec`) and a shell
//! pane's life (`shell`). The same order as local actions — policy check (a denial is
//! recorded), a `started` record that must be written before anything is done, then
//! one record per host with exit status and duration (panes: when they closed and
//! why) — so `qd exec`, `x` / `:exec` and the panes cannot skip the policy or the log.

use super::{Denial, Dispatcher};
use crate::audit::{Record, now_ms};
use crate::model::format;
use crate::ssh::exec::{self, ExecOutcome, FanOut};
use crate::ssh::{Host, Pool};
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemoteReport {
    pub action: String,
    pub job: String,
    pub outcomes: Vec<ExecOutcome>,
}

impl RemoteReport {
    pub fn all_ok(&self) -> bool {
        self.outcomes.iter().all(ExecOutcome::ok)
    }
}

/// A pane's audit trail: opened (recorded), then closed with `Dispatcher::pane_closed`.
#[derive(Debug, Clone)]
pub struct PaneTicket {
    pub job: String,
    pub opened_ms: u64,
}

impl Dispatcher {
    fn remote_record(&self, job: &str, action: &str, host: Option<&Host>) -> Record {
        Record {
            target: host.map(|h| format!("ssh {}", h.name)).unwrap_or_default(),
            remote: host.map(Host::conn_key),
            ..super::job_audit::base_record(&self.operator, job, action.to_string())
        }
    }

    fn write(&self, rec: &Record) -> Result<(), String> {
        match &self.audit {
            Some(l) => l.write(rec),
            None => Ok(()),
        }
    }

    /// Policy check and `started` record for `verb` on `hosts`; the job id on success.
    fn begin_remote(&self, verb: &str, args: &str, hosts: &[Host]) -> Result<String, Denial> {
        let job = self.next_job();
        let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
        let base = |outcome: &str| {
            let mut r = self.remote_record(&job, verb, (hosts.len() == 1).then(|| &hosts[0]));
            if hosts.len() != 1 {
                r.target = format!("ssh {}", names.join(" "));
            }
            r.args = args.to_string();
            r.outcome = outcome.into();
            r
        };
        if let Err(d) = self
            .policy
            .check_remote(&self.operator, self.is_readonly(), verb, hosts)
        {
            let mut r = base("denied");
            r.message = d.reason.clone();
            if let Err(e) = self.write(&r) {
                tracing::warn!("denial not recorded: {e}");
            }
            return Err(d);
        }
        self.write(&base("started")).map_err(|why| Denial {
            reason: format!(
                "{verb} refused: {why}; nothing is done while actions cannot be recorded"
            ),
        })?;
        Ok(job)
    }

    /// Checks an ssh action without doing it (for dialogs and `x`).
    pub fn check_remote(&self, verb: &str, hosts: &[Host]) -> Result<(), Denial> {
        self.policy
            .check_remote(&self.operator, self.is_readonly(), verb, hosts)
    }

    /// `command` on every host through the pool, as `how` says.
    pub async fn exec_remote(
        &self,
        pool: &Arc<Pool>,
        hosts: &[Host],
        command: &str,
        how: &FanOut,
    ) -> Result<RemoteReport, Denial> {
        let verb = format!("exec {}", crate::model::text::inert(command, 200));
        let job = self.begin_remote(&verb, command, hosts)?;
        let outcomes = exec::fan_out(pool, hosts, command, how).await;
        for (o, h) in outcomes.iter().zip(hosts) {
            let mut r = self.remote_record(&job, &verb, Some(h));
            r.args = command.to_string();
            r.outcome = match (&o.error, o.exit_status) {
                (None, Some(0)) => "ok",
                (Some(e), _) if e.starts_with("timed out") => "timeout",
                _ => "failed",
            }
            .into();
            r.exit_status = o.exit_status.map(|s| s as i32);
            r.message = o.summary();
            r.duration_ms = Some(o.duration_ms);
            if let Err(e) = self.write(&r) {
                tracing::warn!("exec outcome on {} not recorded: {e}", h.name);
            }
        }
        Ok(RemoteReport {
            action: verb,
            job,
            outcomes,
        })
    }

    /// A shell pane on `host` is about to open: checked and recorded.
    pub fn pane_opened(&self, host: &Host) -> Result<PaneTicket, Denial> {
        let job = self.begin_remote("shell", "", std::slice::from_ref(host))?;
        Ok(PaneTicket {
            job,
            opened_ms: now_ms(),
        })
    }

    /// The pane closed (`why`: exited 0, closed by the operator, connection lost).
    pub fn pane_closed(&self, ticket: &PaneTicket, host: &Host, ok: bool, why: &str) {
        let mut r = self.remote_record(&ticket.job, "shell", Some(host));
        r.outcome = if ok { "ok" } else { "failed" }.into();
        r.message = format!("opened {}, {why}", format::timestamp(ticket.opened_ms));
        r.duration_ms = Some(now_ms().saturating_sub(ticket.opened_ms));
        if let Err(e) = self.write(&r) {
            tracing::warn!("pane close on {} not recorded: {e}", host.name);
        }
    }
}
