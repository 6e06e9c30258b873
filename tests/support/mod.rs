//! Test harness: real processes started by the tests (always stopped by their own
//! pid), and the real `qd` binary run with private config and state dirs.
#![allow(dead_code)]

pub mod export;
pub mod qdconf;
pub mod sshd;
pub mod systemd;
pub mod tmux;
pub mod trust;
pub mod tui;

use std::ffi::OsStr;
use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A process the test owns; killed (by pid) and reaped on drop.
pub struct Proc {
    pub child: Child,
    pub stdin: Option<ChildStdin>,
}

impl Proc {
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `pid` has finished `execve`: its argv is in place.
///
/// `Command::spawn` returns once the child has released the parent's memory, which
/// happens inside `execve` before the new image's argv is set up; in that window
/// `/proc/PID/cmdline` is empty. Tests that inspect a fresh child wait here first.
pub fn wait_exec(pid: u32) {
    let ok = wait_until(Duration::from_secs(5), || {
        std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| !c.is_empty())
    });
    assert!(ok, "pid {pid} never finished exec");
}

/// Spawns `cmd` and returns once its exec has finished (see [`wait_exec`]).
pub fn spawn_execd(cmd: &mut Command) -> Child {
    let child = cmd.spawn().expect("spawn");
    wait_exec(child.id());
    child
}

/// `sleep 1000` with a unique extra marker in its environment.
pub fn sleeper() -> Proc {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new("sleep");
    cmd.arg("1000").stdin(Stdio::null());
    // A test runner started in the background (`cmd &` in a script) ignores SIGINT and
    // SIGQUIT, and a child inherits that: the sleeper must die of the signals tests send.
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
            libc::signal(libc::SIGQUIT, libc::SIG_DFL);
            Ok(())
        });
    }
    let child = cmd.spawn().expect("spawn sleep");
    wait_exec(child.id());
    Proc { child, stdin: None }
}

/// The hostile argv every test of foreign text uses: an OSC title sequence and invalid
/// UTF-8 in argv[0], a newline and a bidi override in later arguments.
pub const HOSTILE_ARGV0: &[u8] = b"\x1b]0;pwned\x07\x1b[2Jevil\xff";
pub const HOSTILE_NAME: &str = "ev\x1b[2Jil";

/// A shell with a hostile argv and comm that waits on its stdin (no child of its own).
pub fn hostile(marker: &str) -> Proc {
    let script = format!("printf 'ev\\033[2Jil' > /proc/$$/comm; read x # {marker}");
    let mut child = Command::new("/bin/sh")
        .arg0(OsStr::from_bytes(HOSTILE_ARGV0))
        .args(["-c", &script, "line1\nline2", "\u{202e}txt.exe"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("spawn sh");
    let stdin = child.stdin.take();
    let p = Proc { child, stdin };
    // Wait until the comm rename has happened.
    wait_until(Duration::from_secs(5), || {
        std::fs::read(format!("/proc/{}/comm", p.pid())).is_ok_and(|c| c.starts_with(b"ev\x1b"))
    });
    p
}

pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    f()
}

/// A private home for qd: its own XDG config and state dirs.
pub struct QdEnv {
    pub dir: tempfile::TempDir,
}

impl QdEnv {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_qd"));
        c.env("XDG_CONFIG_HOME", self.config_dir())
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env_remove("NO_COLOR");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run qd")
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Field `n` (1-based, as in proc(5)) of /proc/PID/stat.
pub fn stat_field(pid: i32, n: usize) -> Option<String> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    rest.split_whitespace().nth(n - 3).map(str::to_string)
}

/// A `sleep` child holding `listener` as its fd 3, as a server that forks after bind.
pub fn child_holding(listener: &TcpListener) -> Proc {
    let fd = listener.as_raw_fd();
    let mut cmd = Command::new("sleep");
    cmd.arg("1000").stdin(Stdio::null());
    // SAFETY: dup2 is async-signal-safe; it gives the child the listening socket as
    // fd 3 (without close-on-exec), as a server that forks after bind would.
    unsafe {
        cmd.pre_exec(move || {
            // dup2 onto itself is a no-op that keeps close-on-exec: clear it instead.
            let r = if fd == 3 {
                libc::fcntl(3, libc::F_SETFD, 0)
            } else {
                libc::dup2(fd, 3)
            };
            if r < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = Proc {
        child: cmd.spawn().expect("spawn"),
        stdin: None,
    };
    wait_exec(child.child.id());
    assert!(wait_until(Duration::from_secs(5), || std::fs::read_link(
        format!("/proc/{}/fd/3", child.pid())
    )
    .is_ok()));
    child
}

/// A system user `name` for the tests (created once, no home, no login shell): its uid.
pub fn ensure_user(name: &str) -> u32 {
    ensure_user_with(
        name,
        &["-M", "-d", "/nonexistent", "-s", "/usr/sbin/nologin"],
    )
}

/// A system user `name` created with `useradd ARGS name` if it does not exist: its uid.
///
/// Tests in one binary run in parallel and several binaries may share a machine, so the
/// check and the creation happen under one lock (a mutex across threads, `flock` across
/// processes): two `useradd`s of one name race (the second fails "already exists"), and
/// two of different names race on `/etc/passwd`'s lock ("try again later"). Without it,
/// a fresh machine (CI) failed where one with the users already made passed.
pub fn ensure_user_with(name: &str, args: &[&str]) -> u32 {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let lock_file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open("/tmp/qd-tests-useradd.lock")
        .expect("useradd lock file");
    // SAFETY: flock on a descriptor this function owns; released when it is closed.
    let rc = unsafe { libc::flock(lock_file.as_raw_fd(), libc::LOCK_EX) };
    assert_eq!(rc, 0, "flock the useradd lock");
    let uid = || -> Option<u32> {
        let o = Command::new("id").args(["-u", name]).output().ok()?;
        if !o.status.success() {
            return None;
        }
        String::from_utf8_lossy(&o.stdout).trim().parse().ok()
    };
    for attempt in 0..20 {
        if let Some(u) = uid() {
            return u;
        }
        let o = Command::new("useradd")
            .args(args)
            .arg(name)
            .output()
            .expect("run useradd");
        if o.status.success() {
            continue;
        }
        // Another creator outside this lock (a test's own useradd, a person) may hold
        // /etc/passwd's lock for a moment: wait and look again.
        eprintln!(
            "useradd {name} (attempt {attempt}): {}",
            String::from_utf8_lossy(&o.stderr).trim()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    uid().unwrap_or_else(|| panic!("could not create the test user {name}"))
}
