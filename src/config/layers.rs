//! Which config files qd reads and what each may set: the trust model's rules.
//!
//! - No system file at all: no policy (`PolicySpec::Open`), as documented.
//! - A system file that exists but cannot be read, is a dangling symlink, is not
//!   trusted (`trust`) or does not parse: nothing from it is used and every action is
//!   refused with the reason (`PolicySpec::Untrusted`); qd starts and viewing works.
//! - **Privileged mode** (`sys::privileged()`):
//!   - `--config FILE` must be trusted, else qd stops with the reason (exit 2) before
//!     anything runs. A trusted one still widens nothing: like the operator's own file
//!     it gives UI preferences only (any root-owned TOML on the host, an example or a
//!     backup, would otherwise pick the sites and users root acts on); the rest is
//!     reported and ignored (a warning; `qd config check` lists it).
//!   - the operator's own file (XDG_CONFIG_HOME or HOME, which sudo may pass through)
//!     holds UI preferences only: `[general]` refresh_ms, theme, show_kernel_threads,
//!     log_level; `[[keys]]` and `[[keymap.<section>]]`; `[ssh] prefix`. Any other
//!     section or key there is reported with the file's name and ignored. It must
//!     belong to the operator or root.
//!   - a file the operator could not read themselves (not world-readable, not theirs)
//!     that fails to parse is reported without the message: the message quotes the
//!     offending line, and root must not read a file for the operator.
//! - Otherwise (a user running qd, or root as itself) layering is as documented:
//!   `--config` replaces the system and user files; authority sections in an
//!   untrusted file fail closed (`access`), and its sites' commands do not run as root.

use super::trust::{self, OpenError, Opened};
use super::{Config, ConfigError, FileReport, Layer, RawFile, apply_raw, parse, paths};
use crate::model::policy::PolicySpec;
use crate::sys::account::Account;
use std::path::Path;

/// Loads the configuration qd runs with.
pub fn load(explicit: Option<&Path>) -> Result<Config, ConfigError> {
    let privileged = crate::sys::privileged();
    let operator = crate::sys::operator_account();
    let mut cfg = Config::default();
    if let Some(p) = explicit
        && !privileged
    {
        explicit_file(&mut cfg, p, None)?;
        return Ok(cfg);
    }
    system_file(&mut cfg, Path::new(paths::SYSTEM_CONFIG), operator.as_ref());
    match explicit {
        Some(p) => explicit_file(&mut cfg, p, Some(operator.as_ref()))?,
        None => {
            if let Some(user) = paths::user_config() {
                user_file(&mut cfg, &user, privileged.then_some(operator.as_ref()));
            }
        }
    }
    Ok(cfg)
}

/// Checks one file on its own, as `qd config check PATH` does.
pub fn check(path: &Path) -> Result<Config, ConfigError> {
    let mut cfg = Config::default();
    let operator = crate::sys::operator_account();
    let o = read(path)?;
    let raw = parse_as(path, &o, operator.as_ref())?;
    apply_as(&mut cfg, path, &o, raw, operator.as_ref())?;
    cfg.files
        .push(report(path, Layer::Explicit, &o.trust, true));
    Ok(cfg)
}

fn report(path: &Path, layer: Layer, trust: &Result<(), String>, used: bool) -> FileReport {
    FileReport {
        path: path.to_path_buf(),
        layer,
        trust: trust.clone(),
        used,
        ignored: Vec::new(),
    }
}

fn read(path: &Path) -> Result<Opened, ConfigError> {
    trust::open(path).map_err(|e| {
        let m = match e {
            OpenError::NotFound => "cannot read: no such file".to_string(),
            other => format!("cannot read: {other}"),
        };
        ConfigError::at(path, "", None, m)
    })
}

