//! `qd run`: a site's custom command really runs as the site's user (uid, gid,
//! supplementary groups), in its working dir, with a clean environment, in a session
//! of its own; a timeout kills its whole process group; `requires_stop` stops and
//! starts a real systemd --user unit around it. Needs root (it creates a test user).

mod support;

use std::os::unix::fs::MetadataExt;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;
use support::qdconf::{QdConf, is_root, me};
use support::systemd::UserSystemd;
use support::{stderr, stdout, wait_until};

const USER: &str = "qdtestcmd";
const GROUP: &str = "qdtestextra";

/// The test user (created once) and its extra group: (uid, gid, extra gid).
fn test_user() -> (u32, u32, u32) {
    static U: OnceLock<(u32, u32, u32)> = OnceLock::new();
    *U.get_or_init(|| {
        let _ = Command::new("groupadd").args(["-f", GROUP]).status();
        support::ensure_user_with(
            USER,
            &[
                "-M",
                "-d",
                "/nonexistent",
                "-s",
                "/usr/sbin/nologin",
                "-G",
                GROUP,
            ],
        );
        let id = |flag: &str, who: &str| -> u32 {
            let o = Command::new("id").args([flag, who]).output().expect("id");
            stdout(&o).trim().parse().expect("numeric id")
        };
        let extra = Command::new("getent")
            .args(["group", GROUP])
            .output()
            .expect("getent");
        let extra: u32 = stdout(&extra)
            .split(':')
            .nth(2)
            .and_then(|g| g.trim().parse().ok())
            .expect("group gid");
        (id("-u", USER), id("-g", USER), extra)
    })
}

fn skip_unless_root(test: &str) -> bool {
    if !is_root() {
        eprintln!("{test}: skipped, needs root to create a user and switch to it");
    }
    !is_root()
}

