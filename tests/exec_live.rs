//! How commands are contained, attacked as a site's command would escape: a `setsid`
//! grandchild against a timeout and a cancel, a descriptor qd inherited without
//! close-on-exec, no_new_privs, and qd itself killed with SIGKILL mid-command; on the
//! transient-unit path (a private systemd --user run by root, where User= works) and
//! on the process-group fallback (no system bus here). Also health probes from a file
//! that is not trusted. Needs root (a test user, user switches).

mod support;

use quarterdeck::exec;
use quarterdeck::sys::account::Account;
use quarterdeck::systemd::Bus;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use support::qdconf::{QdConf, is_root};
use support::systemd::UserSystemd;
use support::{stderr, stdout, wait_until};

const USER: &str = "qdtestexec";

fn test_user() -> Option<Account> {
    if !is_root() {
        eprintln!("skipped: needs root");
        return None;
    }
    support::ensure_user(USER);
    Account::by_name(USER)
}

/// A directory anyone may write (pid files of the user's commands).
fn open_dir() -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("dir");
    std::fs::set_permissions(d.path(), PermissionsExt::from_mode(0o777)).expect("chmod");
    d
}

fn read_pid(p: &Path) -> Option<i32> {
    std::fs::read_to_string(p).ok()?.trim().parse().ok()
}

fn gone(pid: i32) -> bool {
    support::stat_field(pid, 3).is_none_or(|s| s == "Z")
}

/// The config of one site of the test user with the commands of these tests.
fn config(sd: Option<&UserSystemd>, dir: &Path) -> String {
    let systemd = match sd {
        Some(sd) => format!(
            "[systemd]\nbus = \"user\"\nbus_address = \"{}\"\n# {}\n",
            sd.bus_address(),
            sd.runtime_dir().display()
        ),
        None => String::new(),
    };
    let d = dir.display();
    format!(
        r#"{systemd}[[site]]
name = "ex"
user = "{USER}"
[[site.service]]
name = "app"
working_dir = "{d}"
[[site.service.command]]
name = "look"
run = "ls /proc/self/fd | tr '\n' ' '; echo; grep NoNewPrivs /proc/self/status"
shell = true
[[site.service.command]]
name = "hang"
run = "setsid sleep 300 & echo $! > {d}/grandchild; echo $$ > {d}/leader; echo started; sleep 300"
shell = true
timeout = "{timeout}"
"#,
        timeout = if sd.is_some() { "3s" } else { "1s" }
    )
}

fn qd(conf: &QdConf, sd: Option<&UserSystemd>, args: &[&str]) -> Command {
    let mut c = conf.cmd(None, args);
    if let Some(sd) = sd {
        sd.env(&mut c);
    }
    c
}

/// fd 77, open without close-on-exec in this process: qd inherits it.
fn leak_fd_77() {
    // SAFETY: opening /dev/null and dup2 onto 77 (dup2 clears close-on-exec); 77 is
    // used by nothing else in these tests.
    unsafe {
        let fd = libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY);
        assert!(fd >= 0);
        assert_eq!(libc::dup2(fd, 77), 77);
        libc::close(fd);
    }
}

fn look_and_hang(sd: Option<&UserSystemd>, containment: &str) {
    let dir = open_dir();
    let conf = QdConf::new(&config(sd, dir.path()));
    leak_fd_77();
    let out = qd(&conf, sd, &["run", "ex/app", "look", "--yes"])
        .output()
        .expect("qd run");
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(stderr(&out).contains(containment), "{}", stderr(&out));
    let fds: Vec<&str> = text
        .lines()
        .find(|l| !l.starts_with("──"))
        .unwrap_or("")
        .split_whitespace()
        .collect();
    assert!(!fds.contains(&"77"), "inherited fd 77 visible: {fds:?}");
    assert!(fds.len() <= 5, "only stdio and ls's own: {fds:?}");
    // qd prints foreign text inert: the tab shows as `\t`.
    assert!(
        text.lines()
            .any(|l| l.starts_with("NoNewPrivs:") && l.ends_with('1')),
        "{text}"
    );

    let out = qd(&conf, sd, &["run", "ex/app", "hang", "--yes"])
        .output()
        .expect("qd run");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("timed out after"), "{}", stderr(&out));
    assert!(stderr(&out).contains(containment), "{}", stderr(&out));
    let g = read_pid(&dir.path().join("grandchild")).expect("grandchild pid");
    let l = read_pid(&dir.path().join("leader")).expect("leader pid");
    assert!(
        wait_until(Duration::from_secs(15), || gone(g) && gone(l)),
        "setsid grandchild {g} or leader {l} survived the timeout"
    );
}

