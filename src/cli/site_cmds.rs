//! Unit files and sites as a whole: `qd service render|install`, `qd site list|remove`.

use super::service_cmds::{dispatch_printing, one};
use super::{EXIT_DENIED, EXIT_OK, EXIT_USAGE};
use crate::actions::{Action, CommandTarget, Dispatcher, unitfile};
use crate::config::Config;

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

/// Writes the unit files of the named services, daemon-reloads, enables them: one
/// action, each file written its own target (and audit record).
pub fn install(d: &Dispatcher, cfg: &Config, specs: &[String]) -> i32 {
    let mut services = Vec::new();
    for s in specs {
        match cfg.sites.resolve(s) {
            Ok(r) => services.extend(r.iter().map(|r| CommandTarget {
                site: r.site.name.to_string(),
                service: r.service.name.to_string(),
            })),
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
    dispatch_printing(d, &Action::InstallUnits { services })
}

/// Stops and disables every unit of the site, removes the unit files qd manages
/// (in the unit directory), daemon-reloads. Without `yes` it only says what it would do.
pub fn site_remove(d: &Dispatcher, cfg: &Config, name: &str, yes: bool) -> i32 {
    let Some(site) = cfg.sites.site(name) else {
        eprintln!("qd: no site `{name}` in the config");
        return EXIT_USAGE;
    };
    let action = Action::RemoveSite {
        site: name.to_string(),
    };
    if let Err(denial) = d.check(&action) {
        eprintln!("qd: {denial}");
        return EXIT_DENIED;
    }
    if !yes {
        let dir = unitfile::unit_dir(&cfg.systemd);
        println!("qd site remove {name} would stop, disable and delete:");
        for s in &site.services {
            println!("  {}", dir.join(&s.unit).display());
        }
        println!("run again with --yes to do it");
        return EXIT_USAGE;
    }
    dispatch_printing(d, &action)
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