#[test]
fn a_command_runs_as_the_site_user_with_a_clean_env_in_its_dir() {
    if skip_unless_root("clean env") {
        return;
    }
    let (uid, gid, extra) = test_user();
    let work = tempfile::tempdir().expect("workdir");
    std::os::unix::fs::chown(work.path(), Some(uid), Some(gid)).expect("chown");
    let envfile = work.path().join("app.env");
    std::fs::write(&envfile, "FROM_FILE=file value\n# comment\n").expect("env file");
    let script = "echo uid=$(id -u) gid=$(id -g); echo groups=$(id -G); echo cwd=$(pwd); \
                  echo ids=$(cut -d' ' -f1,5,6 /proc/$$/stat); tty; env | sort; touch made";
    let conf = QdConf::new(&format!(
        r#"[[site]]
name = "acme"
user = "{USER}"
[[site.service]]
name = "app"
working_dir = "{}"
env_file = "{}"
[[site.service.command]]
name = "probe"
display_name = "Probe the environment"
run = ["/bin/sh", "-c", "{script}"]
env = {{ FROM_COMMAND = "yes" }}
"#,
        work.path().display(),
        envfile.display()
    ));
    let out = conf
        .cmd(None, &["run", "acme/app", "probe", "--yes"])
        .env("SECRET_OF_CALLER", "leak")
        .env("LD_PRELOAD", "/nonexistent.so")
        .output()
        .expect("qd run");
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains(&format!("uid={uid} gid={gid}\n")), "{text}");
    let groups = text
        .lines()
        .find_map(|l| l.strip_prefix("groups="))
        .expect("groups line");
    assert!(
        groups.split(' ').any(|g| g == extra.to_string()),
        "supplementary group {extra} set: {groups}"
    );
    assert!(
        text.contains(&format!("cwd={}\n", work.path().display())),
        "{text}"
    );
    let ids: Vec<&str> = text
        .lines()
        .find_map(|l| l.strip_prefix("ids="))
        .expect("ids")
        .split(' ')
        .collect();
    assert!(
        ids.len() == 3 && ids[0] == ids[1] && ids[1] == ids[2],
        "own session and group: pid pgid sid = {ids:?}"
    );
    assert!(
        text.contains("not a tty"),
        "no controlling terminal: {text}"
    );
    for want in [
        "FROM_FILE=file value",
        "FROM_COMMAND=yes",
        &format!("USER={USER}"),
        "HOME=/nonexistent",
        "PATH=/usr/local/bin:/usr/bin:/bin",
    ] {
        assert!(text.lines().any(|l| l == want), "{want} in {text}");
    }
    for leak in ["SECRET_OF_CALLER", "LD_PRELOAD", "XDG_CONFIG_HOME", "TERM="] {
        assert!(!text.contains(leak), "{leak} leaked: {text}");
    }
    let made = std::fs::metadata(work.path().join("made")).expect("file made");
    assert_eq!((made.uid(), made.gid()), (uid, gid), "files are the user's");
    let recs = conf.records();
    let outcomes: Vec<(&str, Option<i64>)> = recs
        .iter()
        .map(|r| {
            (
                r["outcome"].as_str().unwrap_or(""),
                r["exit_status"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [("started", None), ("ok", Some(0)), ("finished", None)],
        "{recs:?}"
    );
    assert_eq!(recs[1]["action"], "run probe");
    assert_eq!(recs[1]["site"], "acme");
}

#[test]
fn a_timeout_kills_the_command_and_its_grandchildren() {
    if skip_unless_root("timeout") {
        return;
    }
    test_user();
    let dir = tempfile::tempdir().expect("dir");
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .expect("chmod");
    let pidfile = dir.path().join("grandchild");
    let conf = QdConf::new(&format!(
        r#"[[site]]
name = "acme"
user = "{USER}"
[[site.service]]
name = "app"
working_dir = "{}"
[[site.service.command]]
name = "hang"
run = "sleep 300 & echo $! > {}; echo started; sleep 300"
shell = true
timeout = "1s"
"#,
        dir.path().display(),
        pidfile.display()
    ));
    let started = std::time::Instant::now();
    let out = conf.run(None, &["run", "acme/app", "hang", "--yes"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(stdout(&out).contains("started"));
    assert!(
        stderr(&out).contains("timed out after 1.0s: its process group was killed"),
        "{}",
        stderr(&out)
    );
    let grandchild: i32 = std::fs::read_to_string(&pidfile)
        .expect("pid file")
        .trim()
        .parse()
        .expect("pid");
    let gone = wait_until(Duration::from_secs(5), || {
        support::stat_field(grandchild, 3).is_none_or(|state| state == "Z")
    });
    assert!(gone, "grandchild {grandchild} still running");
    let recs = conf.records();
    let last = recs
        .iter()
        .rev()
        .find(|r| r["outcome"] != "finished")
        .expect("record");
    assert_eq!(last["outcome"], "timeout");
}

#[test]
fn requires_stop_stops_the_unit_around_the_command_then_starts_it_again() {
    let sd = UserSystemd::start();
    sd.write_unit(
        "qd-rs-app.service",
        "[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sleep 3000\n",
    );
    sd.daemon_reload();
    assert!(
        sd.systemctl(&["start", "qd-rs-app.service"])
            .status
            .success()
    );
    let before = sd.show("qd-rs-app.service", "MainPID");
    let bus = format!(
        "XDG_RUNTIME_DIR = \"{}\", DBUS_SESSION_BUS_ADDRESS = \"{}\"",
        sd.runtime_dir().display(),
        sd.bus_address()
    );
    let conf = QdConf::new(&format!(
        r#"[systemd]
bus = "user"
[[site]]
name = "rs"
user = "{}"
[[site.service]]
name = "app"
working_dir = "/"
[[site.service.command]]
name = "migrate"
run = ["/bin/sh", "-c", "echo during=$(systemctl --user is-active qd-rs-app.service)"]
requires_stop = true
env = {{ {bus} }}
[[site.service.command]]
name = "broken"
run = ["/bin/false"]
requires_stop = true
"#,
        me()
    ));
    let run = |cmd: &str| {
        let mut c = conf.cmd(None, &["run", "rs/app", cmd, "--yes"]);
        sd.env(&mut c);
        c.output().expect("qd run")
    };
    let out = run("migrate");
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(
        text.contains("during=inactive"),
        "stopped while it ran: {text}"
    );
    let steps: Vec<&str> = text.lines().filter(|l| l.starts_with("──")).collect();
    assert_eq!(steps.len(), 5, "stop, stopped, run, start, started: {text}");
    assert_eq!(sd.show("qd-rs-app.service", "ActiveState"), "active");
    let after = sd.show("qd-rs-app.service", "MainPID");
    assert_ne!(after, before, "a new main process");
    // A failing command still gets its service back.
    let out = run("broken");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("exited with status 1") && stderr(&out).contains("started"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sd.show("qd-rs-app.service", "ActiveState"), "active");
    assert_ne!(sd.show("qd-rs-app.service", "MainPID"), after);
}

#[test]
fn unknown_commands_and_services_are_usage_errors_naming_what_exists() {
    let conf = QdConf::new(&format!(
        "[[site]]\nname = \"acme\"\nuser = \"{}\"\n[[site.service]]\nname = \"app\"\n[[site.service.command]]\nname = \"build\"\nrun = [\"/bin/true\"]\n",
        me()
    ));
    let out = conf.run(None, &["run", "acme/app", "deploy", "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no command `deploy` (it has: build)"),
        "{}",
        stderr(&out)
    );
    let out = conf.run(None, &["run", "nope/app", "build", "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no site `nope`"), "{}", stderr(&out));
    // Without --yes and without a terminal, nothing runs.
    let out = conf
        .cmd(None, &["run", "acme/app", "build"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("qd");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("pass --yes"), "{}", stderr(&out));
    assert!(
        conf.records().is_empty(),
        "nothing attempted, nothing recorded"
    );
}

#[test]
fn an_env_file_planted_as_a_link_is_refused_without_echoing_anything() {
    if skip_unless_root("env file link") {
        return;
    }
    let (uid, gid, _) = test_user();
    let work = tempfile::tempdir().expect("workdir");
    std::os::unix::fs::chown(work.path(), Some(uid), Some(gid)).expect("chown");
    // Another site's secret, and the site user's links to it and to /etc/shadow.
    let other = tempfile::tempdir().expect("other site");
    let secret = other.path().join("other.env");
    std::fs::write(&secret, "OTHER_SECRET=hunter2\n").expect("secret");
    let (shadow, stolen, broken) = (
        work.path().join("shadow.env"),
        work.path().join("stolen.env"),
        work.path().join("broken.env"),
    );
    std::os::unix::fs::symlink("/etc/shadow", &shadow).expect("symlink");
    std::os::unix::fs::symlink(&secret, &stolen).expect("symlink");
    std::fs::write(&broken, "hunter2 is not a variable\n").expect("broken");
    std::os::unix::fs::chown(&broken, Some(uid), Some(gid)).expect("chown");
    for (file, want) in [
        (&shadow, "symbolic link"),
        (&stolen, "symbolic link"),
        (&broken, "line 1: not KEY=VALUE"),
    ] {
        let conf = QdConf::new(&format!(
            "[[site]]\nname = \"acme\"\nuser = \"{USER}\"\n[[site.service]]\nname = \"app\"\nworking_dir = \"{}\"\nenv_file = \"{}\"\n[[site.service.command]]\nname = \"show\"\nrun = [\"/usr/bin/env\"]\n",
            work.path().display(),
            file.display()
        ));
        let out = conf.run(None, &["run", "acme/app", "show", "--yes"]);
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert!(text.contains(want), "{text}");
        assert!(
            !text.contains("hunter2") && !text.contains("root:"),
            "content echoed: {text}"
        );
    }
}
