//! End to end: the real `qd` binary in a real terminal (tmux), driven by keys, read
//! back from the screen. Each test runs its own tmux server on a private socket and
//! stops it by its pid.

mod support;

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::time::Duration;
use support::tmux::Tmux;
use support::*;

/// With the signal menu open on one process: picks TERM, confirms, and checks the
/// victim dies of it.
fn confirm_term_and_see_it_die(t: &Tmux, victim: &mut Proc) {
    t.keys(&["Enter"]);
    assert!(t.wait_for("signal TERM — 1 process", 5), "{}", t.screen());
    t.keys(&["y"]);
    assert!(
        wait_until(Duration::from_secs(5), || victim
            .child
            .try_wait()
            .ok()
            .flatten()
            .is_some()),
        "victim still alive"
    );
    assert_eq!(
        victim.child.wait().expect("wait").signal(),
        Some(libc::SIGTERM)
    );
}

/// The table's rows on a captured screen: after the column header, before the footer.
fn table_rows(screen: &str) -> Vec<String> {
    let lines: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("PID USER"))
        .skip(1)
        .collect();
    let body = &lines[..lines.len().saturating_sub(1)];
    body.iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.to_string())
        .collect()
}

#[test]
fn filter_signal_term_and_quit_restores_the_terminal() {
    let token = format!("qde2evictim{}", std::process::id());
    let child = Command::new("sleep")
        .arg0(&token)
        .arg("1000")
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn");
    wait_exec(child.id());
    // Killed and reaped by pid on drop, even when an assertion fails.
    let mut victim = Proc { child, stdin: None };
    let t = Tmux::start("signal", "", 120, 40);
    t.keys(&["/"]);
    t.type_text(&token);
    t.keys(&["Enter"]);
    assert!(t.wait_for(&format!("{} root", victim.pid()).replace(" root", ""), 5));
    // The victim was on screen before the filter too: wait for the filtered frame to
    // be drawn whole (a capture can land between a frame's first and last lines).
    let victim_rows = |screen: &str| -> Vec<String> {
        table_rows(screen)
            .into_iter()
            .filter(|l| l.contains(&token))
            .collect()
    };
    let _ = support::wait_until(std::time::Duration::from_secs(5), || {
        victim_rows(&t.screen()).len() == 1
    });
    let screen = t.screen();
    let rows = victim_rows(&screen);
    assert_eq!(rows.len(), 1, "filtered to exactly the victim:\n{screen}");
    assert!(
        rows[0].trim_start().starts_with(&victim.pid().to_string()),
        "{}",
        rows[0]
    );
    t.keys(&["k"]);
    assert!(t.wait_for("Signal 1 process", 5), "{}", t.screen());
    confirm_term_and_see_it_die(&t, &mut victim);
    assert!(t.wait_for("sent TERM", 5), "{}", t.screen());
    // On the next refresh its row is gone from the (still filtered) table.
    let pid = victim.pid().to_string();
    let row_gone = || {
        !table_rows(&t.screen())
            .iter()
            .any(|l| l.trim_start().starts_with(&format!("{pid} ")))
    };
    assert!(
        wait_until(Duration::from_secs(5), row_gone),
        "{}",
        t.screen()
    );
    t.keys(&["q"]);
    t.assert_restored();
    assert!(t.screen().contains("QD_EXIT=0"));
}

#[test]
fn sigterm_restores_the_terminal() {
    let t = Tmux::start("sigterm", "", 100, 30);
    unsafe { libc::kill(t.qd_pid(), libc::SIGTERM) };
    t.assert_restored();
}

#[test]
fn sighup_restores_the_terminal_and_exits() {
    let t = Tmux::start("sighup", "", 100, 30);
    unsafe { libc::kill(t.qd_pid(), libc::SIGHUP) };
    t.assert_restored();
}

#[test]
fn readonly_flag_shows_and_refuses() {
    let mut victim = sleeper();
    let t = Tmux::start("readonly", "--readonly", 100, 30);
    assert!(t.screen().contains("READONLY"));
    t.keys(&["/"]);
    t.type_text(&victim.pid().to_string());
    t.keys(&["Enter", "k"]);
    assert!(
        t.wait_for("readonly: actions are refused", 5),
        "{}",
        t.screen()
    );
    assert!(victim.child.try_wait().expect("try_wait").is_none());
    t.keys(&["q"]);
    t.assert_restored();
}

