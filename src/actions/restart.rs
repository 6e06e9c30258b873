//! Restarting a plain process: capture how it was started, stop it (TERM, then KILL
//! after the grace period), and start the same argv again with the same executable,
//! working directory, environment and uid/gid/groups, detached in its own session.
//!
//! Processes of a systemd service are refused: the unit would restart them itself or
//! fight the copy; they are restarted through their unit. So is a process in another
//! mount or pid namespace (a container's): relaunched here it would run in qd's
//! namespaces, as root on the host when it was root in the container. The relaunch
//! drops every dynamic-loader variable (`LD_*`: an LD_PRELOAD the process was given
//! must not become code run by root), enters the working directory after the user
//! switch (with the owner's rights), and closes every descriptor above stderr.

use super::ProcTarget;
use super::proc_ops::pin;
use crate::sources::procstat::read_starttime;
use crate::sys::errno::{CHANGED, describe};
use crate::sys::procfile::read_capped;
use rustix::fd::OwnedFd;
use rustix::process::{Signal, pidfd_send_signal};
use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What is needed to start the process again, read before it is stopped.
struct LaunchSpec {
    exe: OsString,
    argv: Vec<OsString>,
    cwd: OsString,
    env: Vec<(OsString, OsString)>,
    uid: u32,
    gid: u32,
    groups: Vec<u32>,
}

/// Refuses a process whose mount, pid or user namespace, or whose root directory (a
/// chroot), is not qd's own: its argv and executable name files of another world.
fn same_namespaces(pid: i32) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    // The root as the process sees it, compared by device and inode.
    let root = |p: &str| {
        std::fs::metadata(format!("/proc/{p}/root"))
            .map(|m| (m.dev(), m.ino()))
            .map_err(|e| read_err("root directory", e))
    };
    if root("self")? != root(&pid.to_string())? {
        return Err("in another root directory (a chroot): restart it there".into());
    }
    for ns in ["mnt", "pid", "user"] {
        let mine = std::fs::read_link(format!("/proc/self/ns/{ns}"))
            .map_err(|e| read_err("namespaces", e))?;
        let theirs = std::fs::read_link(format!("/proc/{pid}/ns/{ns}"))
            .map_err(|e| read_err("namespaces", e))?;
        if mine != theirs {
            return Err("in another namespace (a container): restart it there".into());
        }
    }
    Ok(())
}

/// The dynamic loader's variables (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT...).
fn is_loader_var(name: &[u8]) -> bool {
    name.starts_with(b"LD_")
}

fn read_err(what: &str, e: std::io::Error) -> String {
    match e.raw_os_error() {
        Some(libc::EACCES) | Some(libc::EPERM) => {
            format!("permission denied reading its {what}: run as root or as the process owner")
        }
        Some(libc::ENOENT) | Some(libc::ESRCH) => "already gone".into(),
        _ => format!("cannot read its {what}: {e}"),
    }
}

fn capture(pid: i32) -> Result<LaunchSpec, String> {
    let cmdline =
        read_capped(&format!("/proc/{pid}/cmdline"), 4 << 20).map_err(|e| read_err("argv", e))?;
    let trimmed = cmdline.strip_suffix(&[0]).unwrap_or(&cmdline);
    if trimmed.is_empty() {
        return Err(
            "it has no argv (a kernel thread, a zombie, or a process still inside exec): \
             nothing to relaunch"
                .into(),
        );
    }
    let argv: Vec<OsString> = trimmed
        .split(|b| *b == 0)
        .map(|a| OsString::from_vec(a.to_vec()))
        .collect();
    let exe =
        std::fs::read_link(format!("/proc/{pid}/exe")).map_err(|e| read_err("executable", e))?;
    // An upgraded binary shows as "path (deleted)": the new file at that path is meant.
    let exe_bytes = exe.as_os_str().as_bytes();
    let exe = OsString::from_vec(
        exe_bytes
            .strip_suffix(b" (deleted)")
            .unwrap_or(exe_bytes)
            .to_vec(),
    );
    let cwd = std::fs::read_link(format!("/proc/{pid}/cwd"))
        .map_err(|e| read_err("working directory", e))?;
    let environ = read_capped(&format!("/proc/{pid}/environ"), 4 << 20)
        .map_err(|e| read_err("environment", e))?;
    let env = environ
        .split(|b| *b == 0)
        .filter(|kv| !kv.is_empty())
        .filter_map(|kv| {
            let eq = kv.iter().position(|b| *b == b'=')?;
            if is_loader_var(&kv[..eq]) {
                return None;
            }
            Some((
                OsString::from_vec(kv[..eq].to_vec()),
                OsString::from_vec(kv[eq + 1..].to_vec()),
            ))
        })
        .collect();
    let status = crate::sys::procfile::read_status(pid).map_err(|e| read_err("status", e))?;
    Ok(LaunchSpec {
        exe,
        argv,
        cwd: cwd.into_os_string(),
        env,
        uid: status.ruid,
        gid: status.rgid,
        groups: status.groups,
    })
}

