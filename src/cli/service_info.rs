//! `qd service status` and `qd service logs`: what the units are doing and what they
//! wrote, for site services or any unit.

use super::service_cmds::{dbus, resolve_or_usage};
use super::{EXIT_FAILED, EXIT_OK};
use crate::actions::{Dispatcher, UnitTarget};
use crate::config::Config;
use crate::model::text::inert;
use crate::sources::unitlogs::{self, LogSource, Tail};
use crate::sys::account::Account;
use crate::systemd::units::Selection;
use crate::systemd::{Bus, Systemd, explain};

/// Who reads each target's logs (see [`unitlogs::log_reader`]), or the exit code
/// after saying which target the operator may not see. What a role sees follows
/// what it may do: a unit of a site the operator may not see is refused by name.
fn readers(d: &Dispatcher, cfg: &Config, targets: &[UnitTarget]) -> Result<Vec<Account>, i32> {
    let op = d.operator();
    let admin = op.role == crate::model::policy::Role::Admin;
    let mut out = Vec::new();
    let mut refused = false;
    for t in targets {
        match unitlogs::log_reader(&t.unit, &cfg.sites, |s| op.may_see(s), admin) {
            Ok(a) => out.push(a),
            Err(e) => {
                eprintln!(
                    "qd: {} ({}): {}",
                    inert(&t.unit, 120),
                    op.name,
                    inert(&e, 300)
                );
                refused = true;
            }
        }
    }
    if refused {
        Err(super::EXIT_DENIED)
    } else {
        Ok(out)
    }
}

/// The units' state, as `qd snapshot services` shows it, plus file and log details.
pub fn status(d: &Dispatcher, cfg: &Config, bus: Bus, specs: &[String], json: bool) -> i32 {
    let targets = match resolve_or_usage(cfg, specs) {
        Ok(t) => t,
        Err(code) => return code,
    };
    if let Err(code) = readers(d, cfg, &targets) {
        return code;
    }
    let names: Vec<String> = targets.iter().map(|t| t.unit.clone()).collect();
    let res = dbus(async {
        let sd = Systemd::connect_for_reading(bus).await?;
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
        Ok(x) => x,
        Err(e) => {
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
    d: &Dispatcher,
    cfg: &Config,
    bus: Bus,
    specs: &[String],
    lines: usize,
    follow: bool,
    since: Option<&str>,
) -> i32 {
    let targets = match resolve_or_usage(cfg, specs) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let owners = match readers(d, cfg, &targets) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let sources = dbus(async {
        let sd = Systemd::connect(bus).await?;
        let mut v = Vec::new();
        for t in &targets {
            v.push(sd.log_source(&t.unit).await);
        }
        Ok::<_, String>(v)
    });
    let sources = match sources {
        Ok(s) => s,
        Err(e) => {
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
    for ((t, src), owner) in targets.iter().zip(sources).zip(&owners) {
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
                    match Tail::open(&p, lines, owner) {
                        Ok((tail, last)) => {
                            for l in last {
                                println!("{}{}", tag(t), inert(&l, 4096));
                            }
                            tails.push((tag(t), tail));
                        }
                        Err(e) => {
                            eprintln!("qd: {}: cannot read its log: {}", t.unit, inert(&e, 300));
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
