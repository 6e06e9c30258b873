//! Attacks on the table export under `sudo qd` (SUDO_USER as sudo sets it; needs
//! root), in the style of tests/export_sudo.rs: what a readonly operator under a
//! policy that failed closed can reach with it (as whom, where: qd's own audit dir,
//! root's files qd holds open), and an operator whose passwd home is `/`, for whom
//! every XDG_STATE_HOME is "inside the home".

mod support;

use quarterdeck::actions::Role;
use quarterdeck::model::policy::PolicySpec;
use quarterdeck::sys::account::Account;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use support::export::*;
use support::qdconf::is_root;

const OPERATOR: &str = "qd-export-attack";

#[test]
fn as_sudo_a_readonly_operator_under_a_failed_closed_policy_writes_only_as_themselves() {
    if !is_root() {
        eprintln!("skipped: impersonating an operator under sudo needs root");
        return;
    }
    let Some(dir) = in_child(
        "as_sudo_a_readonly_operator_under_a_failed_closed_policy_writes_only_as_themselves",
        |_| {
            support::ensure_user(OPERATOR);
            vec![var("SUDO_USER", OPERATOR)]
        },
    ) else {
        return;
    };
    let op = Account::by_name(OPERATOR).expect("the operator");
    let untrusted = PolicySpec::Untrusted {
        reason: "the policy file is writable by others".into(),
    };
    let own = dir_of(&dir.join("own"), op.uid, 0o700);
    let root_only = dir_of(&dir.join("root-only"), 0, 0o700);
    std::fs::write(root_only.join("secret"), "root's").expect("write");
    // A root file and a root dir qd holds open: /proc/PID/fd is qd's own, so the
    // operator's rights pass /proc/PID/fd itself; what is in it is a link.
    let held = std::fs::OpenOptions::new()
        .append(true)
        .open(root_only.join("secret"))
        .expect("open");
    let held_dir = std::fs::File::open(&root_only).expect("open");
    use std::os::fd::AsRawFd;
    let fd = |f: &std::fs::File| format!("/proc/{}/fd/{}", std::process::id(), f.as_raw_fd());
    // Root's group-writable dir of the operator's group: theirs to write, so allowed.
    let shared = dir_of(&dir.join("shared"), 0, 0o770);
    std::os::unix::fs::chown(&shared, Some(0), Some(op.gid)).expect("chgrp");
    for (i, (spec, readonly)) in [
        (untrusted, true),
        (rules(OPERATOR, Role::Readonly), true),
        (rules(OPERATOR, Role::Readonly), false),
    ]
    .into_iter()
    .enumerate()
    {
        let audit = dir.join(format!("audit{i}"));
        let d = dispatcher(spec, readonly, &audit);
        assert_eq!(d.operator().name, OPERATOR);
        let mine = own.join(format!("{i}.csv"));
        assert!(export(&d, &mine, "x\r\n").ok(), "case {i}");
        assert_eq!((owner(&mine), mode(&mine)), (op.uid, 0o600));
        let theirs = shared.join(format!("{i}.csv"));
        assert!(export(&d, &theirs, "x\r\n").ok(), "case {i}");
        assert_eq!(owner(&theirs), op.uid);
        // qd's own audit dir (root's), a root-only dir, root's files held open.
        std::fs::set_permissions(&audit, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        for p in [
            audit.join("x.jsonl"),
            root_only.join("x.csv"),
            PathBuf::from(fd(&held)),
            PathBuf::from(fd(&held_dir)).join("x.csv"),
            PathBuf::from("/etc/quarterdeck-export-attack.toml"),
        ] {
            let why = refused(&d, &p);
            assert!(
                why.contains("permission denied (as qd-export-attack)")
                    || why.contains("a symbolic link"),
                "case {i}: {why}"
            );
        }
        assert_eq!(names(&root_only), ["secret"]);
        assert!(!Path::new("/etc/quarterdeck-export-attack.toml").exists());
    }
    assert_eq!(
        std::fs::read_to_string(root_only.join("secret")).expect("read"),
        "root's"
    );
}

#[test]
fn as_sudo_an_operator_whose_home_is_slash_still_makes_no_dir_root_owns() {
    if !is_root() {
        eprintln!("skipped: impersonating an operator under sudo needs root");
        return;
    }
    const USER: &str = "qd-export-slash";
    let Some(dir) = in_child(
        "as_sudo_an_operator_whose_home_is_slash_still_makes_no_dir_root_owns",
        |d| {
            support::ensure_user(USER);
            let st = std::process::Command::new("usermod")
                .args(["-d", "/", USER])
                .status()
                .expect("usermod");
            assert!(st.success());
            // Every absolute XDG_STATE_HOME is "inside" the home `/`.
            let roots = dir_of(&d.join("roots"), 0, 0o755);
            vec![
                var("SUDO_USER", USER),
                var("XDG_STATE_HOME", roots.join("state")),
            ]
        },
    ) else {
        return;
    };
    let roots = dir.join("roots");
    let default = roots.join("state/quarterdeck/exports");
    assert_eq!(
        quarterdeck::config::paths::exports_dir(),
        Some(default.clone())
    );
    let why = refused(&open(&dir), &default.join("t.csv"));
    assert!(
        why.contains("state: cannot create it: permission denied (as qd-export-slash)"),
        "{why}"
    );
    assert!(names(&roots).is_empty());
}
