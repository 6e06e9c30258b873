//! Unit files and sites as a whole: `qd service render|install`, `qd site list|remove`.

use super::service_cmds::{daemon_reload, one, run_action};
use super::{EXIT_DENIED, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::actions::{Action, Dispatcher, UnitTarget, unitfile};
use crate::config::Config;
use crate::systemd::jobs::UnitOp;

pub fn render(cfg: &Config, spec: &str) -> i32 {
    match one(cfg, spec).and_then(|r| unitfile::render(r, &cfg.systemd)) {
        Ok(text) => {
            print!("{text}");
            EXIT_OK
        }
        Err(e) => {
            eprintln!("qd: {e}");
            EXIT_USAGE
        }
    }
}

/// Writes the unit files of the named services, daemon-reloads, enables them.
pub fn install(d: &Dispatcher, cfg: &Config, specs: &[String]) -> i32 {
    if let Err(denial) = d.check(&Action::DaemonReload) {
        eprintln!("qd: {denial}");
        return EXIT_DENIED;
    }
    let mut refs = Vec::new();
    for s in specs {
        match cfg.sites.resolve(s) {
            Ok(r) => refs.extend(r),
            Err(e) => {
                eprintln!(
                    "qd: {}",
                    if s.contains('/') {
                        e
                    } else {
                        format!("no site or site service `{s}`")
                    }
                );
                return EXIT_USAGE;
            }
        }
    }
    let dir = unitfile::unit_dir(&cfg.systemd);
    let mut targets = Vec::new();
    for r in &refs {
        let written = unitfile::render(*r, &cfg.systemd)
            .and_then(|t| unitfile::write_atomic(&dir, &r.service.unit, &t));
        match written {
            Ok(p) => {
                println!("{}: wrote {}", r.id(), p.display());
                targets.push(UnitTarget::new(r.service.unit.clone(), Some(r.id())));
            }
            Err(e) => {
                eprintln!("qd: {}: {e}", r.id());
                return EXIT_FAILED;
            }
        }
    }
    let code = daemon_reload(d);
    if code != EXIT_OK {
        return code;
    }
    run_action(d, UnitOp::Enable, targets)
}

/// Stops and disables every unit of the site, removes the unit files qd manages
/// (in the unit directory), daemon-reloads. Without `yes` it only says what it would do.
pub fn site_remove(d: &Dispatcher, cfg: &Config, name: &str, yes: bool) -> i32 {
    let Some(site) = cfg.sites.site(name) else {
        eprintln!("qd: no site `{name}` in the config");
        return EXIT_USAGE;
    };
    let dir = unitfile::unit_dir(&cfg.systemd);
    let targets: Vec<UnitTarget> = site
        .services
        .iter()
        .map(|s| UnitTarget::new(s.unit.clone(), Some(format!("{}/{}", site.name, s.name))))
        .collect();
    if !yes {
        println!("qd site remove {name} would stop, disable and delete:");
        for t in &targets {
            println!("  {}", dir.join(&t.unit).display());
        }
        println!("run again with --yes to do it");
        return EXIT_USAGE;
    }
    if let Err(denial) = d.check(&Action::DaemonReload) {
        eprintln!("qd: {denial}");
        return EXIT_DENIED;
    }
    let mut code = run_action(d, UnitOp::Stop, targets.clone());
    code = code.max(run_action(d, UnitOp::Disable, targets.clone()));
    for t in &targets {
        let p = dir.join(&t.unit);
        match std::fs::remove_file(&p) {
            Ok(()) => println!(
                "{}: removed {}",
                t.service.as_deref().unwrap_or(""),
                p.display()
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                eprintln!("qd: cannot remove {}: {e}", p.display());
                code = EXIT_FAILED;
            }
        }
    }
    code.max(daemon_reload(d))
}

/// `qd site list`: each site, its user and its services with their units.
pub fn site_list(cfg: &Config) -> i32 {
    if cfg.sites.is_empty() {
        println!("no sites: add [[site]] tables to the config (see config.example.toml)");
        return EXIT_OK;
    }
    let rows: Vec<Vec<String>> = cfg
        .sites
        .services()
        .map(|r| {
            vec![
                r.site.name.to_string(),
                r.site.user.clone(),
                r.service.name.to_string(),
                r.service.unit.clone(),
                r.service
                    .port
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    print!(
        "{}",
        super::table::render(&["SITE", "USER", "SERVICE", "UNIT", "PORT"], &rows)
    );
    EXIT_OK
}
