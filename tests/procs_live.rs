//! The process source and process actions against real, spawned processes.

mod support;

use quarterdeck::actions::{Action, Dispatcher, NiceChange, Operator, Policy, ProcTarget, Sig};
use serde_json::Value;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;
use support::*;

fn dispatcher(readonly: bool) -> Dispatcher {
    Dispatcher::new(
        Policy::default(),
        Operator::current(),
        readonly,
        Duration::from_secs(2),
    )
}

fn json_process(env: &QdEnv, pid: i32) -> Value {
    let out = env.run(&["snapshot", "processes", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    v["processes"]
        .as_array()
        .expect("processes array")
        .iter()
        .find(|p| p["pid"] == pid)
        .cloned()
        .unwrap_or_else(|| panic!("pid {pid} not in the snapshot"))
}

#[test]
fn snapshot_json_lists_a_hostile_process_with_its_real_fields() {
    let env = QdEnv::new();
    let p = hostile("json-test");
    let v = json_process(&env, p.pid());
    assert_eq!(v["ppid"], std::process::id() as i64);
    assert_eq!(v["uid"], rustix::process::getuid().as_raw() as i64);
    assert_eq!(v["user"], whoami().as_str());
    let cmdline: Vec<String> = v["cmdline"]
        .as_array()
        .expect("array")
        .iter()
        .map(|a| a.as_str().expect("string").to_string())
        .collect();
    assert_eq!(cmdline[0], String::from_utf8_lossy(HOSTILE_ARGV0));
    assert_eq!(cmdline[1], "-c");
    assert_eq!(cmdline[3], "line1\nline2");
    assert_eq!(cmdline[4], "\u{202e}txt.exe");
    assert_eq!(v["name"], HOSTILE_NAME);
    assert_eq!(v["state"], "S");
    for key in [
        "nice",
        "cpu_percent",
        "rss_bytes",
        "start_time",
        "site",
        "unit",
    ] {
        assert!(v.get(key).is_some(), "field {key} missing");
    }
    let start = v["start_time"].as_u64().expect("start_time");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    assert!(
        start <= now && now - start < 600,
        "start_time {start} is not recent"
    );
}

fn whoami() -> String {
    let uid = rustix::process::getuid().as_raw();
    std::fs::read_to_string("/etc/passwd")
        .expect("passwd")
        .lines()
        .find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.get(2) == Some(&uid.to_string().as_str())).then(|| f[0].to_string())
        })
        .unwrap_or_else(|| uid.to_string())
}

#[test]
fn snapshot_text_renders_hostile_text_inert() {
    let env = QdEnv::new();
    let p = hostile("text-test");
    let out = env.run(&["snapshot", "processes"]);
    assert!(out.status.success());
    assert!(!out.stdout.contains(&0x1b), "raw ESC reached the output");
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.split_whitespace().next() == Some(&p.pid().to_string()))
        .expect("row");
    assert!(
        line.contains("\\e]0;pwned\\x07\\e[2Jevil\u{fffd}"),
        "{line}"
    );
    assert!(line.contains("line1\\nline2"), "{line}");
    assert!(line.contains("\\u{202e}txt.exe"), "{line}");
    assert!(!text.chars().any(|c| c == '\u{202e}' || c == '\u{7}'));
}

#[test]
fn library_signal_kills_with_that_signal() {
    let mut p = sleeper();
    let t = ProcTarget::lookup(p.pid()).expect("lookup");
    let r = dispatcher(false)
        .dispatch(&Action::Signal {
            targets: vec![t],
            sig: Sig::Int,
        })
        .expect("not denied");
    assert!(r.all_ok(), "{r:?}");
    let st = p.child.wait().expect("wait");
    assert_eq!(st.signal(), Some(libc::SIGINT));
}

