//! A qd run against one config file with a private audit dir: the setup of the
//! command, policy and audit tests. The file is root-owned and mode 644 when the tests
//! run as root, so a policy in it is trusted unless a test loosens it.

use super::{QdEnv, stdout};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output};

pub struct QdConf {
    pub env: QdEnv,
    pub path: PathBuf,
    pub audit: PathBuf,
}

impl QdConf {
    /// `body` is the config without `[audit]`, which is added.
    pub fn new(body: &str) -> Self {
        let env = QdEnv::new();
        let audit = env.dir.path().join("audit");
        let path = env.dir.path().join("qd.toml");
        let c = Self { env, path, audit };
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

    /// `qd --config FILE ARGS` as `operator` (SUDO_USER, which qd honours as root).
    pub fn cmd(&self, operator: Option<&str>, args: &[&str]) -> Command {
        let mut c = self.env.cmd();
        c.env_remove("SUDO_USER");
        if let Some(op) = operator {
            c.env("SUDO_USER", op);
        }
        c.arg("--config").arg(&self.path).args(args);
        c
    }

    pub fn run(&self, operator: Option<&str>, args: &[&str]) -> Output {
        self.cmd(operator, args).output().expect("run qd")
    }

    /// Every record of the audit log, through `qd audit --json`.
    pub fn records(&self) -> Vec<Value> {
        let out = self.run(None, &["audit", "--json"]);
        assert!(out.status.success(), "qd audit failed");
        stdout(&out)
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON record per line"))
            .collect()
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