/// Whether the operator could read the file's text without qd: world-readable, or
/// theirs, or readable by a group of theirs.
fn operator_may_read(o: &Opened, op: Option<&Account>) -> bool {
    o.mode & 0o004 != 0
        || op.is_some_and(|a| {
            (a.uid == o.uid && o.mode & 0o400 != 0)
                || (a.groups.contains(&o.gid) && o.mode & 0o040 != 0)
        })
}

/// In privileged mode the error of a file the operator could not read keeps its
/// place but not its message (it may quote the file).
fn hide(e: ConfigError, o: &Opened, op: Option<&Account>) -> ConfigError {
    if !crate::sys::privileged() || operator_may_read(o, op) {
        return e;
    }
    ConfigError {
        message: format!(
            "has an error here (details withheld: {} cannot read this file; run `qd config check` as root)",
            op.map(|a| a.name.as_str()).unwrap_or("the operator")
        ),
        ..e
    }
}

/// Parses `o` (errors through `hide`).
fn parse_as(path: &Path, o: &Opened, op: Option<&Account>) -> Result<RawFile, ConfigError> {
    parse(path, &o.text).map_err(|e| hide(e, o, op))
}

/// Validates and applies a parsed file (errors through `hide`).
fn apply_as(
    cfg: &mut Config,
    path: &Path,
    o: &Opened,
    raw: RawFile,
    op: Option<&Account>,
) -> Result<(), ConfigError> {
    apply_raw(cfg, path, &o.text, raw, &o.trust).map_err(|e| hide(e, o, op))
}

fn fail_closed(cfg: &mut Config, path: &Path, why: String) {
    let reason = format!(
        "the system config {} cannot be used ({why}); every action is refused until it is fixed",
        path.display()
    );
    cfg.warnings.push(reason.clone());
    cfg.policy = PolicySpec::Untrusted { reason };
}

/// The system file: all of it when trusted and valid, else nothing and fail closed.
fn system_file(cfg: &mut Config, path: &Path, op: Option<&Account>) {
    let o = match trust::open(path) {
        Ok(o) => o,
        Err(OpenError::NotFound) => return,
        Err(e) => {
            cfg.files
                .push(report(path, Layer::System, &Err(e.to_string()), false));
            return fail_closed(cfg, path, e.to_string());
        }
    };
    let mut rep = report(path, Layer::System, &o.trust, false);
    if let Err(why) = &o.trust {
        rep.ignored.push(format!("everything: not trusted ({why})"));
        cfg.files.push(rep);
        return fail_closed(cfg, path, format!("not trusted: {why}"));
    }
    match parse_as(path, &o, op).and_then(|raw| apply_as(cfg, path, &o, raw, op)) {
        Ok(()) => rep.used = true,
        Err(e) => {
            rep.ignored.push(format!("everything: {e}"));
            cfg.files.push(rep);
            return fail_closed(cfg, path, e.to_string());
        }
    }
    cfg.files.push(rep);
}

/// `--config`. `privileged`: `Some(operator)` in privileged mode, where the file must
/// be trusted and cannot replace the system policy.
fn explicit_file(
    cfg: &mut Config,
    path: &Path,
    privileged: Option<Option<&Account>>,
) -> Result<(), ConfigError> {
    let o = read(path)?;
    let mut rep = report(path, Layer::Explicit, &o.trust, true);
    let Some(op) = privileged else {
        let raw = parse(path, &o.text)?;
        apply_raw(cfg, path, &o.text, raw, &o.trust)?;
        cfg.files.push(rep);
        return Ok(());
    };
    if let Err(why) = &o.trust {
        return Err(ConfigError::at(
            path,
            "",
            None,
            format!(
                "refused: qd runs as root for another user (sudo), where --config must be a trusted file, and this one is not: {why}"
            ),
        ));
    }
    // Trusted is not enough: any root-owned TOML on the host (an example, a backup)
    // would otherwise let the operator pick the sites, users and commands root acts
    // on. Under sudo a --config widens nothing: it holds UI preferences only.
    let raw = ui_file(path, &o, op, &mut rep)?;
    apply_as(cfg, path, &o, raw, op)?;
    for i in &rep.ignored {
        cfg.warnings.push(format!("{}: {i}", path.display()));
    }
    cfg.files.push(rep);
    Ok(())
}

