//! Helpers of the export tests (tests/export_action.rs): each test body runs in a
//! child process of the test binary with the environment it names (SUDO_USER, HOME,
//! XDG_STATE_HOME, PATH, umask), because privileged mode and the default dir are read
//! from the process's environment, which the threads of one test process share; and
//! a real `Dispatcher` with a private audit log to export through.

use quarterdeck::actions::{Action, Dispatcher, Operator, Policy, Role, TargetOutcome};
use quarterdeck::audit::AuditLog;
use quarterdeck::model::export::ExportFormat;
use quarterdeck::model::policy::{PolicySpec, Rule, SiteSet, Who};
use std::ffi::OsString;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// The variable that tells a child which test it runs, and the test's directory.
const CHILD: &str = "QD_EXPORT_TEST_CHILD";
const DIR: &str = "QD_EXPORT_TEST_DIR";

/// In the child of `test`: `Some(the test's directory)`: run the body. In the parent:
/// makes that directory (0755, so a test operator can reach what is made for them in
/// it), calls `env` with it (setup, and the environment of the child), runs `test`
/// alone in a child with that environment (and no invoking-user or XDG_STATE_HOME
/// variable but those given), asserts it passed, and returns `None`.
pub fn in_child(
    test: &str,
    env: impl FnOnce(&Path) -> Vec<(&'static str, OsString)>,
) -> Option<PathBuf> {
    if std::env::var(CHILD).as_deref() == Ok(test) {
        return std::env::var_os(DIR).map(PathBuf::from);
    }
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut c = Command::new(std::env::current_exe().expect("the test binary"));
    c.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, test)
        .env(DIR, dir.path());
    for v in ["SUDO_USER", "DOAS_USER", "PKEXEC_UID", "XDG_STATE_HOME"] {
        c.env_remove(v);
    }
    for (k, v) in env(dir.path()) {
        c.env(k, v);
    }
    let out = c.output().expect("run the child");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{test} in its child:\n{text}");
    // A name that matched no test would pass as well: the body must have run.
    assert!(text.contains("1 passed"), "{test} did not run:\n{text}");
    None
}

/// A value for [`in_child`]'s environment.
pub fn var(k: &'static str, v: impl Into<OsString>) -> (&'static str, OsString) {
    (k, v.into())
}

/// One rule giving `user` `role` on no site.
pub fn rules(user: &str, role: Role) -> PolicySpec {
    PolicySpec::Rules {
        rules: vec![Rule {
            who: Who::User(user.into()),
            role,
            sites: SiteSet::none(),
            hosts: SiteSet::none(),
            origin: "/etc/quarterdeck/config.toml:3".into(),
        }],
        file: "/etc/quarterdeck/config.toml".into(),
    }
}

/// The dispatcher of this process's operator under `spec`, recording into `audit`.
pub fn dispatcher(spec: PolicySpec, readonly: bool, audit: &Path) -> Dispatcher {
    let op = Operator::current().under(&spec);
    Dispatcher::new(Policy::new(spec), op, readonly, Duration::from_secs(1))
        .with_audit(AuditLog::new(audit.to_path_buf()))
}

/// A dispatcher without a policy (the operator is admin), recording into DIR/audit.
pub fn open(dir: &Path) -> Dispatcher {
    dispatcher(PolicySpec::Open, false, &dir.join("audit"))
}

pub fn csv_action(path: &Path, content: &str, rows: usize) -> Action {
    Action::Export {
        table: "hosts".into(),
        format: ExportFormat::Csv,
        path: path.to_path_buf(),
        content: content.as_bytes().to_vec(),
        rows,
    }
}

/// The one target's outcome of exporting `content` to `path` (never denied).
pub fn export(d: &Dispatcher, path: &Path, content: &str) -> TargetOutcome {
    let report = d
        .dispatch(&csv_action(path, content, 1))
        .expect("an export is never denied");
    assert_eq!(report.outcomes.len(), 1, "{report:?}");
    report.outcomes[0].clone()
}

/// The failure message of exporting to `path`, asserting it failed.
pub fn refused(d: &Dispatcher, path: &Path) -> String {
    let o = export(d, path, "refused\r\n");
    assert!(!o.ok(), "{} was written: {o:?}", path.display());
    o.message
}

pub fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p)
        .expect("meta")
        .permissions()
        .mode()
        & 0o7777
}

pub fn owner(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).expect("meta").uid()
}

/// A directory with `mode`, owned by `uid`.
pub fn dir_of(p: &Path, uid: u32, mode: u32) -> PathBuf {
    std::fs::create_dir_all(p).expect("mkdir");
    std::os::unix::fs::chown(p, Some(uid), Some(uid)).expect("chown");
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).expect("chmod");
    p.to_path_buf()
}

/// The names in `dir`, sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The whole audit log of `dir` as text (every day file).
pub fn audit_text(dir: &Path) -> String {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default()
}
