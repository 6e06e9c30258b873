//! The rebuilt trust model and action path, attacked with cases the team's own tests
//! do not cover. Each test performs the attack and asserts the SAFE behaviour: on the
//! code as reviewed they FAIL, and each failure is a hole (see notes/wt-attack1.md).
//!
//! Attackers: a site user owning their site's directory (uid 54321 here: ownership
//! is all the kernel looks at), a developer/readonly operator under sudo (SUDO_USER),
//! and root as itself with a system file that names a path a user controls.

mod support;

use std::os::unix::fs::{PermissionsExt, chown, symlink};
use std::path::{Path, PathBuf};
use support::qdconf::{QdConf, me};
use support::systemd::UserSystemd;
use support::trust::{SYSTEM, root_only, text, write};
use support::{sleeper, stderr, stdout};

/// The uid of the hostile site user / account owning a directory.
const SITE_UID: u32 = 54_321;

/// A directory owned by the hostile user, mode 0755, created under `base`.
fn hostile_dir(base: &Path, name: &str) -> PathBuf {
    let d = base.join(name);
    std::fs::create_dir_all(&d).expect("mkdir");
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    chown(&d, Some(SITE_UID), Some(SITE_UID)).expect("chown");
    d
}

/// A root-only file holding a secret, as another site's env file or /etc/shadow is.
fn root_secret(base: &Path) -> PathBuf {
    let p = base.join("root-secret");
    write(&p, "TOPSECRET=root-only-value\n", 0o600);
    p
}

/// Hole: `[systemd] unit_file_template` names a file that root reads with
/// `std::fs::read_to_string` (src/actions/unitfile.rs, `render`): no trust check, a
/// symlink followed. The system file is trusted, but the template it names is owned by
/// a user (a deployer, a site user): whoever writes it decides every unit file root
/// installs (`User=root`, any ExecStart), and a planted link prints a root-only file to
/// any operator allowed `sudo qd service render`.
#[test]
fn a_unit_template_a_user_controls_is_never_used() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new("");
    let base = conf.env.dir.path().join("tmpl");
    std::fs::create_dir_all(&base).expect("mkdir");
    let owned = hostile_dir(&base, "deploy");
    let tmpl = owned.join("unit.tmpl");
    write(
        &tmpl,
        "[Service]\nUser=root\nExecStart=/bin/sh -c 'echo pwned-by-template > /etc/motd'\n",
        0o644,
    );
    chown(&tmpl, Some(SITE_UID), Some(SITE_UID)).expect("chown");
    let secret = root_secret(&base);
    let link = owned.join("link.tmpl");
    symlink(&secret, &link).expect("ln");
    for t in [&tmpl, &link] {
        conf.write(&format!(
            "[systemd]\nunit_file_template = \"{}\"\n{}",
            t.display(),
            SYSTEM.replace(
                "[[site.service]]\nname = \"api\"\nworking_dir = \"/\"\n",
                "[[site.service]]\nname = \"api\"\nworking_dir = \"/\"\nexec_start = [\"/bin/true\"]\n"
            )
        ));
        for op in [None, Some("dev1")] {
            let o = conf.run(op, &["service", "render", "shop/api"]);
            let out = text(&o);
            assert!(
                !out.contains("pwned-by-template") && !out.contains("root-only-value"),
                "root used a template {} owned by uid {SITE_UID} (operator {op:?}):\n{out}",
                t.display()
            );
            assert!(
                !o.status.success() && out.contains("not trusted"),
                "the untrusted template should be refused with the reason:\n{out}"
            );
        }
    }
}