/// Waits until the pinned process has exited (its pidfd becomes readable).
fn wait_exit(fd: &OwnedFd, timeout: Duration) -> bool {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut fds = [PollFd::new(fd, PollFlags::IN)];
        let ts = Timespec {
            tv_sec: left.as_secs() as _,
            tv_nsec: left.subsec_nanos() as _,
        };
        match poll(&mut fds, Some(&ts)) {
            Ok(n) if n > 0 => return true,
            Ok(_) => return false,
            Err(rustix::io::Errno::INTR) => continue,
            Err(_) => return false,
        }
    }
}

fn launch(spec: &LaunchSpec) -> Result<u32, String> {
    let cwd = std::ffi::CString::new(spec.cwd.as_bytes())
        .map_err(|_| "stopped, but its working directory has a NUL byte".to_string())?;
    let mut cmd = Command::new(&spec.exe);
    cmd.arg0(&spec.argv[0])
        .args(&spec.argv[1..])
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let as_root = rustix::process::geteuid().is_root();
    let (uid, gid, groups) = (spec.uid, spec.gid, spec.groups.clone());
    // SAFETY: between fork and exec only async-signal-safe calls are made (setsid,
    // setgroups, setgid, setuid, chdir, close_range are plain syscalls) on data
    // prepared before the fork, and nothing is allocated.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            if as_root {
                // Groups first, then gid, then uid: once uid drops, the rest is forbidden.
                if libc::setgroups(groups.len(), groups.as_ptr()) != 0
                    || libc::setgid(gid) != 0
                    || libc::setuid(uid) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
            }
            // After the switch: the directory is entered with the owner's rights.
            if libc::chdir(cwd.as_ptr()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            crate::exec::cloexec_from_3()
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("stopped, but relaunch failed: {e}"))?;
    let pid = child.id();
    // Reap it when it exits so it never lingers as our zombie.
    let _ = std::thread::Builder::new()
        .name("qd-reaper".into())
        .spawn(move || child.wait());
    Ok(pid)
}

pub fn restart(t: &ProcTarget, grace: Duration) -> Result<String, String> {
    if let Some(unit) = t.unit.as_deref().filter(|u| u.ends_with(".service")) {
        return Err(format!(
            "belongs to systemd unit {unit}: restart the unit instead (systemctl restart {unit})"
        ));
    }
    let (fd, _) = pin(t)?;
    same_namespaces(t.pid)?;
    let spec = capture(t.pid)?;
    let me = rustix::process::geteuid();
    if !me.is_root() && me.as_raw() != spec.uid {
        return Err("permission denied: run as root or as the process owner".into());
    }
    // Everything was read from the pinned process; make sure it still is that one.
    if read_starttime(t.pid).ok() != Some(t.starttime) {
        return Err(CHANGED.into());
    }
    pidfd_send_signal(&fd, Signal::TERM).map_err(|e| describe(&e))?;
    let mut note = String::new();
    if !wait_exit(&fd, grace) {
        pidfd_send_signal(&fd, Signal::KILL).map_err(|e| describe(&e))?;
        if !wait_exit(&fd, Duration::from_secs(5)) {
            return Err(
                "did not exit even after KILL (uninterruptible sleep?): not relaunched".into(),
            );
        }
        note = format!(" (KILLed after {}s grace)", grace.as_secs_f32());
    }
    let new_pid = launch(&spec)?;
    Ok(format!("restarted as pid {new_pid}{note}"))
}