#[test]
fn fallback_closes_fds_sets_no_new_privs_and_kills_setsid_grandchildren() {
    if test_user().is_none() {
        return;
    }
    look_and_hang(None, "in its own process group");
}

#[test]
fn transient_unit_closes_fds_sets_no_new_privs_and_kills_setsid_grandchildren() {
    if test_user().is_none() {
        return;
    }
    let sd = UserSystemd::start();
    look_and_hang(Some(&sd), "in transient unit qd-run-ex-app-");
}

#[test]
fn a_killed_qd_leaves_a_transient_command_bounded() {
    if test_user().is_none() {
        return;
    }
    let sd = UserSystemd::start();
    let dir = open_dir();
    let conf = QdConf::new(&config(Some(&sd), dir.path()));
    let mut child = qd(&conf, Some(&sd), &["run", "ex/app", "hang", "--yes"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.path().join("qd.err")).expect("err file"))
        .spawn()
        .expect("qd run");
    let (gp, lp) = (dir.path().join("grandchild"), dir.path().join("leader"));
    assert!(
        wait_until(Duration::from_secs(20), || read_pid(&gp).is_some()
            && read_pid(&lp).is_some()),
        "the command started: {}",
        std::fs::read_to_string(dir.path().join("qd.err")).unwrap_or_default()
    );
    let (g, l) = (read_pid(&gp).unwrap_or(0), read_pid(&lp).unwrap_or(0));
    // SAFETY: kill(2) on the pid of the qd this test spawned, not yet reaped.
    unsafe { libc::kill(child.id() as i32, libc::SIGKILL) };
    let _ = child.wait();
    assert!(!gone(g) && !gone(l), "still running right after qd died");
    // timeout 3 s + grace (5 s default) + a generous margin.
    assert!(
        wait_until(Duration::from_secs(40), || gone(g) && gone(l)),
        "the command outlived its timeout after qd was killed: {g} {l}"
    );
}