/// The operator's own file: reported and skipped when broken. `privileged`:
/// `Some(operator)` in privileged mode, where only UI preferences are taken.
fn user_file(cfg: &mut Config, path: &Path, privileged: Option<Option<&Account>>) {
    let o = match trust::open(path) {
        Ok(o) => o,
        Err(OpenError::NotFound) => return,
        Err(e) => {
            cfg.warnings.push(format!(
                "{}: {e} (user config skipped, defaults used)",
                path.display()
            ));
            return;
        }
    };
    let mut rep = report(path, Layer::User, &o.trust, false);
    let op = privileged.flatten();
    let parsed = match privileged {
        None => parse(path, &o.text),
        Some(op) => ui_file(path, &o, op, &mut rep),
    };
    match parsed.and_then(|raw| apply_as(cfg, path, &o, raw, op)) {
        Ok(()) => rep.used = true,
        Err(e) => cfg
            .warnings
            .push(format!("{e} (user config skipped, defaults used)")),
    }
    for i in &rep.ignored {
        cfg.warnings.push(format!("{}: {i}", path.display()));
    }
    cfg.files.push(rep);
}

/// The UI preferences of the operator's file in privileged mode; the rest is listed
/// in `rep.ignored`.
fn ui_file(
    path: &Path,
    o: &Opened,
    op: Option<&Account>,
    rep: &mut FileReport,
) -> Result<RawFile, ConfigError> {
    // The file must be the operator's (or root's, whose errors `parse_as` withholds
    // unless the operator could read it anyway).
    if o.uid != 0 && op.is_none_or(|a| a.uid != o.uid) {
        return Err(ConfigError::at(
            path,
            "",
            None,
            format!(
                "owned by uid {}, which is neither the operator nor root: not read",
                o.uid
            ),
        ));
    }
    let raw = parse_as(path, o, op)?;
    let why = "ignored: qd runs as root for another user (sudo), where a file other than the \
               system file holds UI preferences only (general refresh_ms, theme, show_kernel_threads, \
               log_level; [[keys]], [[keymap.*]]; [ssh] prefix)";
    let mut ignore = |what: &str| rep.ignored.push(format!("{what} {why}"));
    let mut general = raw.general;
    if let Some(g) = &mut general
        && g.restart_grace.take().is_some()
    {
        ignore("general.restart_grace");
    }
    let ssh = match raw.ssh.map(|s| s.prefix_only()) {
        Some((kept, true)) => {
            ignore("[ssh] (all but prefix)");
            kept
        }
        Some((kept, false)) => kept,
        None => None,
    };
    for (set, what) in [
        (raw.systemd.is_some(), "[systemd]"),
        (raw.site.is_some(), "[[site]]"),
        (raw.policy.is_some(), "[policy]"),
        (raw.audit.is_some(), "[audit]"),
        (raw.jobs.is_some(), "[jobs]"),
        (raw.host.is_some(), "[[host]]"),
    ] {
        if set {
            ignore(what);
        }
    }
    Ok(RawFile {
        general,
        keys: raw.keys,
        keymap: raw.keymap,
        ssh,
        ..RawFile::default()
    })
}

/// One line of `qd config check` for a file: which layer, whether it was used and
/// whether it is trusted.
pub fn describe(f: &FileReport) -> String {
    let layer = match f.layer {
        Layer::System => "system file",
        Layer::Explicit => "given file",
        Layer::User => "user file",
    };
    let trust = match &f.trust {
        Ok(()) => "trusted".to_string(),
        Err(why) => format!("not trusted: {why}"),
    };
    let used = if f.used { "ok" } else { "not used" };
    format!("{}: {used} ({layer}, {trust})", f.path.display())
}
