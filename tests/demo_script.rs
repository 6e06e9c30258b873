//! `scripts/demo.sh --check` with this build's qd: the demo a newcomer opens starts
//! (a private `systemd --user` with the sites shop and blog, three loopback sshd
//! hosts, a config qd checks clean), qd sees all of it headless, and the script
//! cleans up after itself. Skipped, saying why, only where systemd or sshd is not
//! installed (scripts/test.sh installs both, so CI runs it).

use std::path::Path;
use std::process::Command;

/// The temp dir the script announces (`demo.sh: dir PATH`).
fn demo_dir(out: &str) -> Option<&str> {
    out.lines().find_map(|l| l.strip_prefix("demo: dir "))
}

#[test]
fn demo_check_shows_both_sites_their_states_and_three_hosts() {
    for need in ["/lib/systemd/systemd", "/usr/sbin/sshd", "/usr/bin/python3"] {
        if !Path::new(need).exists() {
            eprintln!("skipped: {need} is not installed (scripts/test.sh installs it)");
            return;
        }
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo.sh");
    let out = Command::new("bash")
        .arg(&script)
        .arg("--check")
        .env("QD", env!("CARGO_BIN_EXE_qd"))
        .output()
        .expect("run scripts/demo.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = format!("{stdout}\n--- stderr\n{stderr}");
    assert!(out.status.success(), "demo.sh --check failed:\n{all}");
    assert!(stdout.contains("demo.sh --check: ok"), "{all}");

    // The services as qd's JSON has them: both sites, each state, the failed unit.
    let json_start = stdout
        .find("== qd snapshot services --json\n")
        .map(|i| i + "== qd snapshot services --json\n".len())
        .expect("services section");
    let json_end = stdout[json_start..]
        .find("\n== ")
        .map_or(stdout.len(), |e| json_start + e);
    let v: serde_json::Value =
        serde_json::from_str(&stdout[json_start..json_end]).expect("services JSON");
    let services = v["services"].as_array().expect("services array");
    let state = |site: &str, service: &str| {
        services
            .iter()
            .find(|s| s["site"] == site && s["service"] == service)
            .map(|s| s["active_state"].as_str().unwrap_or_default().to_string())
    };
    assert_eq!(state("shop", "api").as_deref(), Some("active"), "{all}");
    assert_eq!(state("shop", "worker").as_deref(), Some("active"), "{all}");
    assert_eq!(state("blog", "web").as_deref(), Some("active"), "{all}");
    assert_eq!(state("blog", "mailer").as_deref(), Some("failed"), "{all}");
    let api = services
        .iter()
        .find(|s| s["service"] == "api")
        .expect("api row");
    assert_eq!(api["listening"], true, "the api listens on its port: {api}");

    // The sites, the hosts and their answers.
    assert!(stdout.contains("shop") && stdout.contains("blog"), "{all}");
    for host in ["web1", "web2", "db1"] {
        assert!(
            stdout.contains(&format!("{host}: answered")),
            "{host} did not answer:\n{all}"
        );
    }
    assert!(
        stdout.contains("\"prod\""),
        "web1's prod tag in qd hosts: {all}"
    );

    // Everything stopped and the directory is gone.
    let dir = demo_dir(&stdout).expect("the script names its dir");
    assert!(!Path::new(dir).exists(), "{dir} left behind");
    let left: Vec<String> = std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(dir))
        .collect();
    assert!(left.is_empty(), "processes of the demo still run: {left:?}");
}
