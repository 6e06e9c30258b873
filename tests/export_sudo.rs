//! A table export under `sudo qd` (SUDO_USER as sudo sets it; needs root), attacked
//! as the operator would: it is written with their filesystem rights (a path only
//! root may write is refused, the file is theirs), in their passwd home by default,
//! whatever HOME, XDG_STATE_HOME, PATH and umask they pass, and through no link they
//! plant. Every body runs in a child process with that environment
//! (support::export::in_child). Exports as anyone: tests/export_action.rs.

mod support;

use quarterdeck::config::paths::{export_file_name, exports_dir};
use quarterdeck::model::export::ExportFormat;
use quarterdeck::sys::account::Account;
use std::path::Path;
use support::export::*;
use support::qdconf::is_root;

fn root() -> bool {
    if !is_root() {
        eprintln!("skipped: impersonating an operator under sudo needs root");
    }
    is_root()
}

/// Gives the test user `user` the passwd home `home` (made theirs, 0700).
fn home_of(user: &str, home: &Path) -> u32 {
    let uid = support::ensure_user(user);
    dir_of(home, uid, 0o700);
    let st = std::process::Command::new("usermod")
        .args(["-d".as_ref(), home.as_os_str(), user.as_ref()])
        .status()
        .expect("usermod");
    assert!(st.success(), "usermod -d {}", home.display());
    uid
}

const OPERATOR: &str = "qd-export-op";

#[test]
fn as_sudo_the_file_is_the_operators_and_what_only_root_may_write_is_refused() {
    if !root() {
        return;
    }
    let Some(dir) = in_child(
        "as_sudo_the_file_is_the_operators_and_what_only_root_may_write_is_refused",
        |d| {
            support::ensure_user(OPERATOR);
            // PATH is the operator's: no program of it may run (the export runs none).
            let bin = d.join("bin");
            std::fs::create_dir(&bin).expect("mkdir");
            for prog in [
                "sh", "mkdir", "install", "cp", "tee", "touch", "chown", "chmod",
            ] {
                let script = format!("#!/bin/sh\necho {prog} >> {}/path-ran\n", d.display());
                std::fs::write(bin.join(prog), script).expect("write");
                std::fs::set_permissions(
                    bin.join(prog),
                    std::os::unix::fs::PermissionsExt::from_mode(0o755),
                )
                .expect("chmod");
            }
            vec![var("SUDO_USER", OPERATOR), var("PATH", bin)]
        },
    ) else {
        return;
    };
    assert!(quarterdeck::sys::privileged());
    let uid = Account::by_name(OPERATOR).expect("the operator").uid;
    let d = open(&dir);
    assert_eq!(d.operator().name, OPERATOR);
    let own = dir_of(&dir.join("own"), uid, 0o700);
    let p = own.join("x.csv");
    let o = export(&d, &p, "mine\r\n");
    assert!(o.ok(), "{o:?}");
    assert_eq!((owner(&p), mode(&p)), (uid, 0o600));
    assert_eq!(std::fs::read_to_string(&p).expect("read"), "mine\r\n");
    // Root may write these; the operator may not, so neither may their export.
    let root_only = dir_of(&dir.join("root-only"), 0, 0o700);
    let root_open = dir_of(&dir.join("root-open"), 0, 0o755);
    let locked = dir_of(&own.join("locked"), 0, 0o700);
    for parent in [&root_only, &root_open, &locked] {
        let why = refused(&d, &parent.join("x.csv"));
        assert!(
            why.contains(&format!("permission denied (as {OPERATOR})")),
            "{why}"
        );
        assert!(names(parent).is_empty(), "{}", parent.display());
    }
    // /proc's magic links reach anything root can: not followed either.
    let magic = Path::new("/proc")
        .join(std::process::id().to_string())
        .join("root");
    let through = magic.join(root_only.strip_prefix("/").expect("abs"));
    let why = refused(&d, &through.join("x.csv"));
    assert!(
        why.contains(&format!("{}: is a symbolic link", magic.display())),
        "{why}"
    );
    // A root file in the operator's own dir is not replaced.
    std::fs::write(own.join("root.csv"), "root's").expect("write");
    assert!(refused(&d, &own.join("root.csv")).ends_with("exists: choose another name"));
    assert_eq!(
        std::fs::read_to_string(own.join("root.csv")).expect("read"),
        "root's"
    );
    assert!(
        !dir.join("path-ran").exists(),
        "a program of the operator's PATH ran"
    );
}

