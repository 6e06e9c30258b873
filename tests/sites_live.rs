//! Sites and their services against a real, private `systemd --user` (no mocks):
//! `qd service` actions checked from outside with systemctl, job failures, missing
//! units, a bulk restart, logs from append: files, health and unit files.

mod support;

use serde_json::Value;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use support::systemd::UserSystemd;
use support::*;

/// qd against `sd`, with `config` as its only config file.
struct Qd<'a> {
    sd: &'a UserSystemd,
    env: QdEnv,
    config: std::path::PathBuf,
}

impl<'a> Qd<'a> {
    fn new(sd: &'a UserSystemd, config: &str) -> Self {
        let env = QdEnv::new();
        let path = env.dir.path().join("qd.toml");
        std::fs::write(&path, config).expect("write config");
        Self {
            sd,
            env,
            config: path,
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = self.env.cmd();
        self.sd.env(&mut c);
        c.arg("--config")
            .arg(&self.config)
            .arg("--user-bus")
            .args(args);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run qd")
    }

    fn services(&self, site: &str) -> Vec<Value> {
        let out = self.run(&["snapshot", "services", "--site", site, "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        v["services"].as_array().expect("services").clone()
    }
}

fn me() -> String {
    let o = Command::new("id").arg("-un").output().expect("id");
    stdout(&o).trim().to_string()
}

/// A unit that may be restarted as often as a test likes.
fn unit(exec: &str, extra: &str) -> String {
    format!("[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart={exec}\n{extra}")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn pid_of(sd: &UserSystemd, unit: &str) -> String {
    sd.show(unit, "MainPID")
}

#[test]
fn site_services_start_stop_restart_reload_as_systemd_reports() {
    let sd = UserSystemd::start();
    let marker = sd.runtime_dir().join("reloads");
    sd.write_unit(
        "qd-shop-api.service",
        &unit(
            "/bin/sleep 1000",
            &format!(
                "ExecReload=/bin/sh -c 'echo reloaded >> {}'\n",
                marker.display()
            ),
        ),
    );
    sd.write_unit("qd-shop-worker.service", &unit("/bin/sleep 1001", ""));
    sd.daemon_reload();
    let qd = Qd::new(
        &sd,
        &format!(
            "[[site]]\nname = \"shop\"\nuser = \"{}\"\n[[site.service]]\nname = \"api\"\n[[site.service]]\nname = \"worker\"\n",
            me()
        ),
    );
    // Never started: listed by name all the same, tagged with site and service.
    let all = qd.services("shop");
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0]["site"], "shop");
    assert_eq!(all[0]["service"], "api");
    assert_eq!(all[0]["unit"], "qd-shop-api.service");
    assert_eq!(all[0]["active_state"], "inactive");
    assert_eq!(all[0]["can_reload"], true);

    let out = qd.run(&["service", "start", "shop"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("shop/api (qd-shop-api.service): ok: started"),
        "{}",
        stdout(&out)
    );
    assert_eq!(sd.show("qd-shop-api.service", "ActiveState"), "active");
    assert_eq!(sd.show("qd-shop-worker.service", "ActiveState"), "active");
    let all = qd.services("shop");
    assert_eq!(
        all[0]["main_pid"].as_u64().map(|p| p.to_string()),
        Some(pid_of(&sd, "qd-shop-api.service"))
    );

    let before = pid_of(&sd, "qd-shop-api.service");
    let out = qd.run(&["service", "restart", "shop/api"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = pid_of(&sd, "qd-shop-api.service");
    assert_ne!(before, after, "restart made a new main process");
    assert!(
        std::fs::metadata(format!("/proc/{before}")).is_err(),
        "old main process gone"
    );

    let out = qd.run(&["service", "reload", "shop/api"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&marker).expect("reload ran"),
        "reloaded\n"
    );
    assert_eq!(
        pid_of(&sd, "qd-shop-api.service"),
        after,
        "reload keeps the process"
    );
    // The worker has no ExecReload: systemd refuses, qd says so and exits 1.
    let out = qd.run(&["service", "reload", "shop/worker"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("does not support this action"),
        "{}",
        stdout(&out)
    );

    let out = qd.run(&["service", "stop", "shop"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(sd.show("qd-shop-api.service", "ActiveState"), "inactive");
    assert_eq!(sd.show("qd-shop-worker.service", "ActiveState"), "inactive");
    assert!(std::fs::metadata(format!("/proc/{after}")).is_err());
    // Stopped behind qd's back by systemctl: the table follows.
    assert!(
        qd.run(&["service", "start", "shop/worker"])
            .status
            .success()
    );
    assert!(
        sd.systemctl(&["stop", "qd-shop-worker.service"])
            .status
            .success()
    );
    assert_eq!(qd.services("shop")[1]["active_state"], "inactive");
}

#[test]
fn failed_jobs_and_missing_units_are_errors_with_the_reason() {
    let sd = UserSystemd::start();
    sd.write_unit(
        "qd-t-bad.service",
        &unit("/bin/sh -c 'exit 3'", "Type=oneshot\n"),
    );
    sd.daemon_reload();
    let qd = Qd::new(&sd, "");
    let out = qd.run(&["service", "start", "qd-t-bad", "qd-t-nosuch.service"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a job result other than done fails"
    );
    let text = stdout(&out);
    assert!(
        text.contains(
            "qd-t-bad.service: failed: job failed: the main process exited with status 3"
        ),
        "{text}"
    );
    assert!(
        text.contains("qd-t-nosuch.service: failed: no such unit"),
        "{text}"
    );
    assert_eq!(sd.show("qd-t-bad.service", "ActiveState"), "failed");
    // reset-failed clears it, as systemd then reports.
    let out = qd.run(&["service", "reset-failed", "qd-t-bad"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(sd.show("qd-t-bad.service", "ActiveState"), "inactive");
    // A site service that names no unit systemd knows.
    let qd = Qd::new(
        &sd,
        &format!(
            "[[site]]\nname = \"x\"\nuser = \"{}\"\n[[site.service]]\nname = \"gone\"\n",
            me()
        ),
    );
    let all = qd.services("x");
    assert_eq!(all[0]["load_state"], "not-found");
    let out = qd.run(&["service", "status", "x/nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("site `x` has no service `nope` (it has: gone)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bulk_restart_of_twenty_units_waits_for_every_job() {
    let sd = UserSystemd::start();
    let names: Vec<String> = (0..20).map(|i| format!("qd-bulk-{i}.service")).collect();
    for (i, n) in names.iter().enumerate() {
        sd.write_unit(n, &unit(&format!("/bin/sleep {}", 2000 + i), ""));
    }
    sd.daemon_reload();
    let mut args = vec!["service", "start"];
    args.extend(names.iter().map(String::as_str));
    let qd = Qd::new(&sd, "");
    assert!(qd.run(&args).status.success());
    let before: Vec<String> = names.iter().map(|n| pid_of(&sd, n)).collect();
    args[1] = "restart";
    let out = qd.run(&args);
    assert!(out.status.success(), "{}", stdout(&out));
    assert_eq!(
        stdout(&out).matches(": ok: restarted").count(),
        20,
        "{}",
        stdout(&out)
    );
    for (n, old) in names.iter().zip(&before) {
        assert_eq!(sd.show(n, "ActiveState"), "active", "{n}");
        assert_ne!(&pid_of(&sd, n), old, "{n} has a new main process");
    }
}

#[test]
fn logs_come_from_the_file_the_unit_appends_to_and_are_followed() {
    let sd = UserSystemd::start();
    let log = sd.runtime_dir().join("ticker.log");
    sd.write_unit(
        "qd-log-ticker.service",
        &unit(
            "/bin/sh -c 'i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done'",
            &format!("StandardOutput=append:{}\n", log.display()),
        ),
    );
    sd.daemon_reload();
    let qd = Qd::new(
        &sd,
        &format!(
            "[[site]]\nname = \"s\"\nuser = \"{}\"\n[[site.service]]\nname = \"ticker\"\nunit = \"qd-log-ticker.service\"\n",
            me()
        ),
    );
    assert!(qd.run(&["service", "start", "s/ticker"]).status.success());
    assert!(wait_until(Duration::from_secs(5), || {
        std::fs::read_to_string(&log).is_ok_and(|t| t.lines().count() >= 3)
    }));
    let out = qd.run(&["service", "logs", "s/ticker", "-n", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(String::from).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    let file = std::fs::read_to_string(&log).expect("log");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("tick ") && file.contains(&format!("{l}\n"))),
        "{lines:?}"
    );
    // Follow: new lines keep coming, in order.
    let mut child = qd
        .cmd(&["service", "logs", "s/ticker", "-n", "1", "-f"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("qd logs -f");
    let out = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        std::io::BufReader::new(out)
            .lines()
            .take(6)
            .map(|l| l.unwrap_or_default())
            .collect::<Vec<_>>()
    });
    let got = reader.join().expect("reader");
    // SAFETY: kill(2) on the pid of the child this test spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let _ = child.wait();
    let n: Vec<u64> = got
        .iter()
        .map(|l| l.trim_start_matches("tick ").parse().expect("tick N"))
        .collect();
    assert!(n.windows(2).all(|w| w[1] == w[0] + 1), "consecutive: {n:?}");
}

#[test]
fn health_fails_when_the_port_closes_and_restart_waits_for_it() {
    let sd = UserSystemd::start();
    let port = free_port();
    sd.write_unit(
        "qd-h-web.service",
        &unit(
            &format!("/usr/bin/python3 -m http.server {port} --bind 127.0.0.1"),
            "WorkingDirectory=/tmp\n",
        ),
    );
    sd.daemon_reload();
    let qd = Qd::new(
        &sd,
        &format!(
            "[[site]]\nname = \"h\"\nuser = \"{}\"\n[[site.service]]\nname = \"web\"\nunit = \"qd-h-web.service\"\nport = {port}\nhealth = {{ http = \"http://127.0.0.1:{port}/\", wait = \"10s\" }}\n",
            me()
        ),
    );
    // Restart (and start) report only once the check passes: python needs a moment.
    let out = qd.run(&["service", "start", "h/web"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("started and healthy (HTTP 200)"),
        "{}",
        stdout(&out)
    );
    let s = &qd.services("h")[0];
    assert_eq!(
        (
            s["health"].as_str(),
            s["listening"].as_bool(),
            s["port"].as_u64()
        ),
        (Some("ok"), Some(true), Some(port as u64)),
        "{s}"
    );
    assert!(sd.systemctl(&["stop", "qd-h-web.service"]).status.success());
    let s = &qd.services("h")[0];
    assert_eq!(
        (s["health"].as_str(), s["listening"].as_bool()),
        (Some("failing"), Some(false)),
        "{s}"
    );
    assert!(
        s["health_detail"]
            .as_str()
            .is_some_and(|d| d.contains("nothing listens")),
        "{s}"
    );
}

#[test]
fn a_start_that_never_gets_healthy_is_a_failure() {
    let sd = UserSystemd::start();
    let port = free_port();
    sd.write_unit("qd-h-deaf.service", &unit("/bin/sleep 1000", ""));
    sd.daemon_reload();
    let qd = Qd::new(
        &sd,
        &format!(
            "[[site]]\nname = \"h\"\nuser = \"{}\"\n[[site.service]]\nname = \"deaf\"\nunit = \"qd-h-deaf.service\"\nhealth = {{ tcp = {port}, wait = \"1s\" }}\n",
            me()
        ),
    );
    let out = qd.run(&["service", "restart", "h/deaf"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("restarted, but not healthy after 1.0 s: nothing listens"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        sd.show("qd-h-deaf.service", "ActiveState"),
        "active",
        "the unit itself runs"
    );
}

const RENDER_SITE: &str = r#"
[systemd]
unit_template = "web-{site}-{service}.service"
[[site]]
name = "shop"
user = "root"
[[site.service]]
name = "api"
port = 10011
working_dir = "/var/www/sites/shop/api"
exec_start = ["/usr/bin/node", "server.js", "--title", "shop api", "--quota=50%"]
env_file = "/etc/quarterdeck/env/shop-api.env"
log_file = "/var/log/sites/shop/api.log"
read_write_paths = ["/var/www/sites/shop/api/uploads"]
memory_max = "512M"
cpu_quota = "50%"
"#;

#[test]
fn render_prints_the_hardened_unit_of_a_fixture_site() {
    let env = QdEnv::new();
    let cfg = env.dir.path().join("qd.toml");
    std::fs::write(&cfg, RENDER_SITE).expect("config");
    let out = env
        .cmd()
        .arg("--config")
        .arg(&cfg)
        .args(["service", "render", "shop/api"])
        .output()
        .expect("qd");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "# web-shop-api.service: site shop, service api. Generated by quarterdeck (qd service render).
[Unit]
Description=shop/api
After=network.target

[Service]
Type=exec
User=root
Group=root
WorkingDirectory=/var/www/sites/shop/api
ExecStart=/usr/bin/node server.js --title \"shop api\" --quota=50%%
Restart=always
RestartSec=2
EnvironmentFile=-/etc/quarterdeck/env/shop-api.env
StandardOutput=append:/var/log/sites/shop/api.log
StandardError=append:/var/log/sites/shop/api.log
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=read-only
ReadWritePaths=/var/www/sites/shop/api/uploads
PrivateTmp=yes
MemoryMax=512M
CPUQuota=50%

[Install]
WantedBy=multi-user.target
"
    );
    // A service without exec_start cannot be rendered: said, exit 2.
    std::fs::write(
        &cfg,
        "[[site]]\nname = \"a\"\nuser = \"root\"\n[[site.service]]\nname = \"b\"\n",
    )
    .expect("config");
    let out = env
        .cmd()
        .arg("--config")
        .arg(&cfg)
        .args(["service", "render", "a/b"])
        .output()
        .expect("qd");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a/b: no exec_start"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn install_writes_the_unit_enables_it_and_site_remove_takes_it_away() {
    let sd = UserSystemd::start();
    let log = sd.runtime_dir().join("inst.log");
    let qd = Qd::new(
        &sd,
        &format!(
            "[[site]]\nname = \"inst\"\nuser = \"{}\"\n[[site.service]]\nname = \"app\"\nexec_start = [\"/bin/sleep\", \"3000\"]\nlog_file = \"{}\"\n",
            me(),
            log.display()
        ),
    );
    // qd writes unit files where the manager reads them: its XDG config home.
    let config_home = sd
        .unit_dir()
        .parent()
        .and_then(Path::parent)
        .expect("config home")
        .to_path_buf();
    let cmd = |args: &[&str]| {
        let mut c = qd.cmd(args);
        c.env("XDG_CONFIG_HOME", &config_home);
        c
    };
    let mut c = cmd(&["service", "install", "inst/app"]);
    let out = c.output().expect("qd");
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let file = sd.unit_dir().join("qd-inst-app.service");
    let text = std::fs::read_to_string(&file).expect("unit written");
    assert!(
        text.contains("ExecStart=/bin/sleep 3000\n") && !text.contains("User="),
        "{text}"
    );
    assert_eq!(sd.show("qd-inst-app.service", "UnitFileState"), "enabled");
    assert!(qd.run(&["service", "start", "inst/app"]).status.success());
    assert_eq!(sd.show("qd-inst-app.service", "ActiveState"), "active");
    // remove without --yes only tells; with it, stops, disables, deletes.
    let mut c = cmd(&["site", "remove", "inst"]);
    let out = c.output().expect("qd");
    assert_eq!(out.status.code(), Some(2));
    assert!(file.exists());
    let mut c = cmd(&["site", "remove", "inst", "--yes"]);
    let out = c.output().expect("qd");
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(!file.exists());
    assert_ne!(sd.show("qd-inst-app.service", "ActiveState"), "active");
}
