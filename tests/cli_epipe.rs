//! A reader that goes away (`qd snapshot processes --json | head -c 100`): qd's
//! stdout is a pipe whose read end is closed after 100 bytes. qd must end quietly
//! with a non-zero status, without a panic message or an abort. The pipe is shrunk
//! to one page so qd is still writing when the reader leaves.

mod support;

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;
use std::time::Duration;

fn pipe() -> (std::fs::File, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 fills two descriptors we then own.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2");
    // SAFETY: both descriptors were just created and are owned here only.
    let (r, w) = unsafe {
        (
            std::fs::File::from_raw_fd(fds[0]),
            OwnedFd::from_raw_fd(fds[1]),
        )
    };
    // SAFETY: fcntl on a descriptor we own.
    unsafe { libc::fcntl(fds[1], libc::F_SETPIPE_SZ, 4096) };
    (r, w)
}

fn closed_after_100_bytes(args: &[&str]) {
    let env = support::QdEnv::new();
    let (mut r, w) = pipe();
    let err_path = env.dir.path().join("stderr");
    let err_file = std::fs::File::create(&err_path).expect("stderr file");
    let mut child = env
        .cmd()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(w))
        .stderr(Stdio::from(err_file))
        .spawn()
        .expect("qd");
    let mut first = [0u8; 100];
    r.read_exact(&mut first).expect("100 bytes of output");
    drop(r);
    let pid = child.id();
    let done = support::wait_until(Duration::from_secs(60), || {
        matches!(child.try_wait(), Ok(Some(_)))
    });
    if !done {
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
        panic!("qd {args:?} did not end after its reader left");
    }
    let status = child.wait().expect("status");
    let err = std::fs::read_to_string(&err_path).unwrap_or_default();
    assert!(!status.success(), "{args:?}: {status:?}");
    assert!(
        status.code().is_some(),
        "{args:?} died of a signal: {status:?}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
}

#[test]
fn a_closed_stdout_ends_quietly() {
    // Enough processes that the output is well past one page on any machine: with 20
    // sleepers, `snapshot all`'s text was ~3.6 KB on a quiet host, and when it fit in the
    // page plus the 100 bytes read, qd finished before the reader left (exit 0, a flake).
    let sleepers: Vec<support::Proc> = (0..150).map(|_| support::sleeper()).collect();
    let env = support::QdEnv::new();
    let full = env.cmd().args(["snapshot", "all"]).output().expect("qd");
    assert!(
        full.stdout.len() > 2 * 4096,
        "the output must outgrow the pipe: {} bytes",
        full.stdout.len()
    );
    closed_after_100_bytes(&["snapshot", "processes", "--json"]);
    closed_after_100_bytes(&["snapshot", "all"]);
    drop(sleepers);
}
