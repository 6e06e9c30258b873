//! The trust model of config files, attacked as an operator allowed `sudo qd` would:
//! SUDO_USER set as sudo sets it, the config at the real system path (a private mount
//! namespace, see support::qdconf), `--config` files, HOME and XDG dirs the operator
//! controls, and links planted where root writes its log. Each attack is refused or
//! contained, and viewing keeps working. Links, logs and echoes: tests/trust_files.rs.

mod support;

use std::os::unix::fs::PermissionsExt;
use support::qdconf::{Extra, QdConf};
use support::trust::{SYSTEM, operator_config, root_only, text, write};
use support::{sleeper, stat_field, stderr, stdout};

/// A `sleep` of a uid no site (and no passwd entry) has.
fn stranger() -> support::Proc {
    use std::os::unix::process::CommandExt;
    let child = std::process::Command::new("sleep")
        .arg("1000")
        .uid(54_321)
        .gid(54_321)
        .stdin(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    support::wait_exec(child.id());
    support::Proc { child, stdin: None }
}

#[test]
fn config_dev_null_no_longer_makes_a_developer_admin() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new(SYSTEM);
    let victim = sleeper();
    let pid = victim.pid().to_string();
    let stop = ["signal", pid.as_str(), "--signal", "STOP"];
    // Without --config: refused by the system policy.
    let out = conf.run(Some("dev1"), &stop);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    // With --config /dev/null (the exploit): refused before anything runs.
    let null = Extra {
        config: Some("/dev/null".into()),
        ..Extra::default()
    };
    let out = conf.run_with(Some("dev1"), &null, &stop);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("must be a trusted file")
            && stderr(&out).contains("/dev/null is writable by"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stat_field(victim.pid(), 3).as_deref(), Some("S"), "stopped");
    // Root as itself keeps the documented layering: --config replaces the system file.
    let out = conf.run_with(None, &null, &["site", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(stdout(&out).contains("no sites"), "{}", stdout(&out));
}

#[test]
fn an_untrusted_config_file_is_refused_with_the_reason_and_its_probe_never_runs() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new(SYSTEM);
    let marker = conf.env.dir.path().join("ran-as-root");
    let evil = conf.env.dir.path().join("home/dev1/evil.toml");
    write(
        &evil,
        &format!(
            "[[site]]\nname = \"x\"\nuser = \"root\"\n[[site.service]]\nname = \"s\"\n\
             health = {{ command = [\"/usr/bin/touch\", \"{}\"] }}\n",
            marker.display()
        ),
        0o644,
    );
    // Owned by the operator (here uid 54321), as ~dev1/evil.toml would be.
    std::os::unix::fs::chown(&evil, Some(54_321), Some(54_321)).expect("chown");
    let extra = Extra {
        config: Some(evil.clone()),
        ..Extra::default()
    };
    let out = conf.run_with(Some("dev1"), &extra, &["snapshot", "services", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = stderr(&out);
    assert!(
        err.contains("must be a trusted file") && err.contains("owned by uid 54321, not root"),
        "{err}"
    );
    // A root-owned file in a group-writable directory is no better.
    std::os::unix::fs::chown(&evil, Some(0), Some(0)).expect("chown");
    let dir = evil.parent().expect("dir");
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o775)).expect("chmod");
    let out = conf.run_with(Some("dev1"), &extra, &["snapshot", "services", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("writable by its group"),
        "{}",
        stderr(&out)
    );
    assert!(!marker.exists(), "the probe ran");
}

#[test]
fn a_trusted_config_file_cannot_replace_the_system_policy() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new(SYSTEM);
    let given = conf.env.dir.path().join("given.toml");
    write(
        &given,
        "[general]\nrefresh_ms = 2000\n[[policy.operator]]\nuser = \"dev1\"\nrole = \"admin\"\n",
        0o644,
    );
    let victim = stranger();
    let pid = victim.pid().to_string();
    let extra = Extra {
        config: Some(given.clone()),
        ..Extra::default()
    };
    let out = conf.run_with(Some("dev1"), &extra, &["signal", &pid, "--signal", "STOP"]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}: [policy] ignored", given.display())),
        "{err}"
    );
    assert!(err.contains("UI preferences only"), "{err}");
    assert!(err.contains("belongs to no site"), "{err}");
    assert_eq!(stat_field(victim.pid(), 3).as_deref(), Some("S"), "stopped");
    // `config check` says the same, per file.
    let out = conf.run_with(Some("dev1"), &extra, &["config", "check"]);
    let o = stdout(&out);
    assert!(
        o.contains("/etc/quarterdeck/config.toml: ok (system file, trusted)"),
        "{o}"
    );
    assert!(
        o.contains(&format!("{}: ok (given file, trusted)", given.display())),
        "{o}"
    );
    assert!(o.contains("  ignored: [policy] ignored"), "{o}");
    assert!(
        !o.contains("ignored: [general]"),
        "UI preferences are kept: {o}"
    );
}