/// Hole: the unit qd installs (built-in template, src/actions/unitfile.rs `BUILTIN`)
/// has `EnvironmentFile=-{env_file}` and `StandardOutput=append:{log_file}`, which the
/// service manager opens **as root, following symlinks**, before it switches to
/// `User=`. Both paths usually live in the site's directory, which the site user owns:
/// qd itself now reads env files with the site user's rights, but the unit it writes
/// hands the same file to root again. The site user plants `app.log -> /etc/...` and
/// root appends the service's output there; or `app.env -> another site's env file`
/// and their service gets that site's secrets in its environment. Here the private
/// user manager (root's) starts the installed unit and appends to a root-only file
/// through the link the site user planted.
///
/// Safe: `qd service install` refuses an env_file or log_file whose directory a
/// non-root user can write (or the unit opens them some other way), so no root-only
/// file is ever written through a site's link.
#[test]
fn an_installed_unit_never_makes_the_manager_open_a_site_users_link_as_root() {
    if !root_only() {
        return;
    }
    let sd = UserSystemd::start();
    let base = tempfile::tempdir().expect("tmp");
    let site_dir = hostile_dir(base.path(), "site");
    let precious = base.path().join("precious");
    write(&precious, "precious\n", 0o600);
    let secret = root_secret(base.path());
    let log = site_dir.join("app.log");
    let env = site_dir.join("app.env");
    // What the site user does in their own directory.
    symlink(&precious, &log).expect("ln log");
    symlink(&secret, &env).expect("ln env");
    let conf = QdConf::new(&format!(
        "[systemd]\nbus = \"user\"\nbus_address = \"{}\"\n[[site]]\nname = \"shop\"\nuser = \"{}\"\n\
         [[site.service]]\nname = \"app\"\nexec_start = [\"/bin/sh\", \"-c\", \"echo out-$TOPSECRET\"]\n\
         env_file = \"{}\"\nlog_file = \"{}\"\n\
         [[policy.operator]]\nuser = \"root\"\nrole = \"admin\"\n",
        sd.bus_address(),
        me(),
        env.display(),
        log.display()
    ));
    let config_home = sd
        .unit_dir()
        .parent()
        .and_then(Path::parent)
        .expect("config home")
        .to_path_buf();
    let mut c = conf.cmd(Some("root"), &[]);
    sd.env(&mut c);
    c.env("XDG_CONFIG_HOME", &config_home)
        .args(["--user-bus", "service", "install", "shop/app"]);
    let o = c.output().expect("qd");
    let file = sd.unit_dir().join("qd-shop-app.service");
    if file.exists() {
        // Installed: let the manager run it once, as it would at boot.
        let mut c = std::process::Command::new("systemctl");
        sd.env(&mut c);
        let _ = c.args(["--user", "start", "qd-shop-app.service"]).output();
        support::wait_until(std::time::Duration::from_secs(10), || {
            std::fs::read_to_string(&precious).is_ok_and(|s| s != "precious\n")
        });
        let mut c = std::process::Command::new("systemctl");
        sd.env(&mut c);
        let _ = c.args(["--user", "stop", "qd-shop-app.service"]).output();
    }
    assert_eq!(
        std::fs::read_to_string(&precious).expect("read"),
        "precious\n",
        "the service manager (root) wrote through the site user's link {}; install said:\n{}{}\nunit:\n{}",
        log.display(),
        stdout(&o),
        stderr(&o),
        std::fs::read_to_string(&file).unwrap_or_default()
    );
}

/// Hole: the audit log is opened with `OpenOptions::append().create()` on the path
/// (src/audit/mod.rs, `open_file`): a symlink is followed, and a day file someone else
/// owns is appended to. `[audit] dir` comes from the trusted file, but nothing checks
/// the directory itself: when it is writable by another account (a log shipper's
/// directory, a group-writable /var/log subdir), that account plants tomorrow's day
/// file as a link (root appends JSON to any file it names) or as a file of its own
/// (it can then erase the records of what was done: audit evasion).
///
/// Safe: no record goes through a link, and a record is never kept in a file another
/// user can rewrite; when the audit log cannot be kept safely, the action is refused.
#[test]
fn the_audit_log_never_follows_a_link_or_writes_into_a_file_a_user_owns() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new(SYSTEM);
    std::fs::create_dir_all(&conf.audit).expect("mkdir audit");
    std::fs::set_permissions(&conf.audit, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    chown(&conf.audit, Some(SITE_UID), Some(SITE_UID)).expect("chown");
    let precious = conf.env.dir.path().join("precious");
    write(&precious, "precious\n", 0o600);
    let day = |arg: &str| {
        let o = std::process::Command::new("date")
            .args(["-u", "-d", arg, "+%Y-%m-%d"])
            .output()
            .expect("date");
        stdout(&o).trim().to_string()
    };
    for d in [day("now"), day("tomorrow")] {
        symlink(&precious, conf.audit.join(format!("audit-{d}.jsonl"))).expect("ln");
    }
    let victim = sleeper();
    let o = conf.run(
        None,
        &["signal", &victim.pid().to_string(), "--signal", "CONT"],
    );
    assert_eq!(
        std::fs::read_to_string(&precious).expect("read"),
        "precious\n",
        "root appended an audit record through a link planted by uid {SITE_UID}: {}",
        text(&o)
    );

    // The same account pre-creating the day file as its own: it can erase records.
    for d in [day("now"), day("tomorrow")] {
        let p = conf.audit.join(format!("audit-{d}.jsonl"));
        std::fs::remove_file(&p).expect("rm link");
        write(&p, "", 0o666);
        chown(&p, Some(SITE_UID), Some(SITE_UID)).expect("chown");
    }
    let o = conf.run(
        None,
        &["signal", &victim.pid().to_string(), "--signal", "CONT"],
    );
    let today = conf.audit.join(format!("audit-{}.jsonl", day("now")));
    let kept = std::fs::read_to_string(&today).unwrap_or_default();
    assert!(
        kept.is_empty() || !o.status.success(),
        "the record of a signal was kept only in {}, a file uid {SITE_UID} owns and may rewrite:\n{kept}",
        today.display()
    );
}

