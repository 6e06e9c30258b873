//! Roles from a root-owned policy, enforced where actions are dispatched (CLI here,
//! the same dispatcher as the TUI); a policy in a file others can write refuses
//! everything; every attempt and denial is in the audit log, which survives kill -9
//! and concurrent writers, and refuses actions when it cannot be written.
//! The operator is impersonated through SUDO_USER, which qd honours as root.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;
use support::qdconf::{QdConf, is_root, me};
use support::{sleeper, stat_field, stderr, stdout, wait_until};

fn sites_and_policy(policy: &str) -> String {
    let me = me();
    format!(
        r#"[[site]]
name = "shop"
user = "{me}"
[[site.service]]
name = "api"
working_dir = "/"
[[site.service.command]]
name = "build"
run = ["/bin/echo", "built"]
[[site.service.command]]
name = "seed"
run = ["/bin/echo", "seeded"]
dangerous = true
[[site]]
name = "blog"
user = "nobody"
[[site.service]]
name = "php"
working_dir = "/"
[[site.service.command]]
name = "build"
run = ["/bin/echo", "built"]
{policy}"#
    )
}

const POLICY: &str = r#"[[policy.operator]]
user = "alice"
role = "developer"
sites = ["shop"]
[[policy.operator]]
user = "bob"
role = "readonly"
sites = "*"
[[policy.operator]]
group = "root"
role = "admin"
"#;