#[test]
fn cli_signal_kills_and_reports_per_target() {
    let env = QdEnv::new();
    let mut a = sleeper();
    let mut b = sleeper();
    let out = env.run(&[
        "signal",
        &a.pid().to_string(),
        &b.pid().to_string(),
        "--signal",
        "KILL",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        text.lines().filter(|l| l.contains("ok: sent KILL")).count(),
        2,
        "{text}"
    );
    assert_eq!(a.child.wait().expect("wait").signal(), Some(libc::SIGKILL));
    assert_eq!(b.child.wait().expect("wait").signal(), Some(libc::SIGKILL));
}

#[test]
fn cli_signal_to_a_gone_pid_exits_1() {
    let env = QdEnv::new();
    let mut p = sleeper();
    let pid = p.pid();
    p.child.kill().expect("kill");
    p.child.wait().expect("reap");
    let out = env.run(&["signal", &pid.to_string()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("already gone"), "{}", stdout(&out));
}

#[test]
fn a_changed_identity_is_refused_and_the_process_lives() {
    let mut p = sleeper();
    let mut t = ProcTarget::lookup(p.pid()).expect("lookup");
    t.starttime += 1; // what a reused pid looks like: same pid, another start time
    let r = dispatcher(false)
        .dispatch(&Action::Signal {
            targets: vec![t],
            sig: Sig::Kill,
        })
        .expect("not denied");
    assert!(!r.all_ok());
    assert!(
        r.outcomes[0].message.contains("changed since listed"),
        "{:?}",
        r.outcomes
    );
    assert!(
        p.child.try_wait().expect("try_wait").is_none(),
        "the process must still run"
    );
}

#[test]
fn readonly_refuses_in_the_library_and_the_cli() {
    let mut p = sleeper();
    let t = ProcTarget::lookup(p.pid()).expect("lookup");
    let d = dispatcher(false);
    d.set_readonly();
    let denied = d.dispatch(&Action::Signal {
        targets: vec![t],
        sig: Sig::Kill,
    });
    assert!(denied.is_err_and(|e| e.reason.contains("readonly")));
    let out = QdEnv::new().run(&["signal", &p.pid().to_string(), "--readonly", "-s", "KILL"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("readonly"));
    std::thread::sleep(Duration::from_millis(50));
    assert!(
        p.child.try_wait().expect("try_wait").is_none(),
        "the process must still run"
    );
}

#[test]
fn renice_changes_the_nice_value_read_back_from_proc() {
    let env = QdEnv::new();
    let p = sleeper();
    let out = env.run(&["renice", &p.pid().to_string(), "--nice", "5"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(stat_field(p.pid(), 19).as_deref(), Some("5"));
    let t = ProcTarget::lookup(p.pid()).expect("lookup");
    let r = dispatcher(false)
        .dispatch(&Action::Renice {
            targets: vec![t],
            change: NiceChange::By(2),
        })
        .expect("ok");
    assert!(r.all_ok(), "{r:?}");
    assert_eq!(r.outcomes[0].message, "nice 5 -> 7");
    assert_eq!(stat_field(p.pid(), 19).as_deref(), Some("7"));
}

#[test]
fn restart_relaunches_the_same_argv_cwd_and_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = std::process::Command::new("sleep")
        .arg("997")
        .current_dir(dir.path())
        .env("QD_RESTART_MARK", "kept-across-restart")
        .spawn()
        .expect("spawn");
    support::wait_exec(child.id());
    let old = child.id() as i32;
    let t = ProcTarget::lookup(old).expect("lookup");
    let r = dispatcher(false)
        .dispatch(&Action::Restart { targets: vec![t] })
        .expect("not denied");
    assert!(r.all_ok(), "{r:?}");
    assert_eq!(child.wait().expect("wait").signal(), Some(libc::SIGTERM));
    let new: i32 = r.outcomes[0]
        .message
        .strip_prefix("restarted as pid ")
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no new pid in {:?}", r.outcomes[0].message));
    assert_ne!(new, old);
    let argv = std::fs::read(format!("/proc/{new}/cmdline")).expect("new process cmdline");
    let cwd = std::fs::read_link(format!("/proc/{new}/cwd")).expect("cwd");
    let environ = std::fs::read(format!("/proc/{new}/environ")).expect("environ");
    let session = stat_field(new, 6);
    // Stop the relaunched process by its own pid before asserting.
    unsafe { libc::kill(new, libc::SIGKILL) };
    assert_eq!(argv, b"sleep\x00997\x00");
    assert_eq!(cwd, dir.path().canonicalize().expect("canon"));
    assert!(
        environ
            .split(|b| *b == 0)
            .any(|kv| kv == b"QD_RESTART_MARK=kept-across-restart")
    );
    // Detached in its own session: the new process leads it.
    assert_eq!(session, Some(new.to_string()));
}

#[test]
fn restart_of_a_unit_process_is_refused() {
    let p = sleeper();
    let mut t = ProcTarget::lookup(p.pid()).expect("lookup");
    t.unit = Some("qd-shop-api.service".into());
    let r = dispatcher(false)
        .dispatch(&Action::Restart { targets: vec![t] })
        .expect("not denied");
    assert!(!r.all_ok());
    assert!(
        r.outcomes[0].message.contains("restart the unit"),
        "{:?}",
        r.outcomes
    );
}

#[test]
fn hidden_kernel_threads_are_counted_not_read() {
    use quarterdeck::sources::LocalCollector;
    let mut c = LocalCollector::new();
    let all = c.snapshot();
    let kernel = all.processes.iter().filter(|p| p.kernel_thread).count();
    c.procs.skip_kernel_threads = true;
    let _first = c.snapshot(); // kernel threads already known from the first read
    let skipped = c.snapshot();
    assert!(skipped.processes.iter().all(|p| !p.kernel_thread));
    // kworkers come and go between two reads; the count stays close.
    assert!(
        skipped.skipped_kernel_threads.abs_diff(kernel) <= 8,
        "{} vs {kernel}",
        skipped.skipped_kernel_threads
    );
    assert!(skipped.task_count().abs_diff(all.processes.len()) <= 16);
    // A user process is still listed and read.
    let p = sleeper();
    let again = c.snapshot();
    assert!(again.processes.iter().any(|x| x.pid == p.pid()));
}