/// Holes: `qd service logs` (src/cli/service_info.rs `logs`) has no policy check and
/// reads as root: an operator the policy does not list (readonly on nothing) reads
/// the log of any unit, and the log file a unit appends to is opened with
/// `File::open` (src/sources/unitlogs.rs `Tail::open`), following a link. The file is
/// in the site's directory: the site user makes it a link to a root-only file and any
/// operator who may see the site (or the site user, when they are its developer)
/// gets that file printed by root.
///
/// Safe: an operator sees only the logs of their sites' units, and a log file in a
/// directory a site user controls is read with that user's rights (no link followed).
#[test]
fn service_logs_follow_the_policy_and_never_read_through_a_site_users_link() {
    if !root_only() {
        return;
    }
    let sd = UserSystemd::start();
    let base = tempfile::tempdir().expect("tmp");
    let site_dir = hostile_dir(base.path(), "site");
    let log = site_dir.join("app.log");
    write(&log, "log-line-of-shop\n", 0o644);
    chown(&log, Some(SITE_UID), Some(SITE_UID)).expect("chown");
    sd.write_unit(
        "qd-shop-logs.service",
        &format!(
            "[Service]\nExecStart=/bin/sleep 1000\nStandardOutput=append:{}\n",
            log.display()
        ),
    );
    sd.daemon_reload();
    let conf = QdConf::new(&format!(
        "[systemd]\nbus = \"user\"\nbus_address = \"{}\"\n[[site]]\nname = \"shop\"\nuser = \"{}\"\n\
         [[site.service]]\nname = \"api\"\nunit = \"qd-shop-logs.service\"\n\
         [[policy.operator]]\nuser = \"alice\"\nrole = \"developer\"\nsites = [\"shop\"]\n\
         [[policy.operator]]\nuser = \"root\"\nrole = \"admin\"\n",
        sd.bus_address(),
        me()
    ));
    let run = |op: &str, unit: &str| {
        let mut c = conf.cmd(Some(op), &["service", "logs", unit, "-n", "5"]);
        sd.env(&mut c);
        c.output().expect("qd")
    };
    // eve is in no rule: readonly on nothing. She names the unit, not the site.
    let mut holes = Vec::new();
    let o = run("eve", "qd-shop-logs.service");
    if stdout(&o).contains("log-line-of-shop") || o.status.success() {
        holes.push(format!(
            "an operator the policy does not list read a site's log:\n{}",
            text(&o)
        ));
    }
    // The site user swaps the log for a link to a root-only file.
    let secret = root_secret(base.path());
    std::fs::remove_file(&log).expect("rm");
    symlink(&secret, &log).expect("ln");
    let o = run("alice", "shop/api");
    if text(&o).contains("root-only-value") {
        holes.push(format!(
            "root printed a root-only file through the site user's link {}:\n{}",
            log.display(),
            text(&o)
        ));
    }
    assert!(holes.is_empty(), "{}", holes.join("\n---\n"));
}

