//! `qd restart` against the container escape of issue 11: a process of another mount
//! and pid namespace (made with `unshare`, as a container's) is refused and left
//! running; a process given LD_PRELOAD is relaunched without any LD_* variable and without qd's inherited descriptors.
//! Every process started here is stopped by its own pid.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;
use support::qdconf::is_root;
use support::{QdEnv, stat_field, stderr, stdout, wait_until};

/// The pids of `pid`'s children.
fn children(pid: i32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

#[test]
fn a_process_in_another_namespace_is_refused_and_left_running() {
    if !is_root() {
        eprintln!("skipped: unshare needs root");
        return;
    }
    let mut outer = Command::new("unshare")
        .args(["--mount", "--pid", "--fork", "sleep", "991"])
        .stdin(Stdio::null())
        .spawn()
        .expect("unshare");
    let upid = outer.id() as i32;
    assert!(
        wait_until(Duration::from_secs(10), || children(upid)
            .first()
            .is_some_and(|c| std::fs::read(format!("/proc/{c}/cmdline"))
                .is_ok_and(|c| c.starts_with(b"sleep")))),
        "the namespaced sleep started"
    );
    let inner = children(upid)[0];
    let before = stat_field(inner, 22);
    let env = QdEnv::new();
    // The process inside (other pid and mount namespace) and unshare itself (other
    // mount namespace) alike.
    for pid in [inner, upid] {
        let out = env.run(&["restart", &pid.to_string()]);
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(
            text.contains("in another namespace (a container): restart it there"),
            "{text}"
        );
    }
    assert_eq!(
        stat_field(inner, 22),
        before,
        "left running, the same process"
    );
    assert!(stat_field(upid, 3).is_some_and(|s| s != "Z"));
    // SAFETY: kill(2) on the pid of the child this test spawned, not yet reaped; its
    // namespace's init (the sleep) goes with it when unshare's child is killed.
    unsafe { libc::kill(inner, libc::SIGKILL) };
    unsafe { libc::kill(upid, libc::SIGKILL) };
    let _ = outer.wait();
}

#[test]
fn a_relaunch_drops_every_dynamic_loader_variable() {
    let mut child = Command::new("sleep")
        .arg("993")
        .env("LD_PRELOAD", "/nonexistent-qd-marker.so")
        .env("LD_LIBRARY_PATH", "/nonexistent-qd-marker")
        .env("QD_KEEP_MARK", "kept")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    support::wait_exec(child.id());
    let old = child.id() as i32;
    let before = std::fs::read(format!("/proc/{old}/environ")).expect("environ");
    assert!(before.windows(10).any(|w| w == b"LD_PRELOAD"));
    // A descriptor qd inherits without close-on-exec (after the sleep started).
    // SAFETY: /dev/null dup2'd onto fd 78, used by nothing else in this test binary.
    unsafe {
        let fd = libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY);
        assert!(fd >= 0 && libc::dup2(fd, 78) == 78);
        libc::close(fd);
    }
    let out = QdEnv::new().run(&["restart", &old.to_string()]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    let _ = child.wait();
    let new: i32 = text
        .split("restarted as pid ")
        .nth(1)
        .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no new pid in {text}"));
    let environ = std::fs::read(format!("/proc/{new}/environ")).unwrap_or_default();
    let leaked = std::fs::read_link(format!("/proc/{new}/fd/78")).is_ok();
    // SAFETY: kill(2) on the pid qd just started for this test.
    unsafe { libc::kill(new, libc::SIGKILL) };
    let vars: Vec<String> = environ
        .split(|b| *b == 0)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect();
    assert!(vars.iter().any(|v| v == "QD_KEEP_MARK=kept"), "{vars:?}");
    assert!(
        !vars.iter().any(|v| v.starts_with("LD_")),
        "loader variables relaunched: {vars:?}"
    );
    assert!(
        !leaked,
        "qd's inherited fd 78 reached the relaunched process"
    );
}

/// The working directory is entered as the process's owner: a directory the owner
/// may no longer enter (only root may) is not entered by the relaunch.
#[test]
fn the_working_dir_is_entered_with_the_owners_rights() {
    if !is_root() {
        eprintln!("skipped: needs root to switch users");
        return;
    }
    const USER: &str = "qdtestexec";
    let uid = support::ensure_user(USER);
    let dir = tempfile::tempdir().expect("dir");
    let inner = dir.path().join("work");
    std::fs::create_dir(&inner).expect("mkdir");
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .expect("chmod");
    let mut cmd = Command::new("sleep");
    cmd.arg("994").current_dir(&inner).stdin(Stdio::null());
    std::os::unix::process::CommandExt::uid(&mut cmd, uid);
    let mut child = cmd.spawn().expect("spawn as the user");
    support::wait_exec(child.id());
    // Now only root may pass through the parent.
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .expect("chmod");
    let out = QdEnv::new().run(&["restart", &child.id().to_string()]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    let _ = child.wait();
    if let Some(new) = text
        .split("restarted as pid ")
        .nth(1)
        .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|s| s.parse::<i32>().ok())
    {
        // SAFETY: kill(2) on the pid qd just started for this test.
        unsafe { libc::kill(new, libc::SIGKILL) };
        panic!("relaunched in a directory its owner cannot enter: {text}");
    }
    assert!(text.contains("relaunch failed"), "{text}");
    assert!(text.to_lowercase().contains("permission denied"), "{text}");
}
