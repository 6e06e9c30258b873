//! The one action path, tried as an attacker would: env files, unit files and site
//! removal are actions with a policy check and an audit record per file; secrets are
//! masked for anyone but an admin, whose reveal is recorded without the values; a
//! job's finished targets keep their records when qd is killed mid-job. Operators are
//! impersonated through SUDO_USER as sudo sets it (needs root).

mod support;

use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;
use support::qdconf::{QdConf, is_root, me};
use support::systemd::UserSystemd;
use support::{stderr, stdout, wait_until};

const POLICY: &str = r#"[[policy.operator]]
user = "alice"
role = "developer"
sites = ["shop"]
[[policy.operator]]
user = "bob"
role = "readonly"
sites = "*"
[[policy.operator]]
user = "root"
role = "admin"
"#;

fn skip() -> bool {
    if !is_root() {
        eprintln!("skipped: impersonating operators needs root");
    }
    !is_root()
}

fn records_of<'a>(recs: &'a [Value], action: &str) -> Vec<&'a Value> {
    recs.iter().filter(|r| r["action"] == action).collect()
}

/// A site whose env file lives in a directory the site user (here: the test's own
/// user) controls.
fn env_site(env: &Path) -> String {
    format!(
        "[[site]]\nname = \"shop\"\nuser = \"{}\"\n[[site.service]]\nname = \"api\"\nworking_dir = \"/\"\nenv_file = \"{}\"\n{POLICY}",
        me(),
        env.display()
    )
}

