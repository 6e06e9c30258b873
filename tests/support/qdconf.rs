//! A qd run against one config with a private audit dir: the setup of the command,
//! policy and audit tests.
//!
//! The config is the **system file**: as root, each qd runs in a private mount
//! namespace where a temp directory is bind-mounted on `/etc/quarterdeck` (and another
//! on `/var/log/quarterdeck`, qd's log in privileged mode), so qd reads it from the
//! fixed path, exactly as on a server; nothing on the host changes but two empty
//! directories. The file is root-owned and mode 644, so it is trusted unless a test
//! loosens it. Without root (no mount namespace) the file is passed with `--config`.
//! [`Extra`] adds a `--config` file or an operator's own config dir for attack tests.

use super::{QdEnv, stdout};
use serde_json::Value;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const SYSTEM_DIR: &str = "/etc/quarterdeck";
pub const LOG_DIR: &str = "/var/log/quarterdeck";

pub struct QdConf {
    pub env: QdEnv,
    /// The system file, as the host sees it (`etc/config.toml` in the temp dir).
    pub path: PathBuf,
    pub audit: PathBuf,
    /// The directory bound on /etc/quarterdeck.
    pub etc: PathBuf,
    /// The directory bound on /var/log/quarterdeck.
    pub log: PathBuf,
}

/// What an attack test adds to a run.
#[derive(Default, Clone)]
pub struct Extra {
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// XDG_CONFIG_HOME (the operator's own config dir, as `sudo -E` passes it).
    pub config_home: Option<PathBuf>,
    /// Leave XDG_CONFIG_HOME unset, so HOME decides (as `sudo` without `-E` would).
    pub unset_config_home: bool,
    /// HOME.
    pub home: Option<PathBuf>,
    /// XDG_STATE_HOME.
    pub state_home: Option<PathBuf>,
}

impl QdConf {
    /// `body` is the config without `[audit]`, which is added.
    pub fn new(body: &str) -> Self {
        let env = QdEnv::new();
        let audit = env.dir.path().join("audit");
        let etc = env.dir.path().join("etc");
        let log = env.dir.path().join("log");
        for (d, mode) in [(&etc, 0o755), (&log, 0o700)] {
            std::fs::create_dir(d).expect("mkdir");
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(mode)).expect("chmod");
        }
        let path = etc.join("config.toml");
        let c = Self {
            env,
            path,
            audit,
            etc,
            log,
        };
        c.write(body);
        c
    }

    pub fn write(&self, body: &str) {
        let text = format!("[audit]\ndir = \"{}\"\n{body}", self.audit.display());
        std::fs::write(&self.path, text).expect("write config");
        self.chmod(0o644);
    }

    pub fn chmod(&self, mode: u32) {
        std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(mode))
            .expect("chmod config");
    }

    /// `qd ARGS` as `operator` (SUDO_USER, which makes qd privileged as root), with
    /// this config as the system file.
    pub fn cmd(&self, operator: Option<&str>, args: &[&str]) -> Command {
        self.cmd_with(operator, &Extra::default(), args)
    }

    pub fn cmd_with(&self, operator: Option<&str>, extra: &Extra, args: &[&str]) -> Command {
        let mut c = self.env.cmd();
        c.env_remove("SUDO_USER");
        if let Some(op) = operator {
            c.env("SUDO_USER", op);
        }
        if let Some(d) = &extra.config_home {
            c.env("XDG_CONFIG_HOME", d);
        }
        if extra.unset_config_home {
            c.env_remove("XDG_CONFIG_HOME");
        }
        if let Some(d) = &extra.home {
            c.env("HOME", d);
        }
        if let Some(d) = &extra.state_home {
            c.env("XDG_STATE_HOME", d);
        }
        if is_root() {
            self.in_namespace(&mut c);
        } else {
            c.arg("--config").arg(&self.path);
        }
        if let Some(f) = &extra.config {
            c.arg("--config").arg(f);
        }
        c.args(args);
        c
    }

    /// The same namespace for a command line typed into a shell (the tmux suites):
    /// put it after the environment assignments and before qd's path and arguments.
    pub fn namespace_prefix(&self) -> String {
        for d in [SYSTEM_DIR, LOG_DIR] {
            std::fs::create_dir_all(d).expect("mount point");
        }
        format!(
            "unshare -m --propagation private sh -c 'mount --bind {} {SYSTEM_DIR} && mount --bind {} {LOG_DIR} && exec \"$0\" \"$@\"'",
            self.etc.display(),
            self.log.display()
        )
    }

    /// Runs `c` in a private mount namespace with the temp dirs on the system paths.
    fn in_namespace(&self, c: &mut Command) {
        for d in [SYSTEM_DIR, LOG_DIR] {
            // Harmless on the host: an empty directory to mount on.
            std::fs::create_dir_all(d).expect("mount point");
        }
        let cs = |p: &Path| CString::new(p.as_os_str().as_bytes()).expect("path");
        let mounts = [
            (cs(&self.etc), cs(Path::new(SYSTEM_DIR))),
            (cs(&self.log), cs(Path::new(LOG_DIR))),
        ];
        let root = cs(Path::new("/"));
        // SAFETY: between fork and exec the child calls only unshare(2) and mount(2)
        // with strings allocated before the fork; nothing allocates or locks.
        unsafe {
            c.pre_exec(move || {
                let err = std::io::Error::last_os_error;
                if libc::unshare(libc::CLONE_NEWNS) != 0 {
                    return Err(err());
                }
                let none = std::ptr::null();
                if libc::mount(
                    none,
                    root.as_ptr(),
                    none,
                    libc::MS_REC | libc::MS_PRIVATE,
                    std::ptr::null(),
                ) != 0
                {
                    return Err(err());
                }
                for (from, to) in &mounts {
                    if libc::mount(
                        from.as_ptr(),
                        to.as_ptr(),
                        none,
                        libc::MS_BIND,
                        std::ptr::null(),
                    ) != 0
                    {
                        return Err(err());
                    }
                }
                Ok(())
            });
        }
    }

    pub fn run(&self, operator: Option<&str>, args: &[&str]) -> Output {
        self.cmd(operator, args).output().expect("run qd")
    }

    pub fn run_with(&self, operator: Option<&str>, extra: &Extra, args: &[&str]) -> Output {
        self.cmd_with(operator, extra, args)
            .output()
            .expect("run qd")
    }

    /// qd's own log in privileged mode (the file under the dir bound on
    /// /var/log/quarterdeck), empty when none was written.
    pub fn privileged_log(&self) -> String {
        std::fs::read_to_string(self.log.join("qd.log")).unwrap_or_default()
    }

    /// Every record of the audit log, through `qd audit --json`.
    /// Every record of the audit log, oldest first, read from the day files
    /// themselves (`qd audit` shows each operator only what their role may see).
    pub fn records(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.audit)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        let mut recs: Vec<Value> = files
            .iter()
            .flat_map(|f| {
                std::fs::read_to_string(f)
                    .expect("read day file")
                    .lines()
                    .map(|l| serde_json::from_str(l).expect("a JSON record per line"))
                    .collect::<Vec<Value>>()
            })
            .collect();
        recs.sort_by_key(|r| r["unix_ms"].as_u64().unwrap_or(0));
        recs
    }
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The user running the tests.
pub fn me() -> String {
    let o = Command::new("id").arg("-un").output().expect("id");
    stdout(&o).trim().to_string()
}