/// Hole: with `[systemd] bus = "user"` in the system file, root finds "the user bus"
/// through `DBUS_SESSION_BUS_ADDRESS` / `XDG_RUNTIME_DIR` (zbus's session builder,
/// src/systemd/mod.rs `connect`), and in privileged mode those are the operator's
/// (`sudo -E`, env_keep). The operator points root's qd at a manager of their own:
/// every command then goes there as a transient unit whose `Environment=` carries
/// the site's env file, values and all, so a developer reads the secrets that only an
/// admin's recorded reveal may show (and that manager answers every unit question:
/// log file paths, states). Here the operator's manager is the test's private
/// `systemd --user`, and the developer reads the unit's environment from it.
///
/// Safe: in privileged mode the user bus is root's own (from the passwd database or
/// the system file), never one the operator's environment names; no secret reaches a
/// bus the operator chose.
#[test]
fn the_operators_environment_never_chooses_the_bus_root_sends_secrets_to() {
    if !root_only() {
        return;
    }
    let theirs = UserSystemd::start();
    let base = tempfile::tempdir().expect("tmp");
    std::fs::set_permissions(base.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let env = base.path().join("api.env");
    write(&env, "DB_PASSWORD=hunter2-of-shop\n", 0o600);
    chown(&env, Some(65_534), Some(65_534)).expect("chown nobody");
    let conf = QdConf::new(&format!(
        "[systemd]\nbus = \"user\"\n[[site]]\nname = \"shop\"\nuser = \"nobody\"\n\
         [[site.service]]\nname = \"api\"\nworking_dir = \"/\"\nenv_file = \"{}\"\n\
         [[site.service.command]]\nname = \"wait\"\nrun = [\"/bin/sleep\", \"30\"]\n\
         [[policy.operator]]\nuser = \"alice\"\nrole = \"developer\"\nsites = [\"shop\"]\n",
        env.display()
    ));
    // alice may run the site's commands, but not read its env file's values.
    let o = conf.run(Some("alice"), &["service", "env", "shop/api", "--reveal"]);
    assert!(!text(&o).contains("hunter2-of-shop"), "{}", text(&o));
    let mut c = conf.cmd(Some("alice"), &["run", "shop/api", "wait", "--yes"]);
    theirs.env(&mut c); // what `sudo -E` passes on
    let mut qd = c
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("qd run");
    let mut seen = String::new();
    support::wait_until(std::time::Duration::from_secs(15), || {
        let o = theirs.systemctl(&["list-units", "--all", "--plain", "--no-legend", "qd-run-*"]);
        for unit in stdout(&o)
            .split_whitespace()
            .filter(|w| w.starts_with("qd-run-"))
        {
            let e = theirs.show(unit, "Environment");
            if e.contains("hunter2") {
                seen = format!("{unit}: {e}");
            }
        }
        !seen.is_empty() || qd.try_wait().ok().flatten().is_some()
    });
    let _ = qd.kill();
    let _ = qd.wait();
    assert!(
        seen.is_empty(),
        "root sent the site's env file to the manager the operator's environment named:\n{seen}"
    );
}

/// Hole: "what a role sees follows what it may do" holds for sites only: src/main.rs
/// filters `cfg.sites` for the operator, but `qd snapshot` (src/cli/snapshot.rs) and
/// the views list every process of the host, root's included, with argv, unit and
/// user, to an operator the policy does not list (readonly on nothing). root reads
/// what hidepid or another user's /proc would refuse them.
///
/// Safe: a readonly operator with no site sees no root process that belongs to none
/// of their sites and is not theirs.
#[test]
fn an_unlisted_operator_sees_no_process_outside_their_sites() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new(SYSTEM);
    let victim = sleeper();
    let o = conf.run(Some("eve"), &["snapshot", "processes", "--json"]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let listed = v["processes"]
        .as_array()
        .expect("processes")
        .iter()
        .any(|p| p["pid"] == victim.pid());
    assert!(
        !listed,
        "eve (in no policy rule) was shown root's process {} (sleep 1000)",
        victim.pid()
    );
}

/// Hole: a theme is looked up in the operator's own config dir (XDG_CONFIG_HOME,
/// passed by `sudo -E`) with `trust::open`, which follows a link wherever it points;
/// in privileged mode the file need only be "the operator's or root's"
/// (src/config/theme.rs `load`). A link `themes/evil.toml -> /root/secret.toml` is
/// root's, so root reads a root-only file for the operator and parses it, and the
/// parse error names its keys and quotes its values ("unknown field token",
/// "hunter2 is not a colour").
///
/// Safe: in privileged mode no link in the operator's dirs is followed to a file they
/// could not read themselves; nothing of a root-only file reaches their terminal.
#[test]
fn a_theme_link_never_makes_root_read_a_root_only_file_for_the_operator() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new(SYSTEM);
    let base = conf.env.dir.path().join("theme-attack");
    let xdg = base.join("xdg");
    let themes = xdg.join("quarterdeck/themes");
    std::fs::create_dir_all(&themes).expect("mkdir");
    let secrets = [
        ("keys.toml", "api_token_name_leaks = \"x\"\n"),
        ("values.toml", "text = { fg = \"hunter2-value-leaks\" }\n"),
    ];
    for (name, body) in secrets {
        let secret = base.join(name);
        write(&secret, body, 0o600);
        let link = themes.join(format!("evil-{name}"));
        symlink(&secret, &link).expect("ln");
    }
    for d in [&base, &xdg, &xdg.join("quarterdeck"), &themes] {
        chown(d, Some(SITE_UID), Some(SITE_UID)).expect("chown");
    }
    for (name, _) in secrets {
        let theme = format!("evil-{}", name.trim_end_matches(".toml"));
        let extra = support::qdconf::Extra {
            config_home: Some(xdg.clone()),
            ..Default::default()
        };
        // The operator is uid 54321's name in the real attack; any listed operator
        // shows it: dev1 passes the link, root reads the file.
        let o = conf.run_with(Some("dev1"), &extra, &["--theme", &theme, "site", "list"]);
        let out = text(&o);
        assert!(
            !out.contains("api_token_name_leaks") && !out.contains("hunter2-value-leaks"),
            "root read a root-only file through the operator's theme link and printed it:\n{out}"
        );
    }
}

