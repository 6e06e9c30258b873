//! The services table read through the manager's private socket (`DIR/systemd/private`
//! beside the bus socket `DIR/bus`, what systemctl uses), against a real private
//! `systemd --user`: the same table as through the bus, still there when the bus is
//! gone, and never read from a socket that another user serves there.

mod support;

use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;
use support::systemd::UserSystemd;
use support::*;

const UNITS: [&str; 3] = [
    "qd-d-run.service",
    "qd-d-fail.service",
    "qd-d-reload.service",
];

fn setup() -> UserSystemd {
    let sd = UserSystemd::start();
    sd.write_unit(
        UNITS[0],
        "[Unit]\nDescription=runs\n[Service]\nExecStart=/bin/sleep 1000\n",
    );
    sd.write_unit(UNITS[1], "[Service]\nType=oneshot\nExecStart=/bin/false\n");
    sd.write_unit(
        UNITS[2],
        "[Service]\nExecStart=/bin/sleep 1000\nExecReload=/bin/true\n",
    );
    sd.daemon_reload();
    assert!(
        sd.systemctl(&["start", UNITS[0], UNITS[2]])
            .status
            .success()
    );
    let _ = sd.systemctl(&["start", UNITS[1]]);
    sd
}

/// `qd --user-bus snapshot services --all-units --json` with the runtime dir and bus
/// address given, and `extra` as the config file.
fn snapshot(runtime: &Path, bus: &str, config: Option<&str>) -> Output {
    let env = QdEnv::new();
    let mut c = env.cmd();
    c.env("XDG_RUNTIME_DIR", runtime)
        .env("DBUS_SESSION_BUS_ADDRESS", bus);
    let file = env.dir.path().join("given.toml");
    if let Some(text) = config {
        std::fs::write(&file, text).expect("config");
        c.arg("--config").arg(&file);
    }
    c.args([
        "--user-bus",
        "snapshot",
        "services",
        "--all-units",
        "--json",
    ])
    .output()
    .expect("run qd")
}

/// The rows of our units, with the fields both ways must agree on.
fn rows(out: &Output) -> Vec<Value> {
    assert!(out.status.success(), "{}", stderr(out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let all = v["services"].as_array().expect("services");
    UNITS
        .iter()
        .map(|name| {
            let u = all
                .iter()
                .find(|u| u["unit"] == *name)
                .unwrap_or_else(|| panic!("{name} not listed"));
            let keep = [
                "unit",
                "load_state",
                "active_state",
                "sub_state",
                "main_pid",
                "restarts",
                "can_reload",
                "unit_file_state",
                "fragment_path",
            ];
            keep.iter()
                .map(|k| (k.to_string(), u[*k].clone()))
                .collect()
        })
        .collect()
}

const BUS_ONLY: &str = "[systemd]\ndirect = false\n";

#[test]
fn the_private_socket_gives_the_table_the_bus_gives() {
    let sd = setup();
    let direct = rows(&snapshot(sd.runtime_dir(), &sd.bus_address(), None));
    let bus = rows(&snapshot(
        sd.runtime_dir(),
        &sd.bus_address(),
        Some(BUS_ONLY),
    ));
    assert_eq!(direct, bus);
    let pid = sd.show(UNITS[0], "MainPID");
    assert_eq!(
        direct[0]["main_pid"].to_string(),
        pid,
        "as systemctl shows it"
    );
    assert_eq!(direct[1]["active_state"], "failed");
    assert_eq!(direct[2]["can_reload"], true);
    assert!(
        direct[0]["fragment_path"]
            .as_str()
            .unwrap_or("")
            .ends_with(UNITS[0])
    );
}

#[test]
fn with_the_bus_gone_the_private_socket_still_answers() {
    let sd = setup();
    // A runtime dir of our own with the manager's private socket and no bus.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("systemd")).expect("mkdir");
    std::os::unix::fs::symlink(
        sd.runtime_dir().join("systemd/private"),
        dir.path().join("systemd/private"),
    )
    .expect("symlink");
    let bus = format!("unix:path={}/bus", dir.path().display());
    let direct = rows(&snapshot(dir.path(), &bus, None));
    assert_eq!(
        direct[0]["main_pid"].to_string(),
        sd.show(UNITS[0], "MainPID")
    );
    let out = snapshot(dir.path(), &bus, Some(BUS_ONLY));
    assert!(!out.status.success(), "the bus is gone");
    assert!(
        stderr(&out).contains("cannot reach systemd"),
        "{}",
        stderr(&out)
    );
}

/// A listener on `sock` run as nobody, writing to `log` how many bytes each client
/// sent before it left (0, or -1 for a reset: nothing).
fn fake_manager(sock: &Path, log: &Path) -> Child {
    let script = r#"
        use IO::Socket::UNIX;
        my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $ARGV[0], Listen => 5)
            or die "listen: $!";
        chmod 0777, $ARGV[0];
        open(my $r, ">>", $ARGV[1]) or die; print $r "ready\n"; close $r;
        while (my $c = $s->accept) {
            my $n = sysread($c, my $buf, 4096);
            open(my $f, ">>", $ARGV[1]) or die; print $f "read ", ($n // -1), "\n"; close $f;
        }
    "#;
    let child = Command::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "perl",
            "-e",
            script,
        ])
        .arg(sock)
        .arg(log)
        .stdout(Stdio::null())
        .spawn()
        .expect("setpriv perl");
    assert!(
        wait_until(Duration::from_secs(10), || std::fs::read_to_string(log)
            .is_ok_and(|s| s.contains("ready"))),
        "the fake manager did not start"
    );
    child
}

#[test]
fn a_private_socket_served_by_another_user_is_never_used() {
    let sd = setup();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let sys = dir.path().join("systemd");
    std::fs::create_dir(&sys).expect("mkdir");
    std::fs::set_permissions(&sys, std::fs::Permissions::from_mode(0o777)).expect("chmod");
    std::os::unix::fs::symlink(sd.runtime_dir().join("bus"), dir.path().join("bus"))
        .expect("symlink");
    let log = sys.join("log");
    let mut fake = fake_manager(&sys.join("private"), &log);
    let bus = format!("unix:path={}/bus", dir.path().display());
    let out = snapshot(dir.path(), &bus, None);
    let _ = fake.kill();
    let _ = fake.wait();
    // The real manager's rows, through the bus.
    let got = rows(&out);
    assert_eq!(got[0]["main_pid"].to_string(), sd.show(UNITS[0], "MainPID"));
    // qd connected, saw who serves the socket and left without a word.
    let said = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        said.lines()
            .all(|l| l == "ready" || l == "read 0" || l == "read -1"),
        "qd wrote to another user's socket: {said}"
    );
}
