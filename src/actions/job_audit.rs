//! The audit records of one dispatched action: the denial, or the `started` record
//! (which must be written before anything is done), then one record per target as
//! that target finishes (so a `kill -9` mid-job loses no finished target's record),
//! then the job's end.

use super::target::{TargetKind, TargetOutcome};
use super::{Action, Denial, Operator};
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
        Action::Exec { command, .. } => command.clone(),
        Action::LearnHostKey(k) => {
            format!("{} {} -> {}", k.key_type, k.fingerprint, k.file.display())
        }
        Action::RemoveSite { site } => site.clone(),
        // What was exported and where; the content (the table itself) never.
        Action::Export {
            table,
            format,
            path,
            rows,
            ..
        } => format!(
            "table={table} format={} rows={rows} path={}",
            format.name(),
            path.display()
        ),
        Action::Shell { .. } | Action::DaemonReload => String::new(),
        _ if !action.services().is_empty() => action
            .services()
            .iter()
            .map(|t| t.id())
            .collect::<Vec<_>>()
            .join(" "),
        _ => action
            .proc_targets()
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

    /// A job's targets in words: the one target as its records name it (`ssh web1`,
    /// `pid 12 nginx`), else how many (`3 processes`).
    fn target_words(&self, action: &Action) -> String {
        match action.targets(self.sites).as_slice() {
            [one] => one.audit_label(),
            _ => action.target_count(),
        }
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
            target: self.target_words(action),
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
            target: self.target_words(action),
            site: self.site(action),
            args: args(action),
            outcome: "started".into(),
            ..self.base(action)
        };
        self.write(&rec)
    }

    /// The record of one target's outcome, written and synced as it finishes (a
    /// pane's close: no job's end follows to sync it). A record that cannot be
    /// written now (the disk filled during the action) is said in the target's
    /// message: the action did happen.
    pub fn outcome(&self, action: &Action, o: &mut TargetOutcome) {
        self.outcome_record(action, o, true)
    }

    /// `outcome` for a target inside a job: written as it finishes (a `kill -9`
    /// loses none), synced with the job's next records or its end, at most
    /// `audit::SYNC_LAG` later while the dispatcher's tick runs.
    pub fn outcome_in_job(&self, action: &Action, o: &mut TargetOutcome) {
        self.outcome_record(action, o, false)
    }

    /// Syncs the job's outcome records that waited `audit::SYNC_LAG`.
    pub fn sync_stale(&self) {
        if let Some(Err(e)) = self.log.map(AuditLog::sync_stale) {
            tracing::warn!("job {}: {e}", self.job);
        }
    }

    fn outcome_record(&self, action: &Action, o: &mut TargetOutcome, sync: bool) {
        let proc = o
            .target
            .pid()
            .and_then(|pid| action.proc_targets().iter().find(|t| t.pid == pid));
        let site = match &o.target.kind {
            TargetKind::Service { site, .. } => Some(site.clone()),
            TargetKind::Process { .. } => proc.and_then(|t| {
                self.sites
                    .site_of(t.unit.as_deref(), &t.user)
                    .map(|s| s.to_string())
            }),
            TargetKind::Unit { unit, .. } => {
                self.sites.by_unit(unit).map(|r| r.site.name.to_string())
            }
            _ => self.site(action),
        };
        let remote = match &o.target.kind {
            TargetKind::Host { remote, .. } => Some(remote.clone()),
            _ => match action {
                Action::LearnHostKey(k) => Some(k.host.conn_key()),
                _ => None,
            },
        };
        let rec = Record {
            target: o.target.audit_label(),
            site,
            pid: o.target.pid(),
            starttime: proc.map(|t| t.starttime),
            unit: o.target.unit().map(String::from),
            remote,
            args: args(action),
            outcome: o.outcome.word().into(),
            message: o.message.clone(),
            exit_status: o.exit_status,
            duration_ms: o.duration_ms,
            ..self.base(action)
        };
        let written = match self.log {
            Some(l) if sync => l.write(&rec),
            Some(l) => l.write_soon(&rec),
            None => Ok(()),
        };
        if let Err(e) = written {
            o.message = format!("{} (not in the audit log: {e})", o.message);
        }
    }

    /// The job's end: how many targets, how many failed, how long it took.
    pub fn finished(&self, action: &Action, outcomes: &[TargetOutcome], took: Duration) {
        let failed = outcomes.iter().filter(|o| !o.ok()).count();
        let rec = Record {
            target: self.target_words(action),
            site: self.site(action),
            outcome: "finished".into(),
            message: format!("{} targets, {failed} not ok", outcomes.len()),
            duration_ms: Some(took.as_millis() as u64),
            ..self.base(action)
        };
        if let Err(e) = self.write(&rec) {
            tracing::warn!("end of job {} not recorded: {e}", self.job);
        }
    }
}