/// Runs `c` to its end, killing it (by its pid) after `bound`: `None` when it hung.
fn run_bounded(
    c: &mut std::process::Command,
    bound: std::time::Duration,
) -> Option<std::process::Output> {
    let mut child = c
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let done = support::wait_until(bound, || child.try_wait().ok().flatten().is_some());
    if !done {
        let _ = child.kill();
        let _ = child.wait();
        return None;
    }
    child.wait_with_output().ok()
}

/// Hole (denial of service of root): `Tail::open` (src/sources/unitlogs.rs) opens a
/// unit's log file with `File::open` (blocking, links followed) and reads it with an
/// unbounded `read_to_end` after seeking to `len - back`. The log lives in the site's
/// directory: the site user makes it a FIFO (every `qd service logs` hangs for good)
/// or a link to /dev/zero (size 0, endless: root's qd allocates until the OOM killer
/// comes; here an address-space limit of 1 GiB makes it stop at "out of memory").
///
/// Safe: both end within 30 s, with a clear error or nothing to show, never a panic.
#[test]
fn a_site_users_log_file_never_hangs_or_exhausts_root() {
    if !root_only() {
        return;
    }
    let sd = UserSystemd::start();
    let base = tempfile::tempdir().expect("tmp");
    let site_dir = hostile_dir(base.path(), "site");
    let fifo = site_dir.join("fifo.log");
    let zero = site_dir.join("zero.log");
    let c = std::ffi::CString::new(fifo.to_str().expect("utf8")).expect("cstr");
    // SAFETY: mkfifo on a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
    chown(&fifo, Some(SITE_UID), Some(SITE_UID)).expect("chown");
    symlink("/dev/zero", &zero).expect("ln");
    for (unit, log) in [
        ("qd-shop-fifo.service", &fifo),
        ("qd-shop-zero.service", &zero),
    ] {
        sd.write_unit(
            unit,
            &format!(
                "[Service]\nExecStart=/bin/sleep 1000\nStandardOutput=append:{}\n",
                log.display()
            ),
        );
    }
    sd.daemon_reload();
    let conf = QdConf::new(&format!(
        "[systemd]\nbus = \"user\"\nbus_address = \"{}\"\n[[site]]\nname = \"shop\"\nuser = \"{}\"\n\
         [[site.service]]\nname = \"fifo\"\nunit = \"qd-shop-fifo.service\"\n\
         [[site.service]]\nname = \"zero\"\nunit = \"qd-shop-zero.service\"\n\
         [[policy.operator]]\nuser = \"alice\"\nrole = \"developer\"\nsites = [\"shop\"]\n",
        sd.bus_address(),
        me()
    ));
    let mut holes = Vec::new();
    for svc in ["shop/zero", "shop/fifo"] {
        let mut c = conf.cmd(Some("alice"), &["service", "logs", svc, "-n", "5"]);
        sd.env(&mut c);
        // SAFETY: setrlimit in the child before exec; async-signal-safe.
        unsafe {
            use std::os::unix::process::CommandExt;
            c.pre_exec(|| {
                let lim = libc::rlimit {
                    rlim_cur: 1 << 30,
                    rlim_max: 1 << 30,
                };
                libc::setrlimit(libc::RLIMIT_AS, &lim);
                Ok(())
            });
        }
        match run_bounded(&mut c, std::time::Duration::from_secs(30)) {
            None => holes.push(format!("qd service logs {svc}: still running after 30 s")),
            Some(o) => {
                let out = text(&o);
                let exhausted = ["memory allocation", "out of memory", "panicked"]
                    .iter()
                    .any(|m| out.contains(m));
                if o.status.code().is_none() || exhausted {
                    holes.push(format!("qd service logs {svc}: {:?}\n{out}", o.status));
                }
            }
        }
    }
    assert!(holes.is_empty(), "{}", holes.join("\n---\n"));
}