#[test]
fn resize_reflows_to_the_new_size() {
    let t = Tmux::start("resize", "", 120, 40);
    t.tmux(&["resize-window", "-t", "0", "-x", "70", "-y", "15"]);
    assert!(
        wait_until(Duration::from_secs(5), || {
            let s = t.screen();
            s.lines().count() <= 15
                && s.lines()
                    .any(|l| l.contains("COMMAND") && l.chars().count() <= 70)
        }),
        "{}",
        t.screen()
    );
    t.tmux(&["resize-window", "-t", "0", "-x", "160", "-y", "50"]);
    assert!(
        wait_until(Duration::from_secs(5), || t
            .screen()
            .lines()
            .any(|l| l.contains("Mem["))),
        "{}",
        t.screen()
    );
    let _ = t.env.dir.path();
    t.keys(&["q"]);
    t.assert_restored();
}

#[test]
fn ctrl_z_suspends_with_the_terminal_restored_and_resumes() {
    let t = Tmux::start("suspend", "", 100, 30);
    let pid = t.qd_pid();
    t.keys(&["C-z"]);
    let stopped = || stat_field(pid, 3).as_deref() == Some("T");
    assert!(
        wait_until(Duration::from_secs(5), stopped),
        "qd did not stop"
    );
    // The shell has the terminal back, in cooked mode, and reports the stopped job.
    assert!(
        t.wait_for("Stopped", 5),
        "the shell does not report the job stopped:\n{}",
        t.screen()
    );
    assert!(
        !t.screen().contains("PID USER"),
        "screen not restored while suspended:\n{}",
        t.screen()
    );
    t.type_text("fg");
    t.keys(&["Enter"]);
    assert!(
        t.wait_for("PID USER", 5),
        "qd did not come back:\n{}",
        t.screen()
    );
    assert!(
        wait_until(Duration::from_secs(2), || stat_field(pid, 3).as_deref()
            != Some("T")),
        "still stopped after fg"
    );
    t.keys(&["q"]);
    t.assert_restored();
}

#[test]
fn ports_view_finds_the_owner_by_port_and_terms_it() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let local = listener.local_addr().expect("addr").to_string();
    // Only the child keeps the socket: the row's owner must be the child.
    let mut victim = child_holding(&listener);
    drop(listener);
    let pid = victim.pid().to_string();
    let t = Tmux::start("ports", "", 140, 40);
    t.keys(&[":"]);
    t.type_text("ports");
    t.keys(&["Enter"]);
    assert!(t.wait_for("PROTO", 5), "{}", t.screen());
    t.keys(&["/"]);
    t.type_text(&format!(
        ":{}",
        &local[local.rfind(':').map_or(0, |i| i + 1)..]
    ));
    t.keys(&["Enter"]);
    let rows = || -> Vec<String> {
        t.screen()
            .lines()
            .skip_while(|l| !l.contains("PROTO"))
            .skip(1)
            .filter(|l| l.contains(&local))
            .map(str::to_string)
            .collect()
    };
    assert!(
        wait_until(Duration::from_secs(5), || rows().len() == 1),
        "{}",
        t.screen()
    );
    let row = rows().remove(0);
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert!(cols.contains(&pid.as_str()), "owner pid on the row: {row}");
    assert!(cols.contains(&"sleep") && cols.contains(&"LISTEN"), "{row}");
    t.keys(&["Space", "k"]);
    assert!(t.wait_for("Signal 1 process", 5), "{}", t.screen());
    confirm_term_and_see_it_die(&t, &mut victim);
    // The socket died with its only holder: the row goes on the next refresh.
    assert!(
        wait_until(Duration::from_secs(5), || rows().is_empty()),
        "{}",
        t.screen()
    );
    t.keys(&["q"]);
    t.assert_restored();
    assert!(t.screen().contains("QD_EXIT=0"));
}

