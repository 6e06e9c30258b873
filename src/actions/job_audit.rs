//! The audit records of one dispatched action: the denial, or the `started` record
//! (which must be written before anything is done) and then one record per target.

use super::{Action, Denial, Operator, TargetOutcome};
use crate::audit::{AuditLog, Record, now_ms};
use crate::model::format;
use crate::model::site::Sites;
use std::time::Duration;

pub(super) struct Recorder<'a> {
    pub log: Option<&'a AuditLog>,
    pub operator: &'a Operator,
    pub sites: &'a Sites,
    pub job: &'a str,
}

fn host() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

/// What the action was asked to do beyond its verb: the command's argv, the targets.
fn args(action: &Action) -> String {
    match action {
        Action::Unit { targets, .. } => targets
            .iter()
            .map(|t| t.unit.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        Action::Command { targets, .. } => {
            targets.iter().map(|t| t.id()).collect::<Vec<_>>().join(" ")
        }
        _ => action
            .targets()
            .iter()
            .map(|t| t.pid.to_string())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A record of `action` by `operator` in `job`, stamped now; the caller adds the rest.
pub(super) fn base_record(operator: &Operator, job: &str, action: String) -> Record {
    let t = now_ms();
    Record {
        time: format::timestamp(t),
        unix_ms: t,
        operator: operator.name.clone(),
        uid: operator.uid,
        euid: rustix::process::geteuid().as_raw(),
        host: host(),
        job: Some(job.to_string()),
        action,
        ..Default::default()
    }
}

impl Recorder<'_> {
    fn base(&self, action: &Action) -> Record {
        base_record(self.operator, self.job, action.verb())
    }

    /// The single site of all targets, when they share one.
    fn site(&self, action: &Action) -> Option<String> {
        let sites: Vec<Option<String>> = action
            .target_sites(self.sites)
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        let first = sites.first().cloned().flatten()?;
        sites
            .iter()
            .all(|s| s.as_deref() == Some(&first))
            .then_some(first)
    }

    fn write(&self, rec: &Record) -> Result<(), String> {
        match self.log {
            Some(l) => l.write(rec),
            None => Ok(()),
        }
    }

    /// Best effort: a denial changes nothing, so it is not refused for want of a record.
    pub fn denied(&self, action: &Action, d: &Denial) {
        let rec = Record {
            target: action.target_count(),
            site: self.site(action),
            args: args(action),
            outcome: "denied".into(),
            message: d.reason.clone(),
            ..self.base(action)
        };
        if let Err(e) = self.write(&rec) {
            tracing::warn!("denial not recorded: {e}");
        }
    }

    pub fn started(&self, action: &Action) -> Result<(), String> {
        let rec = Record {
            target: action.target_count(),
            site: self.site(action),
            args: args(action),
            outcome: "started".into(),
            ..self.base(action)
        };
        self.write(&rec)
    }

    /// One record per target. A record that cannot be written now (the disk filled
    /// during the action) is said in the target's message: the action did happen.
    pub fn outcomes(&self, action: &Action, outcomes: &mut [TargetOutcome], took: Duration) {
        for o in outcomes.iter_mut() {
            let proc = o
                .pid
                .and_then(|pid| action.targets().iter().find(|t| t.pid == pid));
            let site = match (proc, &o.unit, action) {
                (_, _, Action::Command { .. }) => o.name.split('/').next().map(String::from),
                (Some(t), _, _) => self
                    .sites
                    .site_of(t.unit.as_deref(), &t.user)
                    .map(|s| s.to_string()),
                (None, Some(u), _) => self.sites.by_unit(u).map(|r| r.site.name.to_string()),
                _ => None,
            };
            let outcome = if o.ok {
                "ok"
            } else if o.message.starts_with("timed out") {
                "timeout"
            } else if o.message.starts_with("canceled") {
                "canceled"
            } else {
                "failed"
            };
            let rec = Record {
                target: match (o.pid, &o.unit) {
                    (Some(pid), _) => format!("pid {pid} {}", o.name),
                    (None, Some(u)) if matches!(action, Action::Command { .. }) => {
                        format!("{} ({u})", o.name)
                    }
                    (None, Some(u)) => format!("unit {u}"),
                    (None, None) => o.name.clone(),
                },
                site,
                pid: o.pid,
                starttime: proc.map(|t| t.starttime),
                unit: o.unit.clone(),
                outcome: outcome.into(),
                message: o.message.clone(),
                exit_status: o.exit_status,
                duration_ms: Some(took.as_millis() as u64),
                ..self.base(action)
            };
            if let Err(e) = self.write(&rec) {
                o.message = format!("{} (not in the audit log: {e})", o.message);
            }
        }
    }
}
