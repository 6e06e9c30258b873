//! Signals and nice values, race-free.
//!
//! A target carries the (pid, starttime) it had when it was listed. At action time
//! the pid is pinned with `pidfd_open`, then its start time is read again: if it
//! differs, the pid was reused and the action is refused. Once pinned, the pidfd keeps
//! meaning that process, so the signal sent through it can never reach another one.

use super::{NiceChange, ProcTarget, Sig};
use crate::sources::procstat::read_starttime;
use crate::sys::errno::{CHANGED, describe};
use crate::sys::procfile::describe_read_error;
use rustix::fd::OwnedFd;
use rustix::process::{
    Pid, PidfdFlags, getpriority_process, pidfd_open, pidfd_send_signal, setpriority_process,
};

/// Pins the target with a pidfd and checks it is still the listed process.
pub fn pin(t: &ProcTarget) -> Result<(OwnedFd, Pid), String> {
    let pid = Pid::from_raw(t.pid).ok_or_else(|| format!("invalid pid {}", t.pid))?;
    let fd = pidfd_open(pid, PidfdFlags::empty()).map_err(|e| describe(&e))?;
    match read_starttime(t.pid) {
        Ok(s) if s == t.starttime => Ok((fd, pid)),
        Ok(_) => Err(CHANGED.into()),
        Err(e) => Err(describe_read_error(&e)),
    }
}

pub fn signal(t: &ProcTarget, sig: Sig) -> Result<String, String> {
    let (fd, _) = pin(t)?;
    pidfd_send_signal(&fd, sig.to_rustix()).map_err(|e| describe(&e))?;
    Ok(format!("sent {}", sig.name()))
}

pub const NICE_MIN: i32 = -20;
pub const NICE_MAX: i32 = 19;

pub fn renice(t: &ProcTarget, change: NiceChange) -> Result<String, String> {
    let (_fd, pid) = pin(t)?;
    let old = getpriority_process(Some(pid)).map_err(|e| describe(&e))?;
    let new = match change {
        NiceChange::Set(n) => n,
        NiceChange::By(d) => old.saturating_add(d),
    }
    .clamp(NICE_MIN, NICE_MAX);
    if new == old {
        return Ok(format!("nice stays {old}"));
    }
    setpriority_process(Some(pid), new).map_err(|e| describe(&e))?;
    // setpriority has no pidfd form: check the pinned identity held throughout.
    match read_starttime(t.pid) {
        Ok(s) if s == t.starttime => Ok(format!("nice {old} -> {new}")),
        Ok(_) => Err(CHANGED.into()),
        Err(e) => Err(describe_read_error(&e)),
    }
}

/// Reads the pinned process's environment (`KEY=VALUE` entries): the reveal's
/// outcome for the audit log, and the entries for the operator.
pub fn reveal_environ(t: &ProcTarget) -> (super::TargetOutcome, Result<Vec<String>, String>) {
    let read = pin(t).and_then(|_fd| {
        let raw = crate::sys::procfile::read_capped(&format!("/proc/{}/environ", t.pid), 1 << 20)
            .map_err(|e| describe_read_error(&e))?;
        // Read through the pinned identity: a pid reused meanwhile is refused.
        match read_starttime(t.pid) {
            Ok(s) if s == t.starttime => {}
            _ => return Err(CHANGED.to_string()),
        }
        Ok(raw
            .split(|b| *b == 0)
            .filter(|kv| !kv.is_empty())
            .map(|kv| String::from_utf8_lossy(kv).into_owned())
            .collect::<Vec<_>>())
    });
    let o = super::TargetOutcome::new(
        t.target(),
        read.as_ref()
            .map(|v| format!("revealed {} variables", v.len()))
            .map_err(Clone::clone),
    );
    (o, read)
}
