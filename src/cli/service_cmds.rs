//! `qd service ...` and `qd site remove`: unit actions through the dispatcher, status,
//! logs, env files and unit files, for site services (`shop/api`, `shop`) or any unit.

use super::{EXIT_DENIED, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::actions::units::block_on;
use crate::actions::{Action, Dispatcher, Report, UnitTarget, unitfile};
use crate::config::Config;
use crate::model::site::ServiceRef;
use crate::model::text::inert;
use crate::sources::systemd::jobs::UnitOp;
use crate::sources::systemd::units::Selection;
use crate::sources::systemd::{Bus, Systemd, explain};
use crate::sources::unitlogs::{self, LogSource, Tail};

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

fn one<'a>(cfg: &'a Config, spec: &str) -> Result<ServiceRef<'a>, String> {
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

fn print_report(r: &Report) -> i32 {
    if r.all_ok() { EXIT_OK } else { EXIT_FAILED }
}

/// start, stop, restart, reload, enable, disable, reset-failed, kill: one line per
/// unit as its job finishes; exit 1 when any result is not `done`.
pub fn action(d: &Dispatcher, cfg: &Config, op: UnitOp, specs: &[String]) -> i32 {
    let targets = match resolve(cfg, specs) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("qd: {e}");
            return EXIT_USAGE;
        }
    };
    let action = Action::Unit { op, targets };
    let progress = |o: &crate::actions::TargetOutcome| {
        let status = if o.ok { "ok" } else { "failed" };
        let unit = o.unit.as_deref().unwrap_or("");
        let label = if o.name == unit {
            unit.to_string()
        } else {
            format!("{} ({unit})", o.name)
        };
        println!(
            "{}: {status}: {}",
            inert(&label, 120),
            inert(&o.message, 400)
        );
    };
    match d.dispatch_with(&action, &progress) {
        Ok(r) => print_report(&r),
        Err(denial) => {
            eprintln!("qd: {denial}");
            EXIT_DENIED
        }
    }
}

pub fn daemon_reload(d: &Dispatcher) -> i32 {
    match d.dispatch(&Action::DaemonReload) {
        Ok(r) => {
            for o in &r.outcomes {
                println!("{}: {}", if o.ok { "ok" } else { "failed" }, o.message);
            }
            print_report(&r)
        }
        Err(denial) => {
            eprintln!("qd: {denial}");
            EXIT_DENIED
        }
    }
}

/// The units' state, as `qd snapshot services` shows it, plus file and log details.
pub fn status(cfg: &Config, bus: Bus, specs: &[String], json: bool) -> i32 {
    let targets = match resolve(cfg, specs) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("qd: {e}");
            return EXIT_USAGE;
        }
    };
    let names: Vec<String> = targets.iter().map(|t| t.unit.clone()).collect();
    let res = block_on(async {
        let sd = Systemd::connect(bus).await?;
        let mut units = sd
            .units(&Selection::Names(names))
            .await
            .map_err(|e| explain(&e, bus))?;
        crate::sources::services::tag(&mut units, &cfg.sites);
        crate::sources::services::check_ports(&mut units);
        crate::sources::services::check_health(&mut units, &cfg.sites).await;
        let mut logs = Vec::new();
        for u in &units {
            logs.push(sd.log_source(&u.unit).await);
        }
        Ok::<_, String>((units, logs))
    });
    let (units, logs) = match res {
        Ok(Ok(x)) => x,
        Ok(Err(e)) | Err(e) => {
            eprintln!("qd: {e}");
            return EXIT_FAILED;
        }
    };
    if json {
        match serde_json::to_string_pretty(&serde_json::json!({ "services": units })) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("qd: cannot encode JSON: {e}");
                return EXIT_FAILED;
            }
        }
    } else {
        for (u, log) in units.iter().zip(&logs) {
            let name = match (&u.site, &u.service) {
                (Some(s), Some(v)) => format!("{s}/{v} ({})", u.unit),
                _ => u.unit.clone(),
            };
            println!("{} - {}", inert(&name, 120), inert(&u.description, 200));
            println!(
                "  state:   {} {} ({}), unit file {}",
                u.load_state,
                u.active_state,
                u.sub_state,
                if u.unit_file_state.is_empty() {
                    "-"
                } else {
                    &u.unit_file_state
                }
            );
            if u.main_pid != 0 {
                println!("  main pid: {}", u.main_pid);
            }
            if let Some(m) = u.memory_bytes {
                println!("  memory:  {}", crate::model::format::human_bytes(m));
            }
            println!("  restarts: {}", u.restarts);
            if let Some(p) = u.port {
                println!(
                    "  port:    {p} ({})",
                    if u.listening == Some(true) {
                        "listening"
                    } else {
                        "closed"
                    }
                );
            }
            if let Some(h) = &u.health {
                println!(
                    "  health:  {h} ({})",
                    inert(u.health_detail.as_deref().unwrap_or(""), 200)
                );
            }
            if !u.fragment_path.is_empty() {
                println!("  file:    {}", inert(&u.fragment_path, 200));
            }
            match log {
                LogSource::Journal { .. } => println!("  log:     journal"),
                LogSource::Files(f) => println!(
                    "  log:     {}",
                    f.iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                LogSource::None(why) => println!("  log:     - ({why})"),
            }
        }
    }
    // Like systemctl status: not running is a non-zero exit for scripts.
    if units.iter().all(|u| u.active_state == "active") {
        EXIT_OK
    } else {
        3
    }
}

