//! The fallback of `exec::run` without systemd: the program in a session and process
//! group of its own, the user switch before the chdir (the directory is entered with
//! the user's rights), no_new_privs, every descriptor above stderr closed at exec, and
//! a parent-death KILL so a killed qd does not leave the leader behind. A timeout or
//! cancel sends TERM, then KILL after the grace, to the group and to every
//! descendant of the leader (setsid ones included) seen when the TERM went out.

use super::{Containment, Exit, How, Spec, drain, reader};
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::sync::atomic::AtomicBool;
use std::time::Duration;
use tokio::time::Instant;

/// Sets close-on-exec on every descriptor from 3 up, so exec closes them: qd may
/// have inherited descriptors without the flag. (Closing them here would also close
/// the pipe std uses to report a failed exec.) Async-signal-safe.
pub fn cloexec_from_3() -> std::io::Result<()> {
    // SAFETY: close_range with CLOSE_RANGE_CLOEXEC only changes descriptor flags.
    let r = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            3u32,
            u32::MAX,
            libc::CLOSE_RANGE_CLOEXEC,
        )
    };
    if r == 0 {
        return Ok(());
    }
    // Kernels before 5.11: every descriptor up to the limit, one by one.
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit fills `lim`; fcntl on a closed descriptor is a harmless EBADF.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        let top = lim.rlim_cur.min(1 << 20) as i32;
        for fd in 3..top {
            libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
        }
    }
    Ok(())
}

/// Every descendant of `root` now, with its start time (pid reuse check).
fn descendants(root: i32) -> Vec<(i32, u64)> {
    let mut parent: Vec<(i32, i32, u64)> = Vec::new();
    if let Ok(d) = std::fs::read_dir("/proc") {
        for e in d.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
                continue;
            };
            // Bytes, parsed lossily: a command name that is not UTF-8 must not hide a
            // descendant from the kill (read_to_string would fail on it).
            let Some(stat) = std::fs::read(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|b| crate::sources::procstat::parse_stat(&b))
            else {
                continue;
            };
            parent.push((pid, stat.ppid, stat.starttime));
        }
    }
    let mut out: Vec<(i32, u64)> = Vec::new();
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for (pid, pp, st) in &parent {
            if *pp == p && !out.iter().any(|(q, _)| q == pid) {
                out.push((*pid, *st));
                frontier.push(*pid);
            }
        }
    }
    out
}

fn signal_all(pgid: i32, known: &[(i32, u64)], sig: i32) {
    // SAFETY: kill(2) on the group qd created for this child; a gone group is ESRCH.
    unsafe { libc::kill(-pgid, sig) };
    for (pid, st) in known {
        // Only a process that is still the one seen (same start time).
        if crate::sources::procstat::read_starttime(*pid).ok() == Some(*st) {
            // SAFETY: kill(2) on a pid just checked to be that descendant.
            unsafe { libc::kill(*pid, sig) };
        }
    }
}

pub(super) async fn run(
    spec: &Spec<'_>,
    cancel: &AtomicBool,
    on_line: &(dyn Fn(&str) + Send + Sync),
    why_not: Option<String>,
) -> Exit {
    let exit = |how| Exit {
        how,
        containment: Containment::ProcessGroup(why_not.clone()),
    };
    let (prog, args) = (&spec.argv[0], &spec.argv[1..]);
    let Ok(dir) = CString::new(spec.dir.as_os_str().as_bytes()) else {
        return exit(How::NotStarted("the working dir has a NUL byte".into()));
    };
    let mut cmd = tokio::process::Command::new(prog);
    cmd.args(args)
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A caller that drops this future still ends the leader.
        .kill_on_drop(true);
    let ids = spec.switch_user.then(|| {
        (
            spec.account.uid,
            spec.account.gid,
            spec.account.groups.clone(),
        )
    });
    let parent = std::process::id() as i32;
    // SAFETY: the closure runs in the child between fork and exec and only makes
    // async-signal-safe system calls on data prepared before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            if let Some((uid, gid, groups)) = &ids
                && (libc::setgroups(groups.len(), groups.as_ptr()) != 0
                    || libc::setgid(*gid) != 0
                    || libc::setuid(*uid) != 0)
            {
                return Err(std::io::Error::last_os_error());
            }
            // After the switch, so the directory is entered with the user's rights.
            if libc::chdir(dir.as_ptr()) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::umask(0o022);
            if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // After the uid change, which clears it; then make sure qd is still there.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
            if libc::getppid() != parent {
                return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
            }
            cloexec_from_3()
        });
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return exit(How::NotStarted(format!("{prog}: {e}"))),
    };
    let pgid = child.id().map(|p| p as i32).unwrap_or(0);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    if let Some(o) = child.stdout.take() {
        reader(o, tx.clone());
    }
    if let Some(e) = child.stderr.take() {
        reader(e, tx.clone());
    }
    drop(tx);
    let start = Instant::now();
    let mut ended: Option<How> = None;
    let mut term_sent: Option<Instant> = None;
    let mut known: Vec<(i32, u64)> = Vec::new();
    let mut tick = Instant::now();
    let status = loop {
        tokio::select! {
            Some(line) = rx.recv() => { on_line(&line); continue; }
            st = child.wait() => break st,
            _ = tokio::time::sleep_until(tick) => {}
        }
        tick = Instant::now() + Duration::from_millis(50);
        if term_sent.is_none() {
            let why = super::stop_reason(spec, start, cancel);
            if let Some(why) = why {
                // Before the TERM: afterwards the tree falls apart (orphans go to init).
                known = descendants(pgid);
                signal_all(pgid, &known, libc::SIGTERM);
                term_sent = Some(Instant::now());
                ended = Some(why);
            }
        } else if term_sent.is_some_and(|t| t.elapsed() >= spec.grace) {
            known.extend(descendants(pgid));
            signal_all(pgid, &known, libc::SIGKILL);
        }
    };
    if term_sent.is_some() {
        // Stragglers that ignored TERM or outlived the leader.
        known.extend(descendants(pgid));
        signal_all(pgid, &known, libc::SIGKILL);
    }
    // A background process may hold the output open: read what is there, then stop.
    let bound = if term_sent.is_some() { 500 } else { 2000 };
    drain(&mut rx, on_line, Duration::from_millis(bound)).await;
    if let Some(why) = ended {
        return exit(why);
    }
    exit(match status {
        Ok(st) => match (st.code(), st.signal()) {
            (Some(c), _) => How::Code(c),
            (None, Some(s)) => How::Signal(s),
            _ => How::Code(-1),
        },
        Err(e) => How::NotStarted(format!("waiting for it failed: {e}")),
    })
}