#[test]
fn as_sudo_the_default_dir_is_made_0700_in_the_operators_passwd_home() {
    if !root() {
        return;
    }
    const USER: &str = "qd-export-home";
    let Some(dir) = in_child(
        "as_sudo_the_default_dir_is_made_0700_in_the_operators_passwd_home",
        |d| {
            home_of(USER, &d.join("home"));
            // HOME and XDG_STATE_HOME point at root's: neither is the operator's.
            let roots = dir_of(&d.join("roots"), 0, 0o700);
            vec![
                var("SUDO_USER", USER),
                var("HOME", &roots),
                var("XDG_STATE_HOME", roots.join("state")),
            ]
        },
    ) else {
        return;
    };
    let uid = Account::by_name(USER).expect("user").uid;
    let home = dir.join("home");
    let default = home.join(".local/state/quarterdeck/exports");
    assert_eq!(exports_dir(), Some(default.clone()));
    let d = open(&dir);
    // The umask the operator passes takes nothing off the modes qd sets.
    // SAFETY: umask(2) has no preconditions.
    unsafe { libc::umask(0o777) };
    let p = default.join(export_file_name(
        "hosts",
        ExportFormat::Csv,
        std::time::SystemTime::now(),
    ));
    let o = export(&d, &p, "a\r\n");
    assert!(o.ok(), "{o:?}");
    assert_eq!((owner(&p), mode(&p)), (uid, 0o600));
    for made in [
        ".local",
        ".local/state",
        ".local/state/quarterdeck",
        ".local/state/quarterdeck/exports",
    ] {
        assert_eq!(
            (owner(&home.join(made)), mode(&home.join(made))),
            (uid, 0o700),
            "{made}"
        );
    }
    assert!(names(&dir.join("roots")).is_empty());
    // Only the default dir is made: a missing dir the operator names is an error.
    let why = refused(&d, &home.join("nodir/x.csv"));
    assert!(why.ends_with("nodir: does not exist"), "{why}");
    // A link the operator plants on the way to the default dir is not followed.
    let elsewhere = dir_of(&dir.join("elsewhere"), uid, 0o700);
    std::fs::remove_file(&p).expect("rm");
    std::fs::remove_dir(&default).expect("rmdir");
    std::os::unix::fs::symlink(&elsewhere, &default).expect("link");
    let why = refused(&d, &default.join("y.csv"));
    assert!(why.contains("exports: is a symbolic link"), "{why}");
    assert!(names(&elsewhere).is_empty());
}

#[test]
fn as_sudo_an_xdg_state_home_outside_the_operators_home_is_ignored() {
    if !root() {
        return;
    }
    const USER: &str = "qd-export-xdg";
    for case in ["outside", "climbs-out", "sibling", "relative", "inside"] {
        let Some(dir) = in_child(
            "as_sudo_an_xdg_state_home_outside_the_operators_home_is_ignored",
            |d| {
                let home = d.join("op");
                home_of(USER, &home);
                dir_of(&d.join("roots"), 0, 0o700);
                dir_of(&d.join("op2"), 0, 0o755);
                let xdg = match case {
                    "outside" => d.join("roots"),
                    "climbs-out" => home.join("../roots"),
                    "sibling" => d.join("op2"),
                    "relative" => "op/st".into(),
                    _ => home.join("st"),
                };
                vec![
                    var("SUDO_USER", USER),
                    var("XDG_STATE_HOME", xdg),
                    var("QD_T_CASE", case),
                ]
            },
        ) else {
            continue;
        };
        let case = std::env::var("QD_T_CASE").expect("case");
        let home = dir.join("op");
        let want = if case == "inside" {
            home.join("st/quarterdeck/exports")
        } else {
            home.join(".local/state/quarterdeck/exports")
        };
        assert_eq!(exports_dir(), Some(want.clone()), "{case}");
        let file = want.join("t.json");
        let o = export(&open(&dir), &file, "{}\n");
        assert!(o.ok(), "{case}: {o:?}");
        let uid = Account::by_name(USER).expect("user").uid;
        assert_eq!((owner(&file), owner(&want)), (uid, uid), "{case}");
        assert!(names(&dir.join("roots")).is_empty() && names(&dir.join("op2")).is_empty());
        return;
    }
}

#[test]
fn as_sudo_for_an_unknown_operator_nothing_is_written_as_root() {
    if !root() {
        return;
    }
    let Some(dir) = in_child(
        "as_sudo_for_an_unknown_operator_nothing_is_written_as_root",
        |_| vec![var("SUDO_USER", "qd-no-such-operator")],
    ) else {
        return;
    };
    assert!(quarterdeck::sys::privileged());
    assert_eq!(exports_dir(), None);
    let p = dir.join("x.csv");
    let why = refused(&open(&dir), &p);
    assert!(why.contains("the operator's account is unknown"), "{why}");
    assert!(!p.exists());
}
