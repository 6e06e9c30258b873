//! The systemd path of `exec::run`: the program as a transient service unit, its
//! output through pipes whose write ends systemd receives over D-Bus, its end read
//! from the unit (ExecMainCode/ExecMainStatus/Result) while qd still holds it.

use super::{Containment, Exit, How, Spec, drain, reader, resolve};
use crate::systemd::transient::{StartError, TransientSpec};
use crate::systemd::{Bus, Systemd};
use rustix::fd::{FromRawFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// `qd-run-shop-api-migrate-4242-7-1a2b3c4d.service`: the label made a valid unit
/// name, qd's pid, a counter and random bits (a stale unit never collides).
fn unit_name(label: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let label: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    let mut r = [0u8; 4];
    // SAFETY: getrandom writes at most r.len() bytes into r.
    unsafe { libc::getrandom(r.as_mut_ptr().cast(), r.len(), 0) };
    format!(
        "qd-run-{label}-{}-{}-{:08x}.service",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        u32::from_le_bytes(r)
    )
}

/// A pipe: (read end, write end), both close-on-exec in qd.
fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two fresh descriptors into `fds`, which are then owned.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created and are owned by nothing else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Runs `spec` in a transient unit. `Err(why)`: systemd could not be used, run it
/// another way; anything after the unit exists is an `Exit`.
pub(super) async fn run(
    spec: &Spec<'_>,
    bus: Bus,
    cancel: &AtomicBool,
    on_line: &(dyn Fn(&str) + Send + Sync),
) -> Result<Exit, String> {
    // Not reachable is the common case without systemd: said briefly.
    let sd = Systemd::connect(bus).await.map_err(|_| match bus {
        Bus::System => "systemd is not reachable on the system bus".to_string(),
        Bus::User => "systemd is not reachable on the user bus".to_string(),
    })?;
    let name = unit_name(spec.label);
    let exit = |how| Exit {
        how,
        containment: Containment::Unit(name.clone()),
    };
    let Some(prog) = resolve(&spec.argv[0], &spec.env) else {
        return Ok(exit(How::NotStarted(format!(
            "{}: not found in the command's PATH",
            spec.argv[0]
        ))));
    };
    let (out_r, out_w) = pipe().map_err(|e| format!("pipe: {e}"))?;
    let (err_r, err_w) = pipe().map_err(|e| format!("pipe: {e}"))?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    for r in [out_r, err_r] {
        let r =
            tokio::net::unix::pipe::Receiver::from_owned_fd(r).map_err(|e| format!("pipe: {e}"))?;
        reader(r, tx.clone());
    }
    drop(tx);
    let mut argv = spec.argv.to_vec();
    argv[0] = prog;
    let start = Instant::now();
    let started = sd
        .start_transient(TransientSpec {
            name: &name,
            description: format!("qd: {}", spec.label),
            argv: &argv,
            user: spec.switch_user.then_some((
                spec.account.name.as_str(),
                spec.account.gid,
                spec.account.groups.as_slice(),
            )),
            dir: spec.dir,
            env: &spec.env,
            runtime_max: spec.timeout,
            stop_timeout: spec.grace,
            // Moved into the call: qd keeps no write end, so EOF comes when the
            // unit's processes are gone.
            stdout: out_w,
            stderr: err_w,
        })
        .await;
    let path = match started {
        Ok(p) => p,
        Err(StartError::Refused(why)) => return Err(why),
        Err(StartError::Failed(why)) => {
            drain(&mut rx, on_line, Duration::from_millis(500)).await;
            return Ok(exit(How::NotStarted(why)));
        }
    };
    let mut ended_by_qd: Option<How> = None;
    let mut stop_sent: Option<Instant> = None;
    let mut next_poll = Instant::now();
    loop {
        tokio::select! {
            Some(line) = rx.recv() => {
                on_line(&line);
                continue;
            }
            _ = tokio::time::sleep_until(next_poll) => {}
        }
        next_poll = Instant::now() + Duration::from_millis(100);
        if stop_sent.is_none() {
            let why = super::stop_reason(spec, start, cancel);
            if let Some(why) = why {
                ended_by_qd = Some(why);
                stop_sent = Some(Instant::now());
                // TERM to the whole cgroup, KILL after TimeoutStopSec (the grace).
                let _ = sd.stop_transient(&name).await;
            }
        }
        match sd.active_state(&path).await.as_deref() {
            Ok("inactive" | "failed") | Err(_) => break,
            Ok(_) => {}
        }
        if stop_sent.is_some_and(|t| t.elapsed() > spec.grace + Duration::from_secs(20)) {
            break;
        }
    }
    let main = sd.main_exit(&path).await;
    let _ = sd.unref(&path).await;
    drain(&mut rx, on_line, Duration::from_secs(2)).await;
    let how = match (ended_by_qd, main) {
        (Some(why), _) => why,
        (None, Ok(m)) if m.result == "timeout" => How::TimedOut(spec.timeout),
        (None, Ok(m)) if m.code == 1 => How::Code(m.status),
        (None, Ok(m)) if m.code == 2 || m.code == 3 => How::Signal(m.status),
        (None, Ok(m)) => How::NotStarted(format!("the unit ended with result {}", m.result)),
        (None, Err(e)) => How::NotStarted(format!("its end was not recorded: {e}")),
    };
    Ok(exit(how))
}