/// A process of a uid no site (and no passwd entry) has.
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
fn roles_are_enforced_at_dispatch_and_every_denial_is_recorded() {
    if !is_root() {
        eprintln!("skipped: impersonating operators needs root");
        return;
    }
    let conf = QdConf::new(&sites_and_policy(POLICY));
    let victim = stranger();
    let pid = victim.pid().to_string();
    let code = |op: &str, args: &[&str]| {
        let o = conf.run(Some(op), args);
        (o.status.code(), stdout(&o) + &stderr(&o))
    };
    // alice, developer of shop.
    let (c, out) = code("alice", &["run", "shop/api", "build", "--yes"]);
    assert_eq!(c, Some(0), "{out}");
    assert!(out.contains("built"));
    let (c, out) = code("alice", &["run", "shop/api", "seed", "--yes"]);
    assert_eq!(c, Some(3), "{out}");
    assert!(
        out.contains("marked dangerous, so only admins")
            && out.contains(r#"policy.operator user = "alice""#)
            && out.contains("/etc/quarterdeck/config.toml:"),
        "the denial names the rule: {out}"
    );
    let (c, out) = code("alice", &["run", "blog/php", "build", "--yes"]);
    assert_eq!(c, Some(3));
    assert!(
        out.contains("site blog is not one of alice's sites"),
        "{out}"
    );
    let (c, out) = code("alice", &["signal", &pid, "--signal", "STOP"]);
    assert_eq!(c, Some(3), "a process of no site: {out}");
    assert!(out.contains("belongs to no site"), "{out}");
    // bob, readonly everywhere: sees, does nothing.
    let (c, out) = code("bob", &["run", "shop/api", "build", "--yes"]);
    assert_eq!(c, Some(3));
    assert!(out.contains("operator bob has the readonly role"), "{out}");
    let (c, _) = code("bob", &["renice", &pid, "--nice", "5"]);
    assert_eq!(c, Some(3));
    let (c, out) = code("bob", &["site", "list"]);
    assert_eq!(c, Some(0));
    assert!(out.contains("shop") && out.contains("blog"), "{out}");
    // dave, not listed: readonly on nothing, sees no site.
    let (c, out) = code("dave", &["run", "shop/api", "build", "--yes"]);
    assert_eq!(c, Some(3), "{out}");
    assert!(out.contains("dave is not listed in the policy"), "{out}");
    let (c, out) = code("dave", &["site", "list"]);
    assert_eq!(c, Some(0));
    assert!(out.contains("no sites"), "{out}");
    let (c, _) = code("dave", &["signal", &pid, "--signal", "STOP"]);
    assert_eq!(c, Some(3));
    // root (group root: admin) may run the dangerous one.
    let (c, out) = code("root", &["run", "shop/api", "seed", "--yes"]);
    assert_eq!(c, Some(0), "{out}");
    assert_eq!(
        stat_field(victim.pid(), 3).as_deref(),
        Some("S"),
        "never stopped"
    );
    assert_eq!(
        stat_field(victim.pid(), 19).as_deref(),
        Some("0"),
        "never reniced"
    );

    let recs = conf.records();
    let denied: Vec<(String, String)> = recs
        .iter()
        .filter(|r| r["outcome"] == "denied")
        .map(|r| {
            (
                r["operator"].as_str().unwrap_or("").to_string(),
                r["action"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        ("alice", "run seed"),
        ("alice", "run build"),
        ("alice", "signal STOP"),
        ("bob", "run build"),
        ("bob", "renice to 5"),
        ("dave", "run build"),
        ("dave", "signal STOP"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(denied, want);
    let ok: Vec<&str> = recs
        .iter()
        .filter(|r| r["outcome"] == "ok")
        .map(|r| r["operator"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ok, ["alice", "root"]);
    assert!(recs.iter().all(|r| r["uid"] == 0 && r["host"].is_string()));
}

#[test]
fn a_policy_in_a_group_writable_file_refuses_every_action() {
    if !is_root() {
        eprintln!("skipped: a trusted file must be root's");
        return;
    }
    let conf = QdConf::new(&sites_and_policy(
        "[[policy.operator]]\nuser = \"alice\"\nrole = \"admin\"\n",
    ));
    conf.chmod(0o664);
    let victim = sleeper();
    let out = conf.run(
        Some("alice"),
        &["signal", &victim.pid().to_string(), "--signal", "STOP"],
    );
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(
        err.contains("not trusted") && err.contains("writable by its group"),
        "{err}"
    );
    assert_eq!(stat_field(victim.pid(), 3).as_deref(), Some("S"));
    // Viewing still works.
    let out = conf.run(Some("alice"), &["snapshot", "processes", "--json"]);
    assert!(out.status.success());
    // Without a policy the loose system file is still not used at all (fail closed):
    // its sites do not exist, and the warning says why...
    conf.write(&sites_and_policy(""));
    conf.chmod(0o664);
    let out = conf.run(None, &["run", "shop/api", "build", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("writable by its group"),
        "{}",
        stderr(&out)
    );
    // ...and given with --config to root as itself, it may not define commands qd
    // runs as root.
    let loose = conf.env.dir.path().join("loose.toml");
    std::fs::copy(&conf.path, &loose).expect("copy");
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o664)).expect("chmod");
    let extra = support::qdconf::Extra {
        config: Some(loose.clone()),
        ..Default::default()
    };
    let out = conf.run_with(None, &extra, &["run", "shop/api", "build", "--yes"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("not root-owned"), "{}", stderr(&out));
    std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let out = conf.run_with(None, &extra, &["run", "shop/api", "build", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    conf.chmod(0o644);
    let out = conf.run(None, &["run", "shop/api", "build", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// `qd renice PID PID ... --nice 1`: one record per pid, each its own write.
fn renice_many(conf: &QdConf, pid: i32, n: usize) -> std::process::Command {
    let pids: Vec<String> = (0..n).map(|_| pid.to_string()).collect();
    let mut args = vec!["renice"];
    args.extend(pids.iter().map(String::as_str));
    args.extend(["--nice", "1"]);
    let mut c = conf.cmd(None, &args);
    c.stdout(std::process::Stdio::null());
    c
}

#[test]
fn records_survive_kill_9_and_concurrent_writers() {
    let conf = QdConf::new("");
    let victim = sleeper();
    let mut a = renice_many(&conf, victim.pid(), 300).spawn().expect("qd a");
    let mut b = renice_many(&conf, victim.pid(), 300).spawn().expect("qd b");
    let mut killed = renice_many(&conf, victim.pid(), 20_000)
        .spawn()
        .expect("qd c");
    // Killed while it writes: after its first record.
    let marker = format!("\"job\":\"{}-", killed.id());
    let started = wait_until(Duration::from_secs(30), || {
        std::fs::read_dir(&conf.audit).is_ok_and(|d| {
            d.flatten()
                .any(|f| std::fs::read_to_string(f.path()).is_ok_and(|t| t.contains(&marker)))
        })
    });
    assert!(started, "the writer never wrote");
    std::thread::sleep(Duration::from_millis(20));
    // SAFETY: kill(2) on the pid of a child this test spawned and has not reaped.
    unsafe { libc::kill(killed.id() as i32, libc::SIGKILL) };
    let _ = killed.wait();
    assert!(a.wait().expect("a").success());
    assert!(b.wait().expect("b").success());
    // Every line of every file is a whole record.
    let mut lines = Vec::new();
    for f in std::fs::read_dir(&conf.audit).expect("audit dir").flatten() {
        let text = std::fs::read_to_string(f.path()).expect("read");
        assert!(text.is_empty() || text.ends_with('\n'), "no torn last line");
        lines.extend(text.lines().map(String::from));
    }
    let recs: Vec<serde_json::Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).expect("whole JSON record"))
        .collect();
    let by_job = |pid: u32| {
        recs.iter()
            .filter(|r| {
                r["job"]
                    .as_str()
                    .is_some_and(|j| j.starts_with(&format!("{pid}-")))
            })
            .count()
    };
    assert_eq!(by_job(a.id()), 302, "started + 300 outcomes + finished");
    assert_eq!(by_job(b.id()), 302);
    assert!(
        by_job(killed.id()) >= 1,
        "the killed writer's records are kept"
    );
    let out = conf.run(None, &["audit"]);
    assert!(
        !stderr(&out).contains("could not be read"),
        "{}",
        stderr(&out)
    );
}

/// A tiny tmpfs mounted for one test, unmounted (by path) on drop.
struct TinyFs(tempfile::TempDir);

impl Drop for TinyFs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.path())
            .status();
    }
}

#[test]
fn a_full_disk_refuses_actions_but_viewing_keeps_working() {
    let dir = tempfile::tempdir().expect("dir");
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=16k", "tmpfs"])
        .arg(dir.path())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("skipped: cannot mount a tmpfs here (needs root)");
        return;
    }
    let fs = TinyFs(dir);
    let audit = fs.0.path().join("audit");
    std::fs::create_dir(&audit).expect("audit dir");
    // Fill it.
    let _ = std::fs::write(fs.0.path().join("fill"), vec![b'x'; 64 * 1024]);
    let conf = QdConf::new("");
    let body = format!("[audit]\ndir = \"{}\"\n", audit.display());
    std::fs::write(&conf.path, body).expect("config");
    let victim = sleeper();
    let out = conf.run(
        None,
        &["signal", &victim.pid().to_string(), "--signal", "STOP"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no space left on the device")
            && stderr(&out).contains("nothing is done while actions cannot be recorded"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stat_field(victim.pid(), 3).as_deref(),
        Some("S"),
        "not stopped"
    );
    let out = conf.run(None, &["snapshot", "processes", "--json"]);
    assert!(out.status.success(), "viewing works: {}", stderr(&out));
    // Space again: actions go through and are recorded.
    std::fs::remove_file(fs.0.path().join("fill")).expect("free");
    let out = conf.run(None, &["renice", &victim.pid().to_string(), "--nice", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The records are in the tiny filesystem's audit dir, which the config names.
    let outcomes: Vec<String> = std::fs::read_dir(&audit)
        .expect("audit dir")
        .flatten()
        .flat_map(|f| {
            std::fs::read_to_string(f.path())
                .expect("day file")
                .lines()
                .map(|l| {
                    let r: serde_json::Value = serde_json::from_str(l).expect("record");
                    r["outcome"].as_str().unwrap_or("").to_string()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(outcomes, ["started", "ok", "finished"]);
}
