//! The audit log: one JSON line per action attempt, per target outcome and per denial.
//!
//! Records go to a file per UTC day (`audit-2026-11-21.jsonl`) in /var/lib/quarterdeck
//! when qd runs as root, else in the XDG data dir. Each record is one `write(2)` under
//! an exclusive `flock`, then `fdatasync`: two qd instances interleave whole lines, and
//! a record that was written survives `kill -9` (and a crash of the machine). A write
//! that fails half-way (disk full) is cut back off, so no broken line is left. Day files
//! make retention a matter of deleting old files, never rewriting one another instance
//! may be appending to.

use crate::model::format;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// The writer; one per qd process, shared by every action.
pub struct AuditLog {
    dir: PathBuf,
    open: Mutex<Option<(PathBuf, File)>>,
}

impl AuditLog {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            open: Mutex::new(None),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Appends `rec`; `Err` says why it could not be kept (then nothing of it is).
    pub fn write(&self, rec: &Record) -> Result<(), String> {
        // Inert JSON: foreign text in a record (an export's path, a process's name) is
        // stored exactly, yet `tail -f` of the log shows no bidi or C1 control as such.
        let mut line = crate::model::text::json(rec, false)
            .map_err(|e| format!("audit record: {e}"))?
            .into_bytes();
        line.push(b'\n');
        let path = day_file(&self.dir, rec.unix_ms);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.as_ref().is_none_or(|(p, _)| *p != path) {
            *open = Some((path.clone(), self.open_file(&path)?));
        }
        let Some((_, file)) = open.as_mut() else {
            return Err("audit log not open".into());
        };
        append(file, &line).map_err(|e| {
            format!(
                "cannot write the audit record to {}: {}",
                path.display(),
                crate::sys::errno::io_sentence(&e)
            )
        })
    }

    /// Opens today's file for appending. As root the directory must be trusted
    /// (root's alone, checked as the config is), and the day file is opened in it
    /// without following a link and must be a plain file of qd's own user: anyone who
    /// could plant a link or own the file could redirect or erase records.
    fn open_file(&self, path: &Path) -> Result<File, String> {
        let mut b = std::fs::DirBuilder::new();
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o750);
        b.recursive(true)
            .create(&self.dir)
            .map_err(|e| format!("cannot create the audit dir {}: {e}", self.dir.display()))?;
        let euid = rustix::process::geteuid();
        let (dir, verdict) = crate::config::trust::open_dir(&self.dir)
            .map_err(|e| format!("cannot open the audit dir {}: {e}", self.dir.display()))?;
        if euid.is_root()
            && let Err(why) = verdict
        {
            return Err(format!(
                "the audit dir {} is not trusted ({why}): make it root's alone",
                self.dir.display()
            ));
        }
        let name = path.file_name().unwrap_or_default();
        use rustix::fs::{Mode, OFlags};
        let fd = rustix::fs::openat(
            &dir,
            name,
            OFlags::WRONLY | OFlags::APPEND | OFlags::CREATE | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o640),
        )
        .map_err(|e| {
            format!(
                "cannot open the audit log {}: {}",
                path.display(),
                crate::sys::errno::io_sentence(&std::io::Error::from(e))
            )
        })?;
        let st = rustix::fs::fstat(&fd)
            .map_err(|e| format!("cannot check the audit log {}: {e}", path.display()))?;
        let regular = rustix::fs::FileType::from_raw_mode(st.st_mode).is_file();
        if !regular || st.st_uid != euid.as_raw() || st.st_nlink != 1 || st.st_mode & 0o022 != 0 {
            return Err(format!(
                "the audit log {} is not a plain file of uid {} that only it may write: refused",
                path.display(),
                euid.as_raw()
            ));
        }
        Ok(File::from(fd))
    }

    /// Deletes day files older than `keep`. Best effort: a failure only leaves files.
    pub fn prune(&self, keep: Duration) {
        let cutoff = day_file(&self.dir, now_ms().saturating_sub(keep.as_millis() as u64));
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let is_day = p
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("audit-") && n.ends_with(".jsonl"));
            // Day files sort by name as by date.
            if is_day && p < cutoff {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
}

/// One record, all or nothing: lock, remember the size, write, sync; on failure cut
/// the file back to that size.
fn append(file: &mut File, line: &[u8]) -> std::io::Result<()> {
    use rustix::fs::{FlockOperation, flock};
    flock(&*file, FlockOperation::LockExclusive)?;
    let r = (|| {
        let before = file.metadata()?.len();
        let res = file.write_all(line).and_then(|()| file.sync_data());
        if res.is_err() {
            let _ = file.set_len(before);
        }
        res
    })();
    let _ = flock(&*file, FlockOperation::Unlock);
    r
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
