//! The audit log's writer: one open day file per qd process, each record appended
//! whole under `flock`, synced at once (`write`) or with the next sync (`write_soon`,
//! bounded by `SYNC_LAG`). The module doc of `audit` says why.

use super::{Record, day_file, now_ms};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a `write_soon` record may stay unsynced while more records come.
pub const SYNC_LAG: Duration = Duration::from_millis(100);

/// Today's file, and since when it holds records not yet synced.
struct Open {
    path: PathBuf,
    file: File,
    unsynced: Option<Instant>,
}

impl Open {
    fn sync(&mut self) -> std::io::Result<()> {
        if self.unsynced.is_some() {
            self.file.sync_data()?;
            self.unsynced = None;
        }
        Ok(())
    }
}

/// The writer; one per qd process, shared by every action.
pub struct AuditLog {
    dir: PathBuf,
    open: Mutex<Option<Open>>,
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

    /// Appends `rec` and syncs it (with any record written before it): when this
    /// returns `Ok`, the record survives a crash. `Err` says why it could not be kept
    /// (then nothing of it is).
    pub fn write(&self, rec: &Record) -> Result<(), String> {
        self.append_record(rec, true)
    }

    /// Appends `rec` at once (it survives `kill -9` of qd); it is synced by the next
    /// `write`, by `sync_stale`, or here once the oldest unsynced record is
    /// `SYNC_LAG` old.
    pub fn write_soon(&self, rec: &Record) -> Result<(), String> {
        self.append_record(rec, false)
    }

    /// Whether records wait for a sync (tests).
    #[cfg(test)]
    fn unsynced(&self) -> bool {
        self.open
            .lock()
            .map(|o| o.as_ref().is_some_and(|o| o.unsynced.is_some()))
            .unwrap_or(false)
    }

    /// Syncs the records of `write_soon` that are `SYNC_LAG` old or older.
    pub fn sync_stale(&self) -> Result<(), String> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        match open.as_mut() {
            Some(o) if o.unsynced.is_some_and(|t| t.elapsed() >= SYNC_LAG) => {
                o.sync().map_err(|e| sync_error(&o.path, &e))
            }
            _ => Ok(()),
        }
    }

    fn append_record(&self, rec: &Record, sync_now: bool) -> Result<(), String> {
        // Inert JSON: foreign text in a record (an export's path, a process's name) is
        // stored exactly, yet `tail -f` of the log shows no bidi or C1 control as such.
        let mut line = crate::model::text::json(rec, false)
            .map_err(|e| format!("audit record: {e}"))?
            .into_bytes();
        line.push(b'\n');
        let path = day_file(&self.dir, rec.unix_ms);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.as_ref().is_none_or(|o| o.path != path) {
            // Yesterday's file keeps no unsynced record behind.
            if let Some(old) = open.as_mut()
                && let Err(e) = old.sync()
            {
                tracing::warn!("{}", sync_error(&old.path, &e));
            }
            let file = self.open_file(&path)?;
            *open = Some(Open {
                path: path.clone(),
                file,
                unsynced: None,
            });
        }
        let Some(o) = open.as_mut() else {
            return Err("audit log not open".into());
        };
        let sync = sync_now || o.unsynced.is_some_and(|t| t.elapsed() >= SYNC_LAG);
        append(&mut o.file, &line, sync).map_err(|e| {
            format!(
                "cannot write the audit record to {}: {}",
                path.display(),
                crate::sys::errno::io_sentence(&e)
            )
        })?;
        o.unsynced = if sync {
            None
        } else {
            o.unsynced.or_else(|| Some(Instant::now()))
        };
        Ok(())
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

/// One record, all or nothing: lock, remember the size, write and (with `sync`)
/// sync the file, which makes every record before it durable too; on failure cut the
/// file back to that size.
fn append(file: &mut File, line: &[u8], sync: bool) -> std::io::Result<()> {
    use rustix::fs::{FlockOperation, flock};
    flock(&*file, FlockOperation::LockExclusive)?;
    let r = (|| {
        let before = file.metadata()?.len();
        let mut res = file.write_all(line);
        if sync {
            res = res.and_then(|()| file.sync_data());
        }
        if res.is_err() {
            let _ = file.set_len(before);
        }
        res
    })();
    let _ = flock(&*file, FlockOperation::Unlock);
    r
}

fn sync_error(path: &Path, e: &std::io::Error) -> String {
    format!(
        "cannot sync the audit log {}: {}",
        path.display(),
        crate::sys::errno::io_sentence(e)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::read;
    use crate::model::format;

    #[test]
    fn soon_records_are_written_at_once_and_share_the_next_sync() {
        let d = tempfile::tempdir().expect("tmp");
        let log = AuditLog::new(d.path().join("audit"));
        let rec = |outcome: &str| {
            let t = now_ms();
            Record {
                time: format::timestamp(t),
                unix_ms: t,
                outcome: outcome.into(),
                ..Default::default()
            }
        };
        log.write(&rec("started")).expect("write");
        assert!(!log.unsynced(), "write syncs");
        log.write_soon(&rec("ok")).expect("write");
        log.write_soon(&rec("failed")).expect("write");
        assert!(log.unsynced(), "soon records wait for a shared sync");
        let (all, _) = read(log.dir(), 0).expect("read");
        assert_eq!(all.len(), 3, "but they are in the file at once");
        log.sync_stale().expect("sync");
        assert!(log.unsynced(), "not yet SYNC_LAG old");
        std::thread::sleep(SYNC_LAG);
        log.sync_stale().expect("sync");
        assert!(!log.unsynced(), "synced once SYNC_LAG old");
        log.write_soon(&rec("ok")).expect("write");
        std::thread::sleep(SYNC_LAG);
        log.write_soon(&rec("ok")).expect("write");
        assert!(!log.unsynced(), "a soon record after the lag syncs both");
        log.write_soon(&rec("ok")).expect("write");
        log.write(&rec("finished")).expect("write");
        assert!(!log.unsynced(), "the job's end syncs what waited");
        assert_eq!(read(log.dir(), 0).expect("read").0.len(), 7);
    }
}
