//! The trust model's file handling, attacked: symlinks on the way to a config, a link
//! planted where root writes its log, control characters in log records, and errors
//! that would quote a file the operator cannot read. Setup as in tests/trust_model.rs.

mod support;

use std::path::Path;
use support::qdconf::{Extra, QdConf};
use support::trust::{SYSTEM, operator_config, root_only, text, write};
use support::{stderr, stdout};

#[test]
fn links_are_followed_only_from_trusted_directories() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new("");
    let base = conf.env.dir.path().join("links");
    let real = base.join("real.toml");
    write(&real, "[general]\nrefresh_ms = 1200\n", 0o644);
    let open = base.join("open");
    std::fs::create_dir(&open).expect("mkdir");
    std::os::unix::fs::chown(&open, Some(54_321), None).expect("chown");
    std::os::unix::fs::symlink("../real.toml", open.join("link.toml")).expect("ln");
    std::os::unix::fs::symlink("real.toml", base.join("link.toml")).expect("ln");
    let check = |p: &Path| {
        let o = conf.run(
            Some("dev1"),
            &["config", "check", p.to_str().expect("utf8")],
        );
        stdout(&o) + &stderr(&o)
    };
    let out = check(&base.join("link.toml"));
    assert!(out.contains("ok (given file, trusted)"), "{out}");
    let out = check(&open.join("link.toml"));
    assert!(
        out.contains("not trusted")
            && out.contains("symbolic link in a directory that is not trusted"),
        "{out}"
    );
    // Used as --config under sudo, the same link is refused.
    let extra = Extra {
        config: Some(open.join("link.toml")),
        ..Extra::default()
    };
    let out = conf.run_with(Some("dev1"), &extra, &["site", "list"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn root_never_appends_to_a_log_planted_in_the_operators_state_dir() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new(SYSTEM);
    let state = conf.env.dir.path().join("opstate");
    std::fs::create_dir_all(state.join("quarterdeck")).expect("mkdir");
    let target = conf.env.dir.path().join("precious");
    write(&target, "precious\n", 0o644);
    std::os::unix::fs::symlink(&target, state.join("quarterdeck/qd.log")).expect("ln");
    let mut extra = operator_config(&conf, false, "[[site]]\nname = \"x\"\nuser = \"root\"\n");
    extra.state_home = Some(state.clone());
    for op in [Some("dev1"), None] {
        let out = conf.run_with(op, &extra, &["site", "list"]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "precious\n",
        "a planted link was followed"
    );
    // The privileged run logged to the root-owned place instead.
    assert!(
        conf.privileged_log().contains("[[site]] ignored"),
        "{}",
        conf.privileged_log()
    );
}

#[test]
fn a_newline_in_a_config_key_does_not_start_a_log_line() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new("");
    std::fs::write(
        &conf.path,
        "[general]\n\"evil\\nINJECTED rm -rf /\\u001b[2J\" = 1\n",
    )
    .expect("write");
    let out = conf.run(Some("dev1"), &["site", "list"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let log = conf.privileged_log();
    assert!(log.contains("evil\\nINJECTED"), "{log}");
    assert!(!log.contains('\x1b'), "{log:?}");
    // Every line is a record of its own (they start with their timestamp).
    for line in log.lines() {
        assert!(
            line.starts_with(|c: char| c.is_ascii_digit()),
            "a forged log line: {log}"
        );
    }
    assert_eq!(
        log.lines().filter(|l| l.contains("evil")).count(),
        1,
        "{log}"
    );
}

#[test]
fn a_root_only_file_given_under_sudo_is_not_echoed_in_errors() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new(SYSTEM);
    // A root-owned, root-only file: trusted by ownership, but the operator cannot read it.
    let secret = conf.env.dir.path().join("secret.toml");
    write(
        &secret,
        "[general]\nrefresh_ms = \"hunter2-SECRET\"\n",
        0o600,
    );
    let extra = Extra {
        config: Some(secret.clone()),
        ..Extra::default()
    };
    let out = conf.run_with(Some("dev1"), &extra, &["site", "list"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("secret.toml:2:") && err.contains("details withheld"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    let path = secret.to_str().expect("utf8");
    let out = conf.run(Some("dev1"), &["config", "check", path]);
    assert!(!text(&out).contains("hunter2"), "{}", text(&out));
    // Root as itself sees the whole message.
    let out = conf.run(None, &["config", "check", path]);
    assert!(stderr(&out).contains("hunter2"), "{}", stderr(&out));
    // A theme name cannot walk out of the themes directory.
    let extra = operator_config(&conf, false, "[general]\ntheme = \"../../../../etc/x\"\n");
    let out = conf.run_with(Some("dev1"), &extra, &["site", "list"]);
    assert!(
        stderr(&out).contains("a theme name uses letters, digits"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_link_someone_else_owns_in_a_sticky_directory_is_not_trusted() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new("");
    let real = conf.env.dir.path().join("real.toml");
    write(&real, "[general]\nrefresh_ms = 1200\n", 0o644);
    // /tmp is root's and sticky: links root owns there may be followed, others' not.
    let link = std::env::temp_dir().join(format!("qd-sticky-link-{}.toml", std::process::id()));
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&real, &link).expect("ln");
    let check = || {
        let o = conf.run(
            Some("dev1"),
            &["config", "check", link.to_str().expect("utf8")],
        );
        text(&o)
    };
    let root_owned = check();
    std::os::unix::fs::lchown(&link, Some(54_321), None).expect("lchown");
    let foreign = check();
    let _ = std::fs::remove_file(&link);
    assert!(
        root_owned.contains("ok (given file, trusted)"),
        "{root_owned}"
    );
    assert!(
        foreign.contains("symbolic link owned by uid 54321 in a shared sticky directory"),
        "{foreign}"
    );
}

/// Under sudo a user theme is read as the operator could read it: no link followed,
/// and a root-only file in their themes dir is refused; their own theme still works
/// (its errors are theirs to see). Uses a real account (nobody) as the operator.
#[test]
fn a_user_theme_under_sudo_is_read_with_the_operators_rights() {
    use std::os::unix::fs::{PermissionsExt, chown, symlink};
    if !root_only() {
        return;
    }
    let conf = QdConf::new(SYSTEM);
    // Not under the 0700 test dir: the operator must be able to walk to their themes.
    let base = tempfile::tempdir().expect("tmp");
    std::fs::set_permissions(base.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let xdg = base.path().join("xdg");
    let themes = xdg.join("quarterdeck/themes");
    std::fs::create_dir_all(&themes).expect("mkdir");
    for d in [&xdg, &xdg.join("quarterdeck"), &themes] {
        chown(d, Some(65_534), Some(65_534)).expect("chown");
    }
    let secret = base.path().join("secret.toml");
    write(&secret, "text = { fg = \"hunter2-linked\" }\n", 0o600);
    symlink(&secret, themes.join("linked.toml")).expect("ln");
    write(
        &themes.join("rootonly.toml"),
        "text = { fg = \"hunter2-rootonly\" }\n",
        0o600,
    );
    let mine = themes.join("mine.toml");
    write(&mine, "selection = { fg = \"blurple\" }\n", 0o644);
    chown(&mine, Some(65_534), Some(65_534)).expect("chown");
    let extra = Extra {
        config_home: Some(xdg.clone()),
        ..Default::default()
    };
    let run = |theme: &str| {
        let o = conf.run_with(Some("nobody"), &extra, &["--theme", theme, "site", "list"]);
        text(&o)
    };
    for theme in ["linked", "rootonly"] {
        let out = run(theme);
        assert!(!out.contains("hunter2"), "{theme}: {out}");
        assert!(
            out.contains(&format!("no theme `{theme}`")) && out.contains("user theme not used"),
            "{theme}: {out}"
        );
    }
    let out = run("mine");
    assert!(out.contains("`blurple` is not a colour"), "{out}");
}
