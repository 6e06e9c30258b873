//! End to end: `qd ssh HOST` in a real terminal (tmux) against a real private sshd:
//! typing into the pane, remote escape sequences kept off the real terminal, the
//! server killed mid-pane and back (the pane reconnects), a `yes` flood with memory
//! bounded and the UI still answering, and the pane's audit records.

mod support;

use std::time::Duration;
use support::qdconf::{QdConf, me};
use support::sshd::Sshd;
use support::tmux::Tmux;
use support::wait_until;

fn rss_kb(pid: i32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[test]
fn shell_pane_types_survives_a_dead_server_and_a_flood() {
    let tmp = tempfile::tempdir().expect("tmp");
    let sdir = tmp.path().join("s");
    let mut sshd = Sshd::start(&sdir);
    let known = tmp.path().join("known_hosts");
    let c = QdConf::new(&format!(
        "[ssh]\nhost_key_checking = \"accept-new\"\nssh_config = false\nknown_hosts = [\"{}\"]\n\
         [[host]]\nname = \"h0\"\naddress = \"127.0.0.1\"\nport = {}\nuser = \"{}\"\nidentity = \"{}\"\n",
        known.display(),
        sshd.port,
        me(),
        sshd.client_key.display()
    ));
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let pre = format!("HOME={} SSH_AUTH_SOCK=", home.display());
    let args = format!("--config {} ssh h0", c.path.display());
    let t = Tmux::start_ready("ssh", &pre, &args, 100, 30, "h0 — connected");
    let title = t.tmux(&["display-message", "-p", "-t", "0", "#{pane_title}"]);

    // Typing reaches the remote shell; its output comes back through the emulator.
    // The title is assembled remotely, so only a leaked sequence would say "pwned".
    t.type_text("echo sum-$((40+2)); printf '\\033]0;pw%s\\007\\033]2;pw%s\\007' ned ned");
    t.keys(&["Enter"]);
    assert!(t.wait_for("sum-42", 10), "{}", t.screen());
    let after = t.tmux(&["display-message", "-p", "-t", "0", "#{pane_title}"]);
    assert_eq!(after, title, "a remote OSC reached the real terminal");
    assert!(!t.screen().contains("pwned"));

    // The server dies: the pane says so, then reconnects when it is back.
    sshd.kill();
    assert!(t.wait_for("reconnecting in", 10), "{}", t.screen());
    let port = sshd.port;
    drop(sshd);
    let sshd = Sshd::start_on(&sdir, port);
    assert!(t.wait_for("h0 — connected", 20), "{}", t.screen());
    assert!(sshd.connections() >= 1);

    // A flood: memory stays flat and qd still answers its keys.
    t.type_text("yes flood-line");
    t.keys(&["Enter"]);
    assert!(t.wait_for("flood-line", 10), "{}", t.screen());
    let pid = t.qd_pid();
    std::thread::sleep(Duration::from_secs(1));
    let before = rss_kb(pid);
    std::thread::sleep(Duration::from_secs(4));
    let grown = rss_kb(pid).saturating_sub(before);
    assert!(grown < 20_000, "qd grew by {grown} kB during the flood");
    t.keys(&["C-\\"]);
    t.type_text("H");
    assert!(
        t.wait_for("hosts (1)", 5),
        "UI did not answer during the flood:\n{}",
        t.screen()
    );
    // Back to the pane, stop the flood, leave.
    t.type_text("p");
    t.type_text("i");
    t.keys(&["C-c"]);
    assert!(
        wait_until(Duration::from_secs(10), || t.screen().contains("^C")),
        "{}",
        t.screen()
    );
    t.keys(&["C-\\", "Escape"]);
    t.type_text("q");
    t.assert_restored();

    // The pane's life is in the audit log: opened, closed (by quitting qd).
    let recs = c.records();
    let shell: Vec<_> = recs.iter().filter(|r| r["action"] == "shell").collect();
    assert!(
        shell
            .iter()
            .any(|r| r["outcome"] == "started" && r["target"] == "ssh h0"),
        "{recs:?}"
    );
    // The open is a job of its own (started, opened, finished); the close is the
    // record pane_closed writes into that job.
    let closed = shell
        .iter()
        .find(|r| {
            r["outcome"] != "started"
                && r["message"]
                    .as_str()
                    .is_some_and(|m| m.starts_with("closed:"))
        })
        .expect("a close record");
    assert!(
        closed["message"]
            .as_str()
            .unwrap_or_default()
            .contains("opened"),
        "{closed}"
    );
    assert!(closed["duration_ms"].as_u64().unwrap_or(0) > 1000);
}