/// A cancel on both paths (through the library: `qd run` has no cancel key).
#[test]
fn a_cancel_stops_setsid_grandchildren_on_both_paths() {
    let Some(user) = test_user() else { return };
    let sd = UserSystemd::start();
    // SAFETY: std serializes set_var with every env read of std (Command spawns,
    // env::var); this binary's other tests pass the bus explicitly to their children.
    unsafe {
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", sd.bus_address());
        std::env::set_var("XDG_RUNTIME_DIR", sd.runtime_dir());
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for (bus, want) in [(Some(Bus::User), "transient unit"), (None, "process group")] {
        let dir = open_dir();
        let d = dir.path().display().to_string();
        let argv = vec![
            "/bin/sh".to_string(),
            "-c".into(),
            format!("setsid sleep 300 & echo $! > {d}/grandchild; echo up; sleep 300"),
        ];
        let cancel = AtomicBool::new(false);
        let spec = exec::Spec {
            argv: &argv,
            account: &user,
            switch_user: true,
            dir: dir.path(),
            env: exec::base_env(&user),
            timeout: Duration::from_secs(120),
            grace: Duration::from_secs(2),
            bus,
            label: "cancel-test",
        };
        let gp = dir.path().join("grandchild");
        let exit = std::thread::scope(|s| {
            s.spawn(|| {
                wait_until(Duration::from_secs(20), || read_pid(&gp).is_some());
                cancel.store(true, Ordering::Relaxed);
            });
            rt.block_on(exec::run(&spec, &cancel, &|_| {}))
        });
        assert_eq!(exit.how, exec::How::Canceled, "{}", exit.describe());
        assert!(exit.describe().contains(want), "{}", exit.describe());
        let g = read_pid(&gp).expect("grandchild");
        assert!(
            wait_until(Duration::from_secs(15), || gone(g)),
            "setsid grandchild {g} survived the cancel ({want})"
        );
    }
    // A program that fails at once is an exit status, not a failed start (its start
    // job may end `failed` before qd hears of it); one that cannot run is neither.
    let dir = open_dir();
    let run = |argv: &[&str]| {
        let argv: Vec<String> = argv.iter().map(|a| a.to_string()).collect();
        let spec = exec::Spec {
            argv: &argv,
            account: &user,
            switch_user: true,
            dir: dir.path(),
            env: exec::base_env(&user),
            timeout: Duration::from_secs(60),
            grace: Duration::from_secs(2),
            bus: Some(Bus::User),
            label: "exit-test",
        };
        rt.block_on(exec::run(&spec, &AtomicBool::new(false), &|_| {}))
    };
    for _ in 0..10 {
        let e = run(&["/bin/false"]);
        assert_eq!(e.how, exec::How::Code(1), "{}", e.describe());
    }
    let e = run(&["/nonexistent-qd-program"]);
    assert!(
        matches!(&e.how, exec::How::NotStarted(w) if w.contains("cannot execute")),
        "{}",
        e.describe()
    );
}

/// A site from a config the operator owns may not run its health command as root:
/// under sudo such a system file fails closed (nothing of it is used); for root as
/// itself with `--config` on it, the site is listed but its probe is not run.
#[test]
fn a_health_command_from_an_untrusted_file_does_not_run_as_root() {
    if test_user().is_none() {
        return;
    }
    let sd = UserSystemd::start();
    sd.write_unit(
        "qd-hx-app.service",
        "[Service]\nExecStart=/bin/sleep 3000\n",
    );
    sd.daemon_reload();
    assert!(
        sd.systemctl(&["start", "qd-hx-app.service"])
            .status
            .success()
    );
    let dir = open_dir();
    let marker = dir.path().join("pwned");
    let body = format!(
        "[systemd]\nbus = \"user\"\nbus_address = \"{}\"\n[[site]]\nname = \"hx\"\nuser = \"root\"\n[[site.service]]\nname = \"app\"\nunit = \"qd-hx-app.service\"\nhealth = {{ command = [\"/usr/bin/touch\", \"{}\"] }}\n",
        sd.bus_address(),
        marker.display()
    );
    let conf = QdConf::new(&body);
    let snapshot = |conf: &QdConf, op: Option<&str>, extra: &support::qdconf::Extra| {
        let mut c = conf.cmd_with(op, extra, &["snapshot", "services", "--json"]);
        sd.env(&mut c);
        let out = c.output().expect("qd snapshot");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        (v, stderr(&out))
    };
    let detail = |v: &serde_json::Value| {
        v["services"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["unit"] == "qd-hx-app.service"))
            .map(|s| s["health_detail"].as_str().unwrap_or("").to_string())
    };
    // The operator's own file as the system file, under sudo: fails closed.
    let u = Account::by_name(USER).expect("user");
    std::os::unix::fs::chown(&conf.path, Some(u.uid), Some(u.gid)).expect("chown");
    let none = support::qdconf::Extra::default();
    let (v, err) = snapshot(&conf, Some(USER), &none);
    assert!(!marker.exists(), "the health command ran: {v} {err}");
    assert!(
        detail(&v).is_none(),
        "a site of an untrusted system file: {v}"
    );
    // Root as itself with --config on an operator-owned copy: listed, not probed.
    let own = dir.path().join("own.toml");
    std::fs::write(&own, &body).expect("write");
    std::os::unix::fs::chown(&own, Some(u.uid), Some(u.gid)).expect("chown");
    let extra = support::qdconf::Extra {
        config: Some(own),
        ..Default::default()
    };
    let (v, err) = snapshot(&conf, None, &extra);
    assert!(!marker.exists(), "the health command ran: {v} {err}");
    assert!(
        detail(&v).is_some_and(|d| d.contains("not run: defined in a file that is not trusted")),
        "{v} {err}"
    );
    // Control: the system file root-owned (trusted) does run it.
    std::os::unix::fs::chown(&conf.path, Some(0), Some(0)).expect("chown");
    let (v, err) = snapshot(&conf, Some(USER), &none);
    assert!(marker.exists(), "a trusted probe runs: {v} {err}");
}
