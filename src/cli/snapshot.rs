//! `qd snapshot`: the tables once, as text or JSON.

use super::table::render;
use super::{EXIT_OK, Table};
use crate::model::format::{cpu_time, human_bytes, start_time};
use crate::model::port::Port;
use crate::model::port::Scope;
use crate::model::site::Sites;
use crate::model::text::inert;
use crate::model::unit::Unit;
use crate::model::{Process, Snapshot};
use crate::sources::ports;
use crate::sources::services;
use crate::systemd::{Bus, Systemd, explain};
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

#[derive(Serialize)]
struct JsonOut<'a> {
    host: &'a str,
    taken_at_ms: u64,
    hostname: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    processes: Option<Vec<&'a Process>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ports: Option<Vec<Port>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    services: Option<Vec<Unit>>,
    /// Why `all` has no services table (systemd unreachable).
    #[serde(skip_serializing_if = "Option::is_none")]
    services_error: Option<String>,
}

/// What `qd snapshot` prints.
pub struct Opts {
    pub table: Table,
    pub json: bool,
    pub kernel_threads: bool,
    pub all_sockets: bool,
    pub bus: Bus,
    pub sites: Arc<Sites>,
    /// Only this site's processes, ports and services.
    pub site: Option<String>,
    /// Every service unit, not only the sites' ones.
    pub all_units: bool,
    /// Who asks: non-admins see their sites' processes, ports and services and their
    /// own processes (`Operator::may_see_process`).
    pub operator: crate::actions::Operator,
}

/// The services table: the sites' units (or every service unit), tagged, their
/// declared ports checked and their health probed.
pub fn services(
    bus: Bus,
    sites: &Sites,
    site: Option<&str>,
    all_units: bool,
) -> Result<Vec<Unit>, String> {
    let sel = services::selection(sites, site, all_units)?;
    crate::actions::units::block_on(async {
        let sd = Systemd::connect_for_reading(bus).await?;
        let mut units: Vec<Unit> = services::list(&sd, &sel, sites)
            .await
            .map_err(|e| explain(&e, bus))?
            .into_iter()
            .map(|(u, _)| u)
            .collect();
        services::tag(&mut units, sites);
        services::check_ports(&mut units);
        services::check_health(&mut units, sites).await;
        services::sort_config_order(&mut units, sites);
        Ok(units)
    })?
}

pub fn run(o: Opts) -> i32 {
    let Opts {
        table,
        json,
        kernel_threads,
        all_sockets,
        bus,
        ref sites,
        ref site,
        all_units,
        ref operator,
    } = o;
    if let Some(s) = site
        && sites.site(s).is_none()
    {
        eprintln!(
            "qd: --site: {}",
            services::selection(sites, Some(s), false)
                .err()
                .unwrap_or_default()
        );
        return super::EXIT_USAGE;
    }
    let (units, services_error) = match table {
        Table::Services | Table::All => match services(bus, sites, site.as_deref(), all_units) {
            Ok(u) => (Some(u), None),
            Err(e) if table == Table::Services => {
                eprintln!("qd: {e}");
                return super::EXIT_FAILED;
            }
            Err(e) => {
                eprintln!("qd: no services table: {e}");
                (None, Some(e))
            }
        },
        _ => (None, None),
    };
    if table == Table::Services && !json {
        print!("{}", services_text(units.as_deref().unwrap_or(&[])));
        return EXIT_OK;
    }
    // CPU% needs two samples; the ports table does not, so it skips the wait, and the
    // services table needs no processes at all.
    let snap = match table {
        Table::Services => crate::sources::host_only(),
        Table::Ports => crate::sources::one_shot(Duration::ZERO, kernel_threads, sites),
        _ => crate::sources::one_shot(Duration::from_millis(250), kernel_threads, sites),
    };
    let procs: Vec<&Process> = snap
        .processes
        .iter()
        .filter(|p| kernel_threads || !p.kernel_thread)
        .filter(|p| site.is_none() || p.site.as_deref() == site.as_deref())
        .filter(|p| operator.may_see_process(p, sites))
        .collect();
    let want_procs = matches!(table, Table::Processes | Table::All);
    let units = units.map(|mut us| {
        // Foreign text (descriptions come from unit files) is made inert here too.
        for u in &mut us {
            u.description = inert(&u.description, 256).into_owned();
        }
        us.retain(|u| {
            operator.role == crate::actions::Role::Admin
                || u.site.as_deref().is_some_and(|s| operator.may_see(s))
        });
        us
    });
    let scope = if all_sockets {
        Scope::All
    } else {
        Scope::Listening
    };
    let port_table =
        matches!(table, Table::Ports | Table::All).then(|| ports::collect(&snap.processes, scope));
    if let Some(err) = port_table.as_ref().and_then(|t| t.error.as_deref()) {
        eprintln!("qd: {err}");
        return super::EXIT_FAILED;
    }
    let port_rows = port_table.map(|t| {
        t.rows
            .into_iter()
            .filter(|r| site.is_none() || r.site.as_deref() == site.as_deref())
            .filter(|r| {
                operator.may_see_owned(&r.user, r.site.as_deref(), r.unit.as_deref(), sites)
            })
            .collect::<Vec<_>>()
    });
    if json {
        let out = JsonOut {
            host: &snap.host,
            taken_at_ms: snap.taken_at_ms,
            hostname: &snap.stats.hostname,
            processes: want_procs.then_some(procs),
            ports: port_rows,
            services: units,
            services_error,
        };
        match serde_json::to_string_pretty(&out) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("qd: cannot encode JSON: {e}");
                return super::EXIT_FAILED;
            }
        }
    } else {
        if want_procs {
            print!("{}", text(&snap, &procs));
        }
        if let Some(rows) = &port_rows {
            if want_procs {
                println!();
            }
            print!("{}", ports_text(rows));
        }
        if let Some(us) = &units {
            println!();
            print!("{}", services_text(us));
        }
    }
    EXIT_OK
}