/// Hole: in privileged mode a `--config` file only has to be trusted, and any
/// root-owned file on the host is (an example shipped under /usr/share/doc, a backup
/// `config.toml.bak`, another tool's TOML, a test fixture). It is applied over the
/// system file (src/config/layers.rs `explicit_file`): it keeps the system policy but
/// redefines the sites that policy names. A developer of `shop` picks a root-owned
/// file in which `shop`'s user is root and gets its command run as uid 0.
///
/// Safe: under sudo the system file alone defines sites, their users and commands
/// (a `--config` may narrow or set UI preferences, never redefine a site for root).
#[test]
fn a_root_owned_config_the_operator_picks_never_redefines_a_site_as_root() {
    if !root_only() {
        return;
    }
    let conf = QdConf::new(SYSTEM);
    let marker = conf.env.dir.path().join("uid-of-command");
    let example = conf.env.dir.path().join("usr-share-doc/example.toml");
    write(
        &example,
        &format!(
            "[[site]]\nname = \"shop\"\nuser = \"root\"\n[[site.service]]\nname = \"api\"\n\
             working_dir = \"/\"\n[[site.service.command]]\nname = \"build\"\n\
             run = [\"/bin/sh\", \"-c\", \"id -u > {}\"]\n",
            marker.display()
        ),
        0o644,
    );
    let extra = support::qdconf::Extra {
        config: Some(example),
        ..Default::default()
    };
    let o = conf.run_with(Some("dev1"), &extra, &["run", "shop/api", "build", "--yes"]);
    let uid = std::fs::read_to_string(&marker).unwrap_or_default();
    assert_ne!(
        uid.trim(),
        "0",
        "developer dev1 ran a command as root through a root-owned --config:\n{}",
        text(&o)
    );
}

/// Hole: `qd restart` refuses another mount or pid namespace (src/actions/restart.rs
/// `same_namespaces`) but not another root directory. A process in a chroot jail
/// (the older kind of container: a build chroot, a jailed daemon) shares qd's
/// namespaces; its exe, cwd and argv read through /proc are host paths into the jail,
/// and the relaunch runs them outside the chroot. Root in the jail replaces the
/// jail's binary and asks for a restart: its file runs as root on the host, outside
/// the jail.
///
/// Safe: a process whose root directory is not qd's is refused, as a container's is.
#[test]
fn restart_refuses_a_process_in_a_chroot() {
    if !root_only() {
        return;
    }
    let base = tempfile::tempdir().expect("tmp");
    let jail = base.path().join("jail");
    for (from, to) in [
        ("/bin/sleep", "bin/sleep"),
        (
            "/lib/x86_64-linux-gnu/libc.so.6",
            "lib/x86_64-linux-gnu/libc.so.6",
        ),
        ("/lib64/ld-linux-x86-64.so.2", "lib64/ld-linux-x86-64.so.2"),
    ] {
        let to = jail.join(to);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        if std::fs::copy(from, &to).is_err() {
            eprintln!("skipped: no {from} to build a jail from");
            return;
        }
    }
    let jailed = support::Proc {
        child: support::spawn_execd(
            std::process::Command::new("chroot")
                .arg(&jail)
                .args(["/bin/sleep", "1000"])
                .stdin(std::process::Stdio::null()),
        ),
        stdin: None,
    };
    // Root in the jail replaces its binary (the running one keeps its inode).
    let escaped = base.path().join("escaped-the-jail");
    let bin = jail.join("bin/sleep");
    std::fs::remove_file(&bin).expect("rm");
    write(
        &bin,
        &format!("#!/bin/sh\nid -u > {}\n", escaped.display()),
        0o755,
    );
    let o = support::QdEnv::new().run(&["restart", &jailed.pid().to_string()]);
    if o.status.success() {
        support::wait_until(std::time::Duration::from_secs(10), || escaped.exists());
    }
    assert!(
        !o.status.success(),
        "a chrooted process was relaunched outside its jail (marker written: {}, uid {}):\n{}",
        escaped.exists(),
        std::fs::read_to_string(&escaped).unwrap_or_default().trim(),
        text(&o)
    );
}