/// Prints the last `lines` lines of each unit's log (merged and tagged when there are
/// several), then follows them with `follow`.
pub fn logs(
    cfg: &Config,
    bus: Bus,
    specs: &[String],
    lines: usize,
    follow: bool,
    since: Option<&str>,
) -> i32 {
    let targets = match resolve(cfg, specs) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("qd: {e}");
            return EXIT_USAGE;
        }
    };
    let sources = block_on(async {
        let sd = Systemd::connect(bus).await?;
        let mut v = Vec::new();
        for t in &targets {
            v.push(sd.log_source(&t.unit).await);
        }
        Ok::<_, String>(v)
    });
    let sources = match sources {
        Ok(Ok(s)) => s,
        Ok(Err(e)) | Err(e) => {
            eprintln!("qd: {e}");
            return EXIT_FAILED;
        }
    };
    let tagged = targets.len() > 1;
    let tag = |t: &UnitTarget| -> String {
        if tagged {
            format!("{} | ", t.service.as_deref().unwrap_or(&t.unit))
        } else {
            String::new()
        }
    };
    let mut tails: Vec<(String, Tail)> = Vec::new();
    let mut failed = false;
    for (t, src) in targets.iter().zip(sources) {
        match src {
            LogSource::Journal { unit, user } => {
                let status = unitlogs::journal_command(
                    &unit,
                    user,
                    lines,
                    follow && targets.len() == 1,
                    since,
                )
                .status();
                if !matches!(status, Ok(s) if s.success()) {
                    failed = true;
                }
            }
            LogSource::Files(paths) => {
                if since.is_some() {
                    eprintln!(
                        "qd: {}: --since needs the journal; showing the last {lines} lines",
                        t.unit
                    );
                }
                for p in paths {
                    match Tail::open(&p, lines) {
                        Ok((tail, last)) => {
                            for l in last {
                                println!("{}{}", tag(t), inert(&l, 4096));
                            }
                            tails.push((tag(t), tail));
                        }
                        Err(e) => {
                            eprintln!("qd: {}: cannot read {}: {e}", t.unit, p.display());
                            failed = true;
                        }
                    }
                }
            }
            LogSource::None(why) => {
                eprintln!("qd: {why}");
                failed = true;
            }
        }
    }
    if follow && !tails.is_empty() {
        use std::io::Write;
        loop {
            std::thread::sleep(std::time::Duration::from_millis(250));
            for (tag, tail) in &mut tails {
                if let Ok(new) = tail.poll() {
                    for l in new {
                        println!("{tag}{}", inert(&l, 4096));
                    }
                }
            }
            if std::io::stdout().flush().is_err() {
                return EXIT_OK; // the reader went away (| head)
            }
        }
    }
    if failed { EXIT_FAILED } else { EXIT_OK }
}

/// Prints the service's env file, validated.
pub fn env(cfg: &Config, spec: &str) -> i32 {
    let r = match one(cfg, spec) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("qd: {e}");
            return EXIT_USAGE;
        }
    };
    let Some(path) = &r.service.env_file else {
        eprintln!("qd: {}: no env_file in the config", r.id());
        return EXIT_USAGE;
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("qd: {}: cannot read {}: {e}", r.id(), path.display());
            return EXIT_FAILED;
        }
    };
    match crate::model::envfile::parse(&text) {
        Ok(vars) => {
            for (k, v) in vars {
                println!("{k}={}", inert(&v, 4096));
            }
            EXIT_OK
        }
        Err((line, m)) => {
            eprintln!("qd: {}:{line}: {m}", path.display());
            EXIT_FAILED
        }
    }
}

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
    action_targets(d, UnitOp::Enable, targets)
}

fn action_targets(d: &Dispatcher, op: UnitOp, targets: Vec<UnitTarget>) -> i32 {
    let progress = |o: &crate::actions::TargetOutcome| {
        println!(
            "{}: {}: {}",
            inert(&o.name, 120),
            if o.ok { "ok" } else { "failed" },
            inert(&o.message, 400)
        );
    };
    match d.dispatch_with(&Action::Unit { op, targets }, &progress) {
        Ok(r) => print_report(&r),
        Err(denial) => {
            eprintln!("qd: {denial}");
            EXIT_DENIED
        }
    }
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
    let mut code = action_targets(d, UnitOp::Stop, targets.clone());
    code = code.max(action_targets(d, UnitOp::Disable, targets.clone()));
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
