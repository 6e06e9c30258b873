//! `e` on a service, end to end with the real binary in tmux, as root through sudo
//! (`SUDO_USER`): the editor runs as the operator, never as root (the "editor" records
//! its uid in the file it is given), the change is written back with the site file's
//! owner and mode kept, through a confirmation, and the audit log has the reveal and the
//! write. A readonly operator's `e` shows the denial and runs no editor.
//!
//! Needs the real `sys::sitefile` (read and replace).

mod support;

use support::ensure_user;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::time::Duration;
use support::qdconf::{QdConf, is_root};
use support::tmux::Tmux;
use support::wait_until;

const OPERATOR: &str = "qd-envop";
const SITE_USER: &str = "qd-envsite";

struct Setup {
    _sd: support::systemd::UserSystemd,
    conf: QdConf,
    env_file: std::path::PathBuf,
    marker: std::path::PathBuf,
    pre: String,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

fn setup(role: &str) -> Setup {
    setup_with(role, "echo \"EDITOR_UID=$(id -u)\" >> \"$1\"\n")
}

/// `edit`: the editor script's body after it records that it ran (`$1` is the copy).
fn setup_with(role: &str, edit: &str) -> Setup {
    let site_uid = ensure_user(SITE_USER);
    ensure_user(OPERATOR);
    let sd = support::systemd::UserSystemd::start();
    sd.write_unit(
        "qd-e2e-envapp.service",
        "[Service]\nExecStart=/bin/sleep 4000\n",
    );
    sd.daemon_reload();
    // The site's directory and env file: the site user's, mode 0600.
    let site = tempfile::tempdir().expect("tmp");
    let env_file = site.path().join("app.env");
    std::fs::write(&env_file, "# app\nPORT=1\n").expect("env file");
    std::fs::set_permissions(&env_file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    std::os::unix::fs::chown(&env_file, Some(site_uid), Some(site_uid)).expect("chown");
    // The editor: a script anyone may run, recording who ran it.
    let tools = tempfile::tempdir().expect("tmp");
    std::fs::set_permissions(tools.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let marker = tools.path().join("editor-ran");
    let editor = tools.path().join("editor.sh");
    std::fs::write(
        &editor,
        format!("#!/bin/sh\ntouch {}\n{edit}", marker.display()),
    )
    .expect("editor");
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let conf = QdConf::new(&format!(
        "[systemd]\nbus = \"user\"\nbus_address = \"{}\"\n[[site]]\nname = \"envs\"\nuser = \"{SITE_USER}\"\n[[site.service]]\nname = \"app\"\nunit = \"qd-e2e-envapp.service\"\nenv_file = \"{}\"\n[[policy.operator]]\nuser = \"{OPERATOR}\"\nrole = \"{role}\"\nsites = \"*\"\n",
        sd.bus_address(),
        env_file.display()
    ));
    // The config is the system file, as under a real sudo: qd runs in the mount
    // namespace that puts it on /etc/quarterdeck (a --config could not carry policy).
    let pre = format!(
        "SUDO_USER={OPERATOR} XDG_RUNTIME_DIR={} DBUS_SESSION_BUS_ADDRESS={} VISUAL= EDITOR={} {}",
        sd.runtime_dir().display(),
        sd.bus_address(),
        editor.display(),
        conf.namespace_prefix()
    );
    Setup {
        _sd: sd,
        conf,
        env_file,
        marker,
        pre,
        _dirs: (site, tools),
    }
}

fn open_services(t: &Tmux) {
    t.keys(&["S"]);
    assert!(
        wait_until(Duration::from_secs(10), || t
            .screen()
            .contains("qd-e2e-envapp.service")),
        "{}",
        t.screen()
    );
}

#[test]
fn the_editor_runs_as_the_operator_and_the_write_is_confirmed_and_recorded() {
    if !is_root() {
        eprintln!("skipped: needs root (sudo is impersonated with SUDO_USER)");
        return;
    }
    let s = setup("admin");
    let op_uid = ensure_user(OPERATOR);
    let site_uid = ensure_user(SITE_USER);
    let args = String::new();
    let t = Tmux::start_env("envedit", &s.pre, &args, 150, 30);
    open_services(&t);
    t.keys(&["e"]);
    assert!(t.wait_for("write env file", 10), "{}", t.screen());
    // Nothing is written before the confirmation.
    assert_eq!(
        std::fs::read_to_string(&s.env_file).expect("env"),
        "# app\nPORT=1\n"
    );
    t.keys(&["y"]);
    assert!(t.wait_for("restart — 1 unit", 10), "{}", t.screen());
    t.keys(&["n", "q"]);
    t.assert_restored();
    let text = std::fs::read_to_string(&s.env_file).expect("env");
    assert_eq!(text, format!("# app\nPORT=1\nEDITOR_UID={op_uid}\n"));
    assert_ne!(op_uid, 0);
    let m = std::fs::metadata(&s.env_file).expect("stat");
    assert_eq!(m.mode() & 0o7777, 0o600, "mode kept");
    assert_eq!(m.uid(), site_uid, "owner kept");
    // Nothing left beside the site's file (no copy, no `.rejected`).
    let names: Vec<_> = std::fs::read_dir(s.env_file.parent().expect("dir"))
        .expect("ls")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["app.env".to_string()]);
    let recs = s.conf.records();
    let has = |action: &str| {
        recs.iter()
            .any(|r| r["action"] == action && r["operator"] == OPERATOR && r["outcome"] == "ok")
    };
    assert!(has("reveal env file"), "{recs:#?}");
    assert!(has("write env file"), "{recs:#?}");
}

#[test]
fn a_readonly_operators_e_shows_the_denial_and_runs_no_editor() {
    if !is_root() {
        eprintln!("skipped: needs root (sudo is impersonated with SUDO_USER)");
        return;
    }
    let s = setup("readonly");
    let args = String::new();
    let t = Tmux::start_env("envdeny", &s.pre, &args, 150, 30);
    open_services(&t);
    t.keys(&["e"]);
    assert!(t.wait_for("readonly role", 10), "{}", t.screen());
    t.keys(&["Enter", "q"]);
    t.assert_restored();
    assert!(!s.marker.exists(), "no editor ran");
    assert_eq!(
        std::fs::read_to_string(&s.env_file).expect("env"),
        "# app\nPORT=1\n"
    );
    let recs = s.conf.records();
    assert!(
        recs.iter()
            .any(|r| r["operator"] == OPERATOR && r["outcome"] == "denied"),
        "the denial is recorded: {recs:#?}"
    );
}

#[test]
fn a_link_planted_in_the_operators_copy_is_not_followed() {
    if !is_root() {
        eprintln!("skipped: needs root (sudo is impersonated with SUDO_USER)");
        return;
    }
    // A root-only file the operator may not read; the "editor" swaps the copy for a
    // link to it, hoping qd reads it back as root and writes it into the env file.
    let secret_dir = tempfile::tempdir().expect("tmp");
    let secret = secret_dir.path().join("shadow-like");
    std::fs::write(&secret, "ROOT_ONLY_SECRET=1\n").expect("secret");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let s = setup_with(
        "admin",
        &format!("rm -f \"$1\"\nln -s {} \"$1\"\n", secret.display()),
    );
    let args = String::new();
    let t = Tmux::start_env("envlink", &s.pre, &args, 150, 30);
    open_services(&t);
    t.keys(&["e"]);
    assert!(t.wait_for("Env file", 10), "{}", t.screen());
    assert!(!t.screen().contains("write env file"), "{}", t.screen());
    assert!(!t.screen().contains("ROOT_ONLY_SECRET"), "{}", t.screen());
    t.keys(&["Enter", "q"]);
    t.assert_restored();
    assert!(s.marker.exists(), "the editor ran");
    assert_eq!(
        std::fs::read_to_string(&s.env_file).expect("env"),
        "# app\nPORT=1\n"
    );
    let recs = s.conf.records();
    assert!(
        !recs.iter().any(|r| r["action"] == "write env file"),
        "{recs:#?}"
    );
}
