//! Privileged mode (root under sudo) and the private socket: the operator names a
//! runtime dir and a session bus in their environment, their own config file
//! names a `bus_address` and `direct`; none of it may lead root to a socket they
//! chose. The trap here is served by root (this test), so only where qd looks
//! protects it, not the credential check. The same run without SUDO_USER (root's
//! own environment) does connect to it: the trap is where qd would look.

mod support;

use std::os::unix::net::UnixListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use support::qdconf::{Extra, QdConf};

/// A root-served socket at `DIR/systemd/private` that counts its clients and hangs
/// up on each at once.
struct Trap {
    dir: tempfile::TempDir,
    hits: Arc<AtomicUsize>,
}

impl Trap {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("systemd")).expect("mkdir");
        let l = UnixListener::bind(dir.path().join("systemd/private")).expect("bind");
        let hits = Arc::new(AtomicUsize::new(0));
        let h = hits.clone();
        std::thread::spawn(move || {
            for c in l.incoming() {
                h.fetch_add(1, Ordering::SeqCst);
                drop(c);
            }
        });
        Self { dir, hits }
    }

    fn bus(&self) -> String {
        format!("unix:path={}/bus", self.dir.path().display())
    }
}

fn skip() -> bool {
    !rustix::process::geteuid().is_root()
}

#[test]
fn root_under_sudo_never_connects_where_the_operator_points() {
    if skip() {
        return;
    }
    support::ensure_user("qdop");
    let trap = Trap::new();
    let conf = QdConf::new("[systemd]\nbus = \"user\"\n");
    // The operator's own config dir, naming the trap.
    let home = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(home.path().join("quarterdeck")).expect("mkdir");
    std::fs::write(
        home.path().join("quarterdeck/config.toml"),
        format!(
            "[systemd]\nbus = \"user\"\nbus_address = \"{}\"\ndirect = true\n",
            trap.bus()
        ),
    )
    .expect("write");
    let extra = Extra {
        config_home: Some(home.path().to_path_buf()),
        ..Default::default()
    };
    let run = |op: Option<&str>| {
        let mut c = conf.cmd_with(
            op,
            &extra,
            &[
                "--user-bus",
                "snapshot",
                "services",
                "--all-units",
                "--json",
            ],
        );
        c.env("DBUS_SESSION_BUS_ADDRESS", trap.bus())
            .env("XDG_RUNTIME_DIR", trap.dir.path());
        c.output().expect("run qd")
    };
    let _ = run(Some("qdop"));
    assert_eq!(
        trap.hits.load(Ordering::SeqCst),
        0,
        "privileged qd connected to the operator's socket"
    );
    // Root's own environment: qd does look there (the trap is in the right place).
    let _ = run(None);
    assert!(
        trap.hits.load(Ordering::SeqCst) > 0,
        "the control run did not look at the trap"
    );
}
