//! The audit log: one JSON line per action attempt, per target outcome and per denial.
//!
//! Records go to a file per UTC day (`audit-2026-11-21.jsonl`) in /var/lib/quarterdeck
//! when qd runs as root, else in the XDG data dir. Each record is one `write(2)` under
//! an exclusive `flock`: two qd instances interleave whole lines, and a record that was
//! written survives `kill -9`. `write` then `fdatasync`s, so the record survives a crash
//! of the machine too before the caller goes on (an action's `started` record, before
//! anything is done). `write_soon` (the outcome of one target inside a job) leaves the
//! sync to the next `write` (the job's end), to `sync_stale`, or to the next
//! `write_soon` once the oldest unsynced record is `SYNC_LAG` old: the records of a
//! fan-out's hosts that finish together share one sync instead of one each (a sync
//! costs 0.1-1 ms here, and it blocks the thread that runs the fan-out). A write that
//! fails half-way (disk full) is cut back off, so no broken line is left. Day files
//! make retention a matter of deleting old files, never rewriting one another instance
//! may be appending to.

mod writer;

pub use writer::{AuditLog, SYNC_LAG};

use crate::model::format;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Record {
    /// RFC 3339, UTC.
    pub time: String,
    pub unix_ms: u64,
    pub operator: String,
    pub uid: u32,
    pub euid: u32,
    pub host: String,
    /// Shared by the records of one action (bulk actions: one per target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// `pid 1234 nginx`, `unit qd-shop-api.service`, `shop/api`, or `3 units`.
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starttime: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// An ssh action's remote end: `deploy@web1:22`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// `signal TERM`, `restart`, `run migrate`.
    pub action: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub args: String,
    /// `started`, `ok`, `failed`, `timeout`, `canceled`, `denied`.
    pub outcome: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_status: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

impl Record {
    /// The record as `qd audit` and the audit view show it: TIME, OPERATOR, SITE,
    /// TARGET, ACTION, OUTCOME (with the exit status), MESSAGE. Not yet inert.
    pub fn columns(&self) -> Vec<String> {
        let mut outcome = self.outcome.clone();
        if let Some(s) = self.exit_status {
            outcome = format!("{outcome} ({s})");
        }
        vec![
            self.time
                .replace('T', " ")
                .trim_end_matches('Z')
                .to_string(),
            self.operator.clone(),
            self.site.clone().unwrap_or_else(|| "-".into()),
            self.target.clone(),
            self.action.clone(),
            outcome,
            self.message.clone(),
        ]
    }
}

pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Where records go when the config does not say.
pub fn default_dir() -> PathBuf {
    if rustix::process::geteuid().is_root() {
        PathBuf::from("/var/lib/quarterdeck/audit")
    } else {
        directories::ProjectDirs::from("", "", "quarterdeck")
            .map(|d| d.data_dir().join("audit"))
            .unwrap_or_else(|| PathBuf::from(".quarterdeck-audit"))
    }
}

fn day_file(dir: &Path, unix_ms: u64) -> PathBuf {
    dir.join(format!("audit-{}.jsonl", format::date(unix_ms / 1000)))
}

/// What `qd audit` and the audit view read: records since `since_ms`, oldest first,
/// and how many lines could not be read.
pub fn read(dir: &Path, since_ms: u64) -> Result<(Vec<Record>, usize), String> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(format!("cannot read the audit dir {}: {e}", dir.display())),
    };
    let first = day_file(dir, since_ms);
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("audit-") && n.ends_with(".jsonl"))
                && *p >= first
        })
        .collect();
    files.sort();
    let mut records = Vec::new();
    let mut bad = 0;
    for f in files {
        let text =
            std::fs::read_to_string(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            match serde_json::from_str::<Record>(line) {
                Ok(r) if r.unix_ms >= since_ms => records.push(r),
                Ok(_) => {}
                Err(_) => bad += 1,
            }
        }
    }
    records.sort_by_key(|r| r.unix_ms);
    Ok((records, bad))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn records_round_trip_and_retention_drops_old_days() {
        let d = tempfile::tempdir().expect("tmp");
        let log = AuditLog::new(d.path().join("audit"));
        let now = now_ms();
        for (i, age_days) in [(0u64, 0u64), (1, 3), (2, 100)] {
            let t = now - age_days * 86_400_000;
            let rec = Record {
                time: format::timestamp(t),
                unix_ms: t,
                operator: format!("op{i}"),
                target: "pid 1 \u{1b}[31mx".into(),
                action: "signal TERM".into(),
                outcome: "ok".into(),
                ..Default::default()
            };
            log.write(&rec).expect("write");
        }
        let (all, bad) = read(log.dir(), 0).expect("read");
        assert_eq!(bad, 0);
        assert_eq!(
            all.iter().map(|r| r.operator.as_str()).collect::<Vec<_>>(),
            ["op2", "op1", "op0"]
        );
        assert_eq!(all[2].target, "pid 1 \u{1b}[31mx", "stored as data");
        log.prune(Duration::from_secs(90 * 86400));
        let (kept, _) = read(log.dir(), 0).expect("read");
        assert_eq!(kept.len(), 2);
        let (recent, _) = read(log.dir(), now - 86_400_000).expect("read");
        assert_eq!(recent.len(), 1);
    }
}
