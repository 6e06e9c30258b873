//! The services table against a real, private `systemd --user` (no mocks): units
//! started, failed and missing, read back through `qd --user-bus snapshot services`.

mod support;

use serde_json::Value;
use support::systemd::UserSystemd;
use support::*;

fn services(sd: &UserSystemd) -> Vec<Value> {
    let env = QdEnv::new();
    let mut c = env.cmd();
    sd.env(&mut c);
    let out = c
        .args(["--user-bus", "snapshot", "services", "--json"])
        .output()
        .expect("run qd");
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(v.get("processes").is_none(), "only services were asked for");
    v["services"].as_array().expect("services").clone()
}

fn unit<'a>(all: &'a [Value], name: &str) -> &'a Value {
    all.iter()
        .find(|u| u["unit"] == name)
        .unwrap_or_else(|| panic!("{name} not listed: {all:?}"))
}

#[test]
fn lists_units_with_their_states_and_main_pids() {
    let sd = UserSystemd::start();
    sd.write_unit(
        "qd-t-ok.service",
        "[Unit]\nDescription=qd test \x1b[31mred\n[Service]\nExecStart=/bin/sleep 1000\n",
    );
    sd.write_unit(
        "qd-t-fail.service",
        "[Service]\nType=oneshot\nExecStart=/bin/false\n",
    );
    sd.write_unit(
        "qd-t-idle.service",
        "[Service]\nExecStart=/bin/sleep 1000\n",
    );
    sd.daemon_reload();
    assert!(sd.systemctl(&["start", "qd-t-ok.service"]).status.success());
    assert!(
        !sd.systemctl(&["start", "qd-t-fail.service"])
            .status
            .success()
    );
    let all = services(&sd);
    let ok = unit(&all, "qd-t-ok.service");
    assert_eq!(
        (
            ok["load_state"].as_str(),
            ok["active_state"].as_str(),
            ok["sub_state"].as_str()
        ),
        (Some("loaded"), Some("active"), Some("running"))
    );
    let pid = ok["main_pid"].as_u64().expect("main pid");
    assert_eq!(pid.to_string(), sd.show("qd-t-ok.service", "MainPID"));
    let argv = std::fs::read(format!("/proc/{pid}/cmdline")).expect("main pid alive");
    assert_eq!(argv, b"/bin/sleep\x001000\x00");
    assert!(ok["tasks"].as_u64().is_some_and(|t| t >= 1), "{ok}");
    assert_eq!(
        ok["description"], "qd test \\e[31mred",
        "descriptions come from files: made inert"
    );
    let fail = unit(&all, "qd-t-fail.service");
    assert_eq!(
        (fail["active_state"].as_str(), fail["sub_state"].as_str()),
        (Some("failed"), Some("failed"))
    );
    assert_eq!(fail["main_pid"], 0);
    // Never started, but loaded by the daemon-reload above? Only if something asked for
    // it: systemd lists loaded units, and an inactive unit nobody references is not.
    if let Some(idle) = all.iter().find(|u| u["unit"] == "qd-t-idle.service") {
        assert_eq!(idle["active_state"], "inactive");
    }
    // Stopped behind qd's back: the next table no longer shows it running. (systemd
    // unloads an inactive unit nothing references, as `systemctl list-units --all`
    // shows: listed inactive, or not listed at all.)
    assert!(sd.systemctl(&["stop", "qd-t-ok.service"]).status.success());
    let all = services(&sd);
    if let Some(ok) = all.iter().find(|u| u["unit"] == "qd-t-ok.service") {
        assert_eq!(ok["active_state"], "inactive", "{ok}");
        assert_eq!(ok["main_pid"], 0);
    }
    assert!(
        std::fs::metadata(format!("/proc/{pid}")).is_err(),
        "main process stopped"
    );
}

#[test]
fn without_systemd_the_services_table_says_so_and_the_rest_works() {
    let env = QdEnv::new();
    let dir = tempfile::tempdir().expect("tmp");
    let nowhere = format!("unix:path={}", dir.path().join("no-bus").display());
    let out = env
        .cmd()
        .env("DBUS_SESSION_BUS_ADDRESS", &nowhere)
        .args(["--user-bus", "snapshot", "services"])
        .output()
        .expect("run qd");
    assert_eq!(out.status.code(), Some(1));
    // Once, whole, on its own line (issue 13: it was said twice, the first time
    // without its newline).
    assert_eq!(
        stderr(&out),
        format!(
            "qd: cannot reach systemd on the user bus (DBUS_SESSION_BUS_ADDRESS): failed to \
             connect to `{nowhere}`: No such file or directory (os error 2) (is `systemd \
             --user` running for this user?)\n"
        )
    );
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    let out = env
        .cmd()
        .env("DBUS_SESSION_BUS_ADDRESS", &nowhere)
        .args(["--user-bus", "snapshot", "all", "--json"])
        .output()
        .expect("run qd");
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(v["processes"].as_array().is_some_and(|p| !p.is_empty()));
    assert!(v["ports"].is_array());
    assert!(
        v["services_error"]
            .as_str()
            .is_some_and(|e| e.contains("cannot reach systemd")),
        "{v}"
    );
}
