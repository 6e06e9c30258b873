//! Runs one program the way a site's command must run: as the site's user (uid, gid
//! and the supplementary groups initgroups would give), in the service's directory,
//! with a clean environment, in a session and process group of its own with no
//! controlling terminal, stdin from /dev/null, stdout and stderr streamed line by line.
//! A timeout or a cancel ends the whole process group: TERM, then KILL after a grace.

use crate::sys::account::Account;
use std::ffi::CString;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How the program ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    TimedOut(Duration),
    Canceled,
    /// It never ran: the reason in words.
    NotStarted(String),
}

impl Exit {
    pub fn ok(&self) -> bool {
        *self == Exit::Code(0)
    }

    /// The exit status for records: the code, or 128 + signal as shells report it.
    pub fn status(&self) -> Option<i32> {
        match self {
            Exit::Code(c) => Some(*c),
            Exit::Signal(s) => Some(128 + s),
            _ => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Exit::Code(0) => "exited with status 0".into(),
            Exit::Code(c) => format!("exited with status {c}"),
            Exit::Signal(s) => format!(
                "killed by signal {}",
                crate::actions::Sig::ALL
                    .into_iter()
                    .find(|g| g.number() == *s)
                    .map(|g| g.name().to_string())
                    .unwrap_or_else(|| s.to_string())
            ),
            Exit::TimedOut(d) => format!(
                "timed out after {}: its process group was killed",
                crate::model::format::duration_short(*d)
            ),
            Exit::Canceled => "canceled: its process group was killed".into(),
            Exit::NotStarted(why) => format!("did not start: {why}"),
        }
    }
}

/// What to run and how.
pub struct Spec<'a> {
    pub argv: &'a [String],
    /// Whose uid, groups and home; `None`: as qd itself (the caller checked this is
    /// the site's user).
    pub account: &'a Account,
    pub switch_user: bool,
    pub dir: &'a Path,
    /// The whole environment: nothing of qd's own is passed on.
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    pub grace: Duration,
    /// The service manager to run the command under; `None`: no systemd.
    pub bus: Option<crate::systemd::Bus>,
}

/// The environment every command starts from.
pub fn base_env(account: &Account) -> Vec<(String, String)> {
    let path = if account.uid == 0 {
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    } else {
        "/usr/local/bin:/usr/bin:/bin"
    };
    vec![
        ("PATH".into(), path.into()),
        ("HOME".into(), account.home.clone()),
        ("USER".into(), account.name.clone()),
        ("LOGNAME".into(), account.name.clone()),
        ("LANG".into(), "C.UTF-8".into()),
    ]
}

/// The longest line passed on; longer ones are cut (a binary blob, a flood).
const MAX_LINE: usize = 8192;