fn ports_text(rows: &[Port]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let remote = if r.socket.remote.port() == 0 && r.socket.remote.ip().is_unspecified() {
                "-".to_string()
            } else {
                r.socket.remote.to_string()
            };
            vec![
                r.socket.proto.to_string(),
                r.socket.local.to_string(),
                remote,
                r.socket.state.to_string(),
                r.exposure.name().to_string(),
                r.connections
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "-".into()),
                match (r.pid, r.socket.inode) {
                    (Some(p), _) => p.to_string(),
                    // No process holds it (TIME_WAIT): the kernel does.
                    (None, 0) => "-".into(),
                    (None, _) => "?".into(),
                },
                r.process.as_deref().unwrap_or("?").to_string(),
                r.user.to_string(),
                r.unit.as_deref().unwrap_or("-").to_string(),
            ]
        })
        .collect();
    render(
        &[
            "PROTO", "LOCAL", "REMOTE", "STATE", "EXPOSURE", "CONNS", "PID", "PROCESS", "USER",
            "UNIT",
        ],
        &rows,
    )
}

fn services_text(units: &[Unit]) -> String {
    let dash = || "-".to_string();
    let rows: Vec<Vec<String>> = units
        .iter()
        .map(|u| {
            let mut row = vec![
                u.site.as_deref().map(String::from).unwrap_or_else(dash),
                u.service.as_deref().map(String::from).unwrap_or_else(dash),
                u.unit.clone(),
                u.load_state.clone(),
                u.active_state.clone(),
                u.sub_state.clone(),
            ];
            // A unit whose properties could not be read (gone since the list):
            // unknown, not zero.
            if u.props_pending {
                row.extend(std::iter::repeat_n("?".to_string(), 4));
            } else {
                row.extend([
                    if u.main_pid == 0 {
                        dash()
                    } else {
                        u.main_pid.to_string()
                    },
                    u.memory_bytes.map(human_bytes).unwrap_or_else(dash),
                    u.tasks.map(|t| t.to_string()).unwrap_or_else(dash),
                    u.restarts.to_string(),
                ]);
            }
            row.extend([
                match (u.port, u.listening) {
                    (Some(p), Some(true)) => format!("{p}"),
                    (Some(p), _) => format!("{p} (closed)"),
                    (None, _) => dash(),
                },
                u.health.clone().unwrap_or_else(dash),
                u.description.clone(),
            ]);
            row
        })
        .collect();
    render(
        &[
            "SITE",
            "SERVICE",
            "UNIT",
            "LOAD",
            "ACTIVE",
            "SUB",
            "MAIN PID",
            "MEM",
            "TASKS",
            "RESTARTS",
            "PORT",
            "HEALTH",
            "DESCRIPTION",
        ],
        &rows,
    )
}

fn text(snap: &Snapshot, procs: &[&Process]) -> String {
    let now = snap.taken_at_ms / 1000;
    let rows: Vec<Vec<String>> = procs
        .iter()
        .map(|p| {
            vec![
                p.pid.to_string(),
                p.user.to_string(),
                p.nice.to_string(),
                p.state.to_string(),
                format!("{:.1}", p.cpu_percent),
                human_bytes(p.rss_bytes),
                cpu_time(p.cpu_seconds),
                start_time(p.start_time, now),
                p.command_line(),
            ]
        })
        .collect();
    render(
        &[
            "PID", "USER", "NI", "S", "CPU%", "MEM", "TIME+", "START", "COMMAND",
        ],
        &rows,
    )
}