#[test]
fn the_operators_own_config_cannot_redefine_a_site_as_root() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new(SYSTEM);
    let victim = sleeper(); // a root process
    let pid = victim.pid().to_string();
    let attack = "[general]\nrefresh_ms = 1500\n[[site]]\nname = \"shop\"\nuser = \"root\"\n\
                  [[site.service]]\nname = \"api\"\nworking_dir = \"/\"\n\
                  [ssh]\nhost_key_checking = \"accept-new\"\n";
    for via_home in [false, true] {
        let extra = operator_config(&conf, via_home, attack);
        let out = conf.run_with(Some("dev1"), &extra, &["signal", &pid, "--signal", "STOP"]);
        assert_eq!(out.status.code(), Some(3), "{}", text(&out));
        let err = stderr(&out);
        assert!(
            err.contains("quarterdeck/config.toml: [[site]] ignored")
                && err.contains("[ssh] (all but prefix) ignored"),
            "the warning names the file and the section: {err}"
        );
        assert_eq!(stat_field(victim.pid(), 3).as_deref(), Some("S"), "stopped");
        let out = conf.run_with(Some("dev1"), &extra, &["site", "list"]);
        assert!(
            stdout(&out).contains("nobody") && !stdout(&out).contains("root"),
            "the site is not redefined: {}",
            stdout(&out)
        );
        let out = conf.run_with(Some("dev1"), &extra, &["config", "check"]);
        assert!(
            stdout(&out).contains("refresh 1500 ms"),
            "UI preferences still apply: {}",
            stdout(&out)
        );
    }
    // Root as itself: layering as documented, the user file's site replaces the system's.
    let extra = operator_config(&conf, false, attack);
    let out = conf.run_with(None, &extra, &["site", "list"]);
    assert!(stdout(&out).contains("root"), "{}", stdout(&out));
}

/// The system file in a state that is not a usable file: every action refused with
/// the reason, viewing works, nothing from it is used.
fn assert_fail_closed(conf: &QdConf, want: &str) {
    let victim = sleeper();
    let pid = victim.pid().to_string();
    for op in [Some("dev1"), None] {
        let out = conf.run(op, &["renice", &pid, "--nice", "3"]);
        assert_eq!(out.status.code(), Some(3), "{want}: {}", text(&out));
        let err = stderr(&out);
        assert!(
            err.contains("every action is refused") && err.contains(want),
            "{want}: {err}"
        );
        let out = conf.run(op, &["snapshot", "processes", "--json"]);
        assert_eq!(out.status.code(), Some(0), "viewing works: {}", text(&out));
        let out = conf.run(op, &["site", "list"]);
        assert!(
            stdout(&out).contains("no sites"),
            "{want}: {}",
            stdout(&out)
        );
    }
    assert_eq!(
        stat_field(victim.pid(), 19).as_deref(),
        Some("0"),
        "reniced"
    );
}

#[test]
fn a_broken_system_file_fails_closed() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new(SYSTEM);
    // No file at all: no policy, as documented (root may act).
    std::fs::remove_file(&conf.path).expect("rm");
    let victim = sleeper();
    let out = conf.run(
        Some("dev1"),
        &["renice", &victim.pid().to_string(), "--nice", "1"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // A dangling link (made every operator admin before).
    std::os::unix::fs::symlink("/nonexistent/qd.toml", &conf.path).expect("ln");
    assert_fail_closed(&conf, "points at nothing");
    // A link loop, a directory and a FIFO (which must not hang qd) cannot be read.
    std::fs::remove_file(&conf.path).expect("rm");
    std::os::unix::fs::symlink("config.toml", &conf.path).expect("ln");
    assert_fail_closed(&conf, "symbolic links on the way");
    std::fs::remove_file(&conf.path).expect("rm");
    std::fs::create_dir(&conf.path).expect("mkdir");
    assert_fail_closed(&conf, "is not a regular file");
    std::fs::remove_dir(&conf.path).expect("rm");
    let fifo = std::ffi::CString::new(conf.path.to_str().expect("utf8")).expect("c");
    // SAFETY: mkfifo with a valid C string.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    assert_fail_closed(&conf, "is not a regular file");
    std::fs::remove_file(&conf.path).expect("rm");
    // Untrusted: group-writable, or owned by someone else.
    conf.write(SYSTEM);
    conf.chmod(0o664);
    assert_fail_closed(&conf, "writable by its group");
    conf.chmod(0o644);
    std::os::unix::fs::chown(&conf.path, Some(54_321), None).expect("chown");
    assert_fail_closed(&conf, "owned by uid 54321, not root");
    std::os::unix::fs::chown(&conf.path, Some(0), None).expect("chown");
    // Unparsable.
    conf.write("[general\nrefresh_ms = 1000\n");
    assert_fail_closed(&conf, "config.toml:3:9: unclosed table");
}