#[test]
fn the_services_view_follows_systemd_and_starts_a_unit() {
    let sd = support::systemd::UserSystemd::start();
    sd.write_unit(
        "qd-e2e-app.service",
        "[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sleep 4000\n",
    );
    sd.daemon_reload();
    assert!(
        sd.systemctl(&["start", "qd-e2e-app.service"])
            .status
            .success()
    );
    let user = String::from_utf8_lossy(&Command::new("id").arg("-un").output().expect("id").stdout)
        .trim()
        .to_string();
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = dir.path().join("qd.toml");
    let env_file = dir.path().join("app.env");
    std::fs::write(&env_file, "# app\nPORT=1\n").expect("env file");
    std::fs::write(
        &cfg,
        format!("[systemd]\nbus = \"user\"\n[[site]]\nname = \"e2e\"\nuser = \"{user}\"\n[[site.service]]\nname = \"app\"\nunit = \"qd-e2e-app.service\"\nenv_file = \"{}\"\n", env_file.display()),
    )
    .expect("config");
    // The "editor" edits without a terminal: qd suspends, runs it, resumes.
    let pre = format!(
        "XDG_RUNTIME_DIR={} DBUS_SESSION_BUS_ADDRESS={} EDITOR='sed -i s/PORT=1/PORT=2/'",
        sd.runtime_dir().display(),
        sd.bus_address()
    );
    let t = Tmux::start_env("svc", &pre, &format!("--config {}", cfg.display()), 150, 30);
    t.keys(&["S"]);
    let row = |t: &Tmux| {
        t.screen()
            .lines()
            .find(|l| l.contains("qd-e2e-app.service"))
            .unwrap_or("")
            .to_string()
    };
    assert!(
        wait_until(Duration::from_secs(10), || row(&t).contains(" active ")),
        "{}",
        t.screen()
    );
    let pid = sd.show("qd-e2e-app.service", "MainPID");
    assert!(row(&t).contains(&pid), "main pid {pid} shown: {}", row(&t));
    // Stopped behind qd's back: the row follows without a key press.
    assert!(
        sd.systemctl(&["stop", "qd-e2e-app.service"])
            .status
            .success()
    );
    assert!(
        wait_until(Duration::from_secs(5), || row(&t).contains(" inactive ")),
        "{}",
        t.screen()
    );
    // Enter: the menu (start first for a stopped unit); a start is Risk::Normal, so it
    // runs at once without a dialog.
    t.keys(&["Enter"]);
    assert!(t.wait_for("start the unit", 5), "{}", t.screen());
    t.keys(&["1"]);
    assert!(
        wait_until(Duration::from_secs(10), || row(&t).contains(" active ")),
        "{}",
        t.screen()
    );
    assert_eq!(sd.show("qd-e2e-app.service", "ActiveState"), "active");
    // e: the env file through $EDITOR, validated, written once confirmed; then a
    // restart is offered. (Needs the real sys::sitefile.)
    t.keys(&["e"]);
    assert!(t.wait_for("write env file", 5), "{}", t.screen());
    t.keys(&["y"]);
    assert!(t.wait_for("restart — 1 unit", 5), "{}", t.screen());
    assert_eq!(
        std::fs::read_to_string(&env_file).expect("env"),
        "# app\nPORT=2\n"
    );
    t.keys(&["n"]);
    t.keys(&["q"]);
    t.assert_restored();
}

#[test]
fn screen_flag_opens_the_console_on_that_screen() {
    // The sites table (its footer names it), with the watcher it needs started.
    let t = Tmux::start_ready("screen-sites", "", "--screen sites", 120, 30, "sites ·");
    assert!(!t.screen().contains("COMMAND"), "{}", t.screen());
    t.keys(&["Tab"]); // Tab goes on from there, to the processes
    assert!(t.wait_for("COMMAND", 5), "{}", t.screen());
    t.keys(&["q"]);
    t.assert_restored();
    assert!(t.screen().contains("QD_EXIT=0"));
    // A screen above the tables: Esc/q returns to the processes, as after `:hosts`.
    let t = Tmux::start_ready("screen-hosts", "", "--screen hosts", 120, 30, "hosts (");
    t.keys(&["q"]);
    assert!(t.wait_for("COMMAND", 5), "{}", t.screen());
    t.keys(&["q"]);
    t.assert_restored();
}
