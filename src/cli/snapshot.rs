//! `qd snapshot`: the tables once, as text or JSON.

use super::table::render;
use super::{EXIT_OK, Table};
use crate::model::format::{cpu_time, human_bytes, start_time};
use crate::model::port::Port;
use crate::model::port::Scope;
use crate::model::{Process, Snapshot};
use crate::sources::ports;
use serde::Serialize;
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
}

pub fn run(table: Table, json: bool, kernel_threads: bool, all_sockets: bool) -> i32 {
    // CPU% needs two samples; the ports table alone does not, so it skips the wait.
    let sample = if table == Table::Ports {
        Duration::ZERO
    } else {
        Duration::from_millis(250)
    };
    let snap = crate::sources::one_shot(sample, kernel_threads);
    let procs: Vec<&Process> = snap
        .processes
        .iter()
        .filter(|p| kernel_threads || !p.kernel_thread)
        .collect();
    let want_procs = matches!(table, Table::Processes | Table::All);
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
    let port_rows = port_table.map(|t| t.rows);
    if json {
        let out = JsonOut {
            host: &snap.host,
            taken_at_ms: snap.taken_at_ms,
            hostname: &snap.stats.hostname,
            processes: want_procs.then_some(procs),
            ports: port_rows,
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
