//! `qd service ...`: resolving targets (`shop/api`, `shop`, or any unit) and unit actions
//! through the dispatcher, daemon-reload, env files. Status and logs are in
//! `service_info`, unit files and sites in `site_cmds`.

use super::{EXIT_DENIED, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::actions::units::block_on;
use crate::actions::{
    Action, CommandTarget, Dispatcher, JobCtl, Report, TargetOutcome, UnitTarget,
};
use crate::config::Config;
use crate::model::site::ServiceRef;
use crate::model::text::inert;
use crate::systemd::jobs::UnitOp;

/// `shop/api`, `shop` (all its services) or a unit (`nginx`, `nginx.service`).
pub fn resolve(cfg: &Config, specs: &[String]) -> Result<Vec<UnitTarget>, String> {
    let mut out: Vec<UnitTarget> = Vec::new();
    for spec in specs {
        match cfg.sites.resolve(spec) {
            Ok(refs) => out.extend(
                refs.iter()
                    .map(|r| UnitTarget::new(r.service.unit.clone(), Some(r.id()))),
            ),
            Err(unit) if spec.contains('/') => return Err(unit),
            Err(unit) => {
                let valid = !unit.is_empty()
                    && unit
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.@:\\".contains(c));
                if !valid {
                    return Err(format!(
                        "`{}` is neither SITE/SERVICE, a site, nor a unit name",
                        inert(&unit, 64)
                    ));
                }
                // As systemctl does: a name without a type is a service.
                let unit = if unit.contains('.') {
                    unit
                } else {
                    format!("{unit}.service")
                };
                out.push(UnitTarget::new(unit, None));
            }
        }
    }
    out.dedup_by(|a, b| a.unit == b.unit);
    Ok(out)
}

pub(super) fn one<'a>(cfg: &'a Config, spec: &str) -> Result<ServiceRef<'a>, String> {
    match cfg.sites.resolve(spec) {
        Ok(v) if v.len() == 1 && spec.contains('/') => Ok(v[0]),
        Ok(_) => Err(format!(
            "`{spec}` is a site: name one service, SITE/SERVICE"
        )),
        Err(_) if !spec.contains('/') => {
            Err(format!("`{spec}`: name a site service, SITE/SERVICE"))
        }
        Err(e) => Err(e),
    }
}

pub(super) fn exit_code(r: &Report) -> i32 {
    if r.all_ok() { EXIT_OK } else { EXIT_FAILED }
}

/// The targets, or the usage exit code after saying what is wrong.
pub(super) fn resolve_or_usage(cfg: &Config, specs: &[String]) -> Result<Vec<UnitTarget>, i32> {
    resolve(cfg, specs).map_err(|e| {
        eprintln!("qd: {e}");
        EXIT_USAGE
    })
}

/// Runs a D-Bus future to its end: the runtime's error and the future's are one.
pub(super) fn dbus<T>(
    f: impl std::future::Future<Output = Result<T, String>>,
) -> Result<T, String> {
    block_on(f)?
}

/// start, stop, restart, reload, enable, disable, reset-failed, kill: one line per
/// unit as its job finishes; exit 1 when any result is not `done`.
pub fn action(d: &Dispatcher, cfg: &Config, op: UnitOp, specs: &[String]) -> i32 {
    match resolve_or_usage(cfg, specs) {
        Ok(targets) => run_action(d, op, targets),
        Err(code) => code,
    }
}

/// `shop/api (qd-shop-api.service): ok: started`, one line per target as it finishes.
pub(super) fn print_outcome(o: &TargetOutcome) {
    let label = o.label();
    let label = match o.target.unit() {
        Some(u) if u != label => format!("{label} ({u})"),
        _ => label,
    };
    println!(
        "{}: {}: {}",
        inert(&label, 120),
        o.outcome.word(),
        inert(&o.message, 400)
    );
}

/// Dispatches `action`, printing each target's outcome as it finishes: exit 0 when
/// all are ok, 1 when any is not, 3 when denied.
pub(super) fn dispatch_printing(d: &Dispatcher, action: &Action) -> i32 {
    let ctl = JobCtl::with_progress(std::sync::Arc::new(print_outcome));
    match d.dispatch_blocking(action, &ctl) {
        Ok(r) => exit_code(&r),
        Err(denial) => {
            eprintln!("qd: {denial}");
            EXIT_DENIED
        }
    }
}

/// Dispatches `op` on `targets`, one line per unit as its job finishes.
pub(super) fn run_action(d: &Dispatcher, op: UnitOp, targets: Vec<UnitTarget>) -> i32 {
    dispatch_printing(d, &Action::Unit { op, targets })
}

pub fn daemon_reload(d: &Dispatcher) -> i32 {
    dispatch_printing(d, &Action::DaemonReload)
}

/// Prints the service's env file: names with masked values to anyone who may see
/// the site; the values to an admin who asks with `--reveal` (a recorded action).
/// The file is read with the site user's rights, and errors never echo its content.
pub fn env(d: &Dispatcher, cfg: &Config, spec: &str, reveal: bool) -> i32 {
    let r = match one(cfg, spec) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("qd: {e}");
            return EXIT_USAGE;
        }
    };
    let target = CommandTarget {
        site: r.site.name.to_string(),
        service: r.service.name.to_string(),
    };
    if !reveal {
        return match crate::actions::files::masked_env(d, &target) {
            Ok(lines) => {
                for l in lines {
                    println!("{l}");
                }
                EXIT_OK
            }
            Err(e) => {
                eprintln!("qd: {}: {e}", r.id());
                EXIT_FAILED
            }
        };
    }
    match d.reveal_env(&target) {
        Ok(Ok(text)) => match crate::model::envfile::parse(&text) {
            Ok(vars) => {
                for (k, v) in vars {
                    println!("{k}={}", inert(&v, 4096));
                }
                EXIT_OK
            }
            Err((line, m)) => {
                eprintln!("qd: {}: line {line}: {m}", r.id());
                EXIT_FAILED
            }
        },
        Ok(Err(e)) => {
            eprintln!("qd: {}: {e}", r.id());
            EXIT_FAILED
        }
        Err(denial) => {
            eprintln!("qd: {denial}");
            EXIT_DENIED
        }
    }
}