fn reader(stream: impl Read + Send + 'static, tx: mpsc::Sender<String>) {
    std::thread::spawn(move || {
        let mut r = BufReader::new(stream);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match r.by_ref().take(MAX_LINE as u64).read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf);
                    if tx
                        .send(line.trim_end_matches(['\n', '\r']).to_string())
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
}

/// Runs `spec`; each output line goes to `on_line` as it comes. (lead: a shim over
/// the blocking runner until the exec branch lands.)
pub async fn run(
    spec: &Spec<'_>,
    cancel: &AtomicBool,
    on_line: &(dyn Fn(&str) + Send + Sync),
) -> Exit {
    let (argv, account, dir) = (
        spec.argv.to_vec(),
        spec.account.clone(),
        spec.dir.to_path_buf(),
    );
    let (env, timeout, grace, switch_user) =
        (spec.env.clone(), spec.timeout, spec.grace, spec.switch_user);
    let flag = std::sync::Arc::new(AtomicBool::new(cancel.load(Ordering::Relaxed)));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let f2 = flag.clone();
    let mut task = tokio::task::spawn_blocking(move || {
        let spec = Spec {
            argv: &argv,
            account: &account,
            switch_user,
            dir: &dir,
            env,
            timeout,
            grace,
            bus: None,
        };
        run_blocking(&spec, &f2, &|l| {
            let _ = tx.send(l.to_string());
        })
    });
    loop {
        tokio::select! {
            Some(l) = rx.recv() => on_line(&l),
            r = &mut task => {
                while let Ok(l) = rx.try_recv() { on_line(&l); }
                return r.unwrap_or_else(|e| Exit::NotStarted(format!("runner failed: {e}")));
            }
            _ = tokio::time::sleep(Duration::from_millis(100)) => {
                if cancel.load(Ordering::Relaxed) { flag.store(true, Ordering::Relaxed); }
            }
        }
    }
}

fn run_blocking(spec: &Spec, cancel: &AtomicBool, on_line: &dyn Fn(&str)) -> Exit {
    let Some((prog, args)) = spec.argv.split_first() else {
        return Exit::NotStarted("empty command".into());
    };
    let Ok(dir) = CString::new(spec.dir.as_os_str().as_bytes()) else {
        return Exit::NotStarted("the working dir has a NUL byte".into());
    };
    let mut cmd = Command::new(prog);
    cmd.args(args)
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let ids = spec.switch_user.then(|| {
        (
            spec.account.uid,
            spec.account.gid,
            spec.account.groups.clone(),
        )
    });
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
            Ok(())
        });
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Exit::NotStarted(format!("{prog}: {e}")),
    };
    let pgid = child.id() as i32;
    let (tx, rx) = mpsc::channel();
    if let Some(o) = child.stdout.take() {
        reader(o, tx.clone());
    }
    if let Some(e) = child.stderr.take() {
        reader(e, tx.clone());
    }
    drop(tx);
    let start = Instant::now();
    let mut ended: Option<Exit> = None;
    let mut exited_at: Option<Instant> = None;
    let mut term_sent: Option<Instant> = None;
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(line) => {
                on_line(&line);
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) if exited_at.is_some() => break,
            Err(_) => {}
        }
        if exited_at.is_none() {
            if let Ok(Some(st)) = child.try_wait() {
                exited_at = Some(Instant::now());
                ended.get_or_insert(match (st.code(), st.signal()) {
                    (Some(c), _) => Exit::Code(c),
                    (None, Some(s)) => Exit::Signal(s),
                    _ => Exit::Code(-1),
                });
            } else {
                let why = if cancel.load(Ordering::Relaxed) {
                    Some(Exit::Canceled)
                } else if start.elapsed() >= spec.timeout {
                    Some(Exit::TimedOut(spec.timeout))
                } else {
                    None
                };
                if let Some(why) = why
                    && term_sent.is_none()
                {
                    // SAFETY: kill(2) on the process group qd created for this child,
                    // which is not reaped yet, so the group id cannot be reused.
                    unsafe { libc::kill(-pgid, libc::SIGTERM) };
                    term_sent = Some(Instant::now());
                    ended = Some(why);
                }
                if term_sent.is_some_and(|t| t.elapsed() >= spec.grace) {
                    // SAFETY: as above.
                    unsafe { libc::kill(-pgid, libc::SIGKILL) };
                }
            }
        } else if term_sent.is_some() {
            // Ended by qd: whatever is left of its group goes too, now.
            // SAFETY: kill(2) on the group qd created; its members keep the id alive.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
            if exited_at.is_some_and(|t| t.elapsed() > Duration::from_millis(500)) {
                break;
            }
        } else if exited_at.is_some_and(|t| t.elapsed() > Duration::from_secs(2)) {
            // A background process still holds the output open: stop reading it.
            break;
        }
    }
    if term_sent.is_some() {
        // Stragglers that ignored TERM or outlived the leader.
        // SAFETY: the group still exists only while its members live; kill(2) on a
        // gone group is a harmless ESRCH.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
    }
    let _ = child.wait();
    ended.unwrap_or(Exit::Code(-1))
}