#[test]
fn env_values_are_masked_and_a_reveal_is_an_admins_recorded_action() {
    if skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let env = dir.path().join("api.env");
    std::fs::write(&env, "DB_PASSWORD=hunter2\nPORT=3000\n").expect("env");
    std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let conf = QdConf::new(&env_site(&env));

    // Anyone who may see the site sees the names, never the values.
    for op in ["bob", "alice"] {
        let o = conf.run(Some(op), &["service", "env", "shop/api"]);
        let out = stdout(&o);
        assert!(o.status.success(), "{op}: {}", stderr(&o));
        assert!(
            out.contains("DB_PASSWORD=****") && out.contains("PORT=****"),
            "{out}"
        );
        assert!(
            !out.contains("hunter2") && !out.contains("3000"),
            "{op} saw a value: {out}"
        );
    }
    // A reveal is for admins: a developer and a readonly operator are refused (3).
    for op in ["bob", "alice"] {
        let o = conf.run(Some(op), &["service", "env", "shop/api", "--reveal"]);
        assert_eq!(o.status.code(), Some(3), "{op}: {}", stdout(&o));
        assert!(!stdout(&o).contains("hunter2"));
    }
    let o = conf.run(Some("root"), &["service", "env", "shop/api", "--reveal"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("DB_PASSWORD=hunter2"), "{}", stdout(&o));

    let recs = conf.records();
    let reveals = records_of(&recs, "reveal env file");
    let outcomes: Vec<&str> = reveals
        .iter()
        .filter_map(|r| r["outcome"].as_str())
        .collect();
    assert_eq!(
        outcomes.iter().filter(|o| **o == "denied").count(),
        2,
        "{reveals:?}"
    );
    assert!(
        outcomes.contains(&"started") && outcomes.contains(&"ok"),
        "{reveals:?}"
    );
    let ok = reveals
        .iter()
        .find(|r| r["outcome"] == "ok")
        .expect("the reveal's record");
    assert_eq!(ok["operator"], "root");
    assert_eq!(ok["target"], format!("file {}", env.display()));
    // The values never reach the log.
    let log = serde_json::to_string(&recs).expect("json");
    assert!(!log.contains("hunter2"), "a secret is in the audit log");
}

#[test]
fn an_env_file_that_is_a_link_to_a_root_secret_is_not_read() {
    if skip() {
        return;
    }
    // The site user controls the directory: they replace their env file with a link
    // to a file only root may read. Neither a command, nor the masked view, nor an
    // admin's reveal may read it as root, and no error echoes its content.
    let dir = tempfile::tempdir().expect("tmp");
    let secret = dir.path().join("root-only");
    std::fs::write(&secret, "ROOT_SECRET=swordfish\n").expect("secret");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let env = dir.path().join("api.env");
    std::os::unix::fs::symlink(&secret, &env).expect("symlink");
    let conf = QdConf::new(&env_site(&env));
    for args in [
        &["service", "env", "shop/api"][..],
        &["service", "env", "shop/api", "--reveal"][..],
    ] {
        let o = conf.run(Some("root"), args);
        let all = stdout(&o) + &stderr(&o);
        assert!(!o.status.success(), "{args:?} read through the link: {all}");
        assert!(
            !all.contains("swordfish") && !all.contains("ROOT_SECRET"),
            "{all}"
        );
    }
}

#[test]
fn unit_files_need_an_admin_and_each_written_or_removed_file_is_recorded() {
    if skip() {
        return;
    }
    let sd = UserSystemd::start();
    let log = sd.runtime_dir().join("inst.log");
    // Under sudo the user manager is used only when the system file says so.
    let conf = QdConf::new(&format!(
        "[systemd]\nbus = \"user\"\nbus_address = \"{}\"\n[[site]]\nname = \"shop\"\nuser = \"{}\"\n[[site.service]]\nname = \"app\"\nexec_start = [\"/bin/sleep\", \"3000\"]\nlog_file = \"{}\"\n{POLICY}",
        sd.bus_address(),
        me(),
        log.display()
    ));
    let config_home = sd
        .unit_dir()
        .parent()
        .and_then(Path::parent)
        .expect("config home")
        .to_path_buf();
    let run = |op: &str, args: &[&str]| {
        let mut c = conf.cmd(Some(op), &[]);
        sd.env(&mut c);
        c.env("XDG_CONFIG_HOME", &config_home)
            .arg("--user-bus")
            .args(args);
        c.output().expect("qd")
    };
    let file = sd.unit_dir().join("qd-shop-app.service");
    // A developer of the site may not write unit files (they run as any user).
    let o = run("alice", &["service", "install", "shop/app"]);
    assert_eq!(o.status.code(), Some(3), "{}", stdout(&o));
    assert!(stderr(&o).contains("only admins"), "{}", stderr(&o));
    assert!(!file.exists());

    let o = run("root", &["service", "install", "shop/app"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(file.exists());
    assert_eq!(sd.show("qd-shop-app.service", "UnitFileState"), "enabled");
    let o = run("root", &["site", "remove", "shop", "--yes"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(!file.exists());

    let recs = conf.records();
    let target = format!("file {}", file.display());
    let install = records_of(&recs, "install unit files");
    let wrote = install
        .iter()
        .find(|r| r["outcome"] == "ok" && r["target"] == target.as_str())
        .unwrap_or_else(|| panic!("no record of the unit file written: {install:?}"));
    assert_eq!(wrote["site"], "shop");
    assert!(
        install
            .iter()
            .any(|r| r["outcome"] == "denied" && r["operator"] == "alice"),
        "{install:?}"
    );
    for step in ["started", "finished"] {
        assert!(install.iter().any(|r| r["outcome"] == step), "{install:?}");
    }
    let remove = records_of(&recs, "remove site shop");
    assert!(
        remove
            .iter()
            .any(|r| r["outcome"] == "ok" && r["target"] == target.as_str()),
        "no record of the unit file removed: {remove:?}"
    );
}

#[test]
fn a_finished_target_keeps_its_record_when_qd_is_killed_mid_job() {
    if skip() {
        return;
    }
    // Two services run one at a time: the first ends at once, the second sleeps.
    // qd is killed with SIGKILL while the second runs; the first one's record must
    // already be in the log (records are written as each target finishes).
    let conf = QdConf::new(&format!(
        "[jobs]\nconcurrency = 1\n[[site]]\nname = \"shop\"\nuser = \"{}\"\n[[site.service]]\nname = \"a\"\nworking_dir = \"/\"\n[[site.service.command]]\nname = \"work\"\nrun = [\"/bin/true\"]\n[[site.service]]\nname = \"b\"\nworking_dir = \"/\"\n[[site.service.command]]\nname = \"work\"\nrun = [\"/bin/sleep\", \"4\"]\n",
        me()
    ));
    let mut child = conf
        .cmd(Some("root"), &["run", "shop", "work", "--yes"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn qd");
    let first_done = wait_until(Duration::from_secs(20), || {
        conf.records().iter().any(|r| {
            r["outcome"] == "ok"
                && r["target"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("shop/a "))
        })
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        first_done,
        "shop/a's record was not written before the job ended"
    );
    let recs = conf.records();
    let job: Vec<&Value> = records_of(&recs, "run work");
    assert!(job.iter().any(|r| r["outcome"] == "started"), "{job:?}");
    assert!(
        !job.iter().any(|r| r["outcome"] == "finished"),
        "qd was killed before the end: {job:?}"
    );
}

#[test]
fn the_audit_log_shows_an_operator_only_their_own_and_their_sites_records() {
    if skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let env = dir.path().join("api.env");
    std::fs::write(&env, "PORT=3000\n").expect("env");
    let conf = QdConf::new(&env_site(&env));
    // root reveals shop's env file; eve (in no rule) tries and is denied.
    assert!(
        conf.run(Some("root"), &["service", "env", "shop/api", "--reveal"])
            .status
            .success()
    );
    let victim = support::sleeper();
    let o = conf.run(
        Some("eve"),
        &["signal", &victim.pid().to_string(), "--signal", "CONT"],
    );
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let seen = |op: &str| -> Vec<Value> {
        let o = conf.run(Some(op), &["audit", "--json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
            .lines()
            .map(|l| serde_json::from_str(l).expect("record"))
            .collect()
    };
    let eve = seen("eve");
    assert!(
        eve.iter().any(|r| r["outcome"] == "denied"),
        "eve sees her own denial: {eve:?}"
    );
    assert!(
        eve.iter().all(|r| r["operator"] == "eve"),
        "eve saw others' records: {eve:?}"
    );
    // bob may see every site: he sees root's reveal on shop too.
    let bob = seen("bob");
    assert!(
        bob.iter()
            .any(|r| r["operator"] == "root" && r["action"] == "reveal env file"),
        "{bob:?}"
    );
}

#[test]
fn doas_and_pkexec_are_privileged_mode_like_sudo() {
    if skip() {
        return;
    }
    // Another tool gave root: the operator is still not root, and a --config that is
    // not trusted is refused exactly as under sudo.
    let conf = QdConf::new(POLICY);
    let victim = support::sleeper();
    let pid = victim.pid().to_string();
    for (var, who) in [
        ("DOAS_USER", "alice".to_string()),
        ("PKEXEC_UID", "65534".to_string()),
    ] {
        let o = conf
            .cmd(None, &[])
            .env(var, &who)
            .args(["--config", "/dev/null", "signal", &pid, "--signal", "STOP"])
            .output()
            .expect("qd");
        assert_eq!(o.status.code(), Some(2), "{var}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("not trusted") || stderr(&o).contains("refused"),
            "{}",
            stderr(&o)
        );
    }
    assert_eq!(
        support::stat_field(victim.pid(), 3).as_deref(),
        Some("S"),
        "not stopped"
    );
}
