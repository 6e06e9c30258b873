//! A real, private `systemd --user` for tests (the recipe of shared/DESIGN.md): its
//! own runtime and config dirs, its own socket-activated session bus. Stopped by its
//! pid on drop, which stops its units and its bus too.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub struct UserSystemd {
    child: Child,
    runtime: tempfile::TempDir,
    config: tempfile::TempDir,
    cgroups: Vec<PathBuf>,
}

/// A fresh cgroup named after the runtime dir in every mounted hierarchy (v1
/// controllers, name=systemd, unified: systemd reads accounting from the
/// controllers'); empty when cgroupfs cannot be written (then managers share).
fn own_cgroups(runtime: &Path) -> Vec<PathBuf> {
    let name = format!(
        "qd-test-{}",
        runtime
            .file_name()
            .map(|n| n.to_string_lossy().replace('.', ""))
            .unwrap_or_default()
    );
    let root = Path::new("/sys/fs/cgroup");
    let hierarchies: Vec<PathBuf> = if root.join("cgroup.procs").exists() {
        vec![root.to_path_buf()]
    } else {
        std::fs::read_dir(root)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    hierarchies
        .into_iter()
        .filter(|h| h.join("cgroup.procs").exists())
        .map(|h| h.join(&name))
        .filter(|g| std::fs::create_dir(g).is_ok())
        .collect()
}

impl UserSystemd {
    pub fn start() -> Self {
        // systemd believes it was booted only when this exists.
        std::fs::create_dir_all("/run/systemd/system").expect("mkdir /run/systemd/system");
        let runtime = tempfile::tempdir().expect("runtime dir");
        std::fs::set_permissions(
            runtime.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .expect("chmod 700");
        let config = tempfile::tempdir().expect("config dir");
        std::fs::create_dir_all(config.path().join("systemd/user")).expect("unit dir");
        // Each manager gets a cgroup of its own. Started in a shared one (a container's
        // root), every manager puts its units at the same absolute cgroup paths, and
        // one manager stopping its dbus.service kills every other manager's bus.
        let cgroups = own_cgroups(runtime.path());
        let mut script = String::new();
        for g in &cgroups {
            // A controller may refuse (an unset cpuset); the others still separate.
            script.push_str(&format!(
                "echo 0 2>/dev/null > '{}/cgroup.procs'; ",
                g.display()
            ));
        }
        script.push_str("exec /lib/systemd/systemd --user");
        let child = Command::new("/bin/sh")
            .args(["-c", &script])
            .env("XDG_RUNTIME_DIR", runtime.path())
            .env("XDG_CONFIG_HOME", config.path())
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start systemd --user");
        let sd = Self {
            child,
            runtime,
            config,
            cgroups,
        };
        let up = super::wait_until(Duration::from_secs(20), || {
            sd.runtime.path().join("bus").exists()
                && sd.runtime.path().join("systemd/private").exists()
        });
        assert!(up, "systemd --user did not come up");
        sd
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn runtime_dir(&self) -> &Path {
        self.runtime.path()
    }

    pub fn bus_address(&self) -> String {
        format!("unix:path={}", self.runtime.path().join("bus").display())
    }

    /// Points a command at this manager's bus.
    pub fn env(&self, c: &mut Command) {
        c.env("XDG_RUNTIME_DIR", self.runtime.path())
            .env("DBUS_SESSION_BUS_ADDRESS", self.bus_address());
    }

    pub fn unit_dir(&self) -> PathBuf {
        self.config.path().join("systemd/user")
    }

    /// Writes a unit file; call `daemon_reload` after the last one.
    pub fn write_unit(&self, name: &str, text: &str) {
        std::fs::write(self.unit_dir().join(name), text).expect("write unit");
    }

    /// `systemctl --user ARGS` against this manager (the test's view from outside qd).
    pub fn systemctl(&self, args: &[&str]) -> Output {
        let mut c = Command::new("systemctl");
        c.arg("--user").args(args);
        self.env(&mut c);
        c.output().expect("systemctl")
    }

    pub fn daemon_reload(&self) {
        let o = self.systemctl(&["daemon-reload"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    /// One property as `systemctl show -p NAME --value` prints it.
    pub fn show(&self, unit: &str, prop: &str) -> String {
        let o = self.systemctl(&["show", "-p", prop, "--value", unit]);
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    }
}

impl Drop for UserSystemd {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the pid of a child this harness started and has not reaped.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let gone = super::wait_until(Duration::from_secs(10), || {
            self.child.try_wait().ok().flatten().is_some()
        });
        if !gone {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        // Empty once the manager and its units are gone; the kernel refuses otherwise.
        for g in self.cgroups.iter().rev() {
            remove_cgroup_tree(g);
        }
    }
}

fn remove_cgroup_tree(g: &Path) {
    if let Ok(entries) = std::fs::read_dir(g) {
        for e in entries.flatten() {
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                remove_cgroup_tree(&e.path());
            }
        }
    }
    let _ = std::fs::remove_dir(g);
}
