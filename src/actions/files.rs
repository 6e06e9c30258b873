//! The file actions: a service's env file (reveal, write) and unit files (install,
//! remove with the site). Paths come from the config, never from the caller; env
//! files live in directories their site user controls, so they are read with that
//! user's rights and replaced through `sys::sitefile` (exclusive temp file, owner and
//! mode kept, no planted name followed). Every file written or deleted is its own
//! target, so each has its audit record.

use super::units::{self, UnitTarget};
use super::{CommandTarget, Dispatcher, Sink, Target, TargetKind, TargetOutcome, unitfile};
use crate::model::envfile;
use crate::model::site::ServiceRef;
use crate::sys::account::Account;
use crate::sys::sitefile;
use crate::systemd::jobs::UnitOp;
use std::path::{Path, PathBuf};

/// Env files larger than this are refused: they are a few variables, not data.
pub const MAX_ENV: usize = 1 << 20;

fn file_target(path: &Path) -> Target {
    Target::local(TargetKind::File {
        path: path.to_path_buf(),
    })
}

/// The service, its env file path and its site user's account.
fn env_of<'a>(
    d: &'a Dispatcher,
    t: &CommandTarget,
) -> Result<(ServiceRef<'a>, PathBuf, Account), String> {
    let id = t.id();
    let r = d
        .sites
        .resolve(&id)
        .ok()
        .and_then(|v| v.into_iter().next())
        .ok_or_else(|| format!("no service {id} in the config"))?;
    let path = r
        .service
        .env_file
        .clone()
        .ok_or_else(|| format!("{id}: no env_file in the config"))?;
    let account = Account::by_name(&r.site.user).ok_or_else(|| {
        format!(
            "the site's user {} does not exist on this host",
            r.site.user
        )
    })?;
    Ok((r, path, account))
}

/// Reads and parses a service's env file as its site user; errors never carry the
/// file's content. A missing file is empty (the editor starts a new one).
pub fn read_env(d: &Dispatcher, t: &CommandTarget) -> Result<(PathBuf, String), String> {
    let (_, path, account) = env_of(d, t)?;
    // A missing file is a new one; anything else is read through sitefile (a stat
    // here reveals nothing of the content, and a race only makes it "new").
    if let Err(e) = std::fs::symlink_metadata(&path)
        && e.kind() == std::io::ErrorKind::NotFound
    {
        return Ok((path, String::new()));
    }
    let text = String::from_utf8(sitefile::read(&path, &account, MAX_ENV)?)
        .map_err(|_| format!("{}: not UTF-8 text", path.display()))?;
    Ok((path, text))
}

/// The reveal's outcome for the audit log, and the text for the operator.
pub fn reveal_env(d: &Dispatcher, t: &CommandTarget) -> (TargetOutcome, Result<String, String>) {
    match read_env(d, t) {
        Ok((path, text)) => match envfile::parse(&text) {
            Ok(vars) => (
                TargetOutcome::new(
                    file_target(&path),
                    Ok(format!("revealed {} variables", vars.len())),
                ),
                Ok(text),
            ),
            Err((line, m)) => {
                let why = format!("{}:{line}: {m}", path.display());
                (
                    TargetOutcome::failed(file_target(&path), why.clone()),
                    Err(why),
                )
            }
        },
        Err(e) => (
            TargetOutcome::failed(Target::local(TargetKind::Manager), e.clone()),
            Err(e),
        ),
    }
}

/// The variable names of a service's env file with every value masked: what anyone
/// who may see the site is shown (values are for admins, through a recorded reveal).
pub fn masked_env(d: &Dispatcher, t: &CommandTarget) -> Result<Vec<String>, String> {
    let (path, text) = read_env(d, t)?;
    envfile::parse(&text)
        .map(|vars| vars.into_iter().map(|(k, _)| format!("{k}=****")).collect())
        .map_err(|(line, m)| format!("{}:{line}: {m}", path.display()))
}

/// Validates `content` and replaces the service's env file with it.
pub fn write_env(d: &Dispatcher, t: &CommandTarget, content: &str) -> TargetOutcome {
    let (_, path, account) = match env_of(d, t) {
        Ok(x) => x,
        Err(e) => return TargetOutcome::failed(Target::local(TargetKind::Manager), e),
    };
    let target = file_target(&path);
    let vars = match envfile::parse(content) {
        Ok(v) => v.len(),
        Err((line, m)) => {
            return TargetOutcome::failed(target, format!("not written: line {line}: {m}"));
        }
    };
    let r = sitefile::replace(&path, &account, content.as_bytes())
        .map(|()| format!("wrote {vars} variables"));
    TargetOutcome::new(target, r)
}

/// Renders and writes each service's unit file (a target each), daemon-reloads, and
/// enables the units that were written.
pub async fn install_units(d: &Dispatcher, services: &[CommandTarget], sink: &Sink<'_>) {
    let dir = unitfile::unit_dir(&d.systemd);
    let mut written = Vec::new();
    for t in services {
        let id = t.id();
        let Some(r) = d.sites.resolve(&id).ok().and_then(|v| v.into_iter().next()) else {
            sink.emit(TargetOutcome::failed(
                Target::local(TargetKind::Manager),
                format!("no service {id} in the config"),
            ));
            continue;
        };
        let path = dir.join(&r.service.unit);
        // The manager runs as root only on the system bus or as root's own manager.
        let as_root = rustix::process::geteuid().is_root();
        let checked = if as_root {
            unitfile::check_manager_paths(r)
        } else {
            Ok(())
        };
        let r2 = checked
            .and_then(|()| unitfile::render(r, &d.systemd))
            .and_then(|text| {
                unitfile::write(&dir, &r.service.unit, &text)
                    .map(|()| format!("wrote unit of {id}"))
            });
        if r2.is_ok() {
            written.push(UnitTarget::new(r.service.unit.clone(), Some(id)));
        }
        sink.emit(TargetOutcome::new(file_target(&path), r2));
    }
    if written.is_empty() {
        return;
    }
    units::run(d.bus, None, &[], &d.sites, sink).await;
    units::run(d.bus, Some(UnitOp::Enable), &written, &d.sites, sink).await;
}

/// Stops and disables every unit of the site, deletes the unit files qd manages (in
/// the unit directory; each file a target), daemon-reloads.
pub async fn remove_site(d: &Dispatcher, name: &str, sink: &Sink<'_>) {
    let Some(site) = d.sites.site(name) else {
        sink.emit(TargetOutcome::failed(
            Target::local(TargetKind::Manager),
            format!("no site `{name}` in the config"),
        ));
        return;
    };
    let dir = unitfile::unit_dir(&d.systemd);
    let targets: Vec<UnitTarget> = site
        .services
        .iter()
        .map(|s| UnitTarget::new(s.unit.clone(), Some(format!("{}/{}", site.name, s.name))))
        .collect();
    // The stop and disable outcomes are not the job's last word on a unit: its file
    // removal is; they still each get their record.
    units::run(d.bus, Some(UnitOp::Stop), &targets, &d.sites, sink).await;
    units::run(d.bus, Some(UnitOp::Disable), &targets, &d.sites, sink).await;
    for t in &targets {
        let p = dir.join(&t.unit);
        let r = match sitefile::remove(&p) {
            Ok(true) => Ok("removed".to_string()),
            Ok(false) => Ok("no such file (nothing to remove)".to_string()),
            Err(e) => Err(e),
        };
        sink.emit(TargetOutcome::new(file_target(&p), r));
    }
    units::run(d.bus, None, &[], &d.sites, sink).await;
}
