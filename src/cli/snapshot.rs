//! `qd snapshot`: the tables once, as text or JSON.

use super::table::render;
use super::{EXIT_OK, Table};
use crate::model::format::{cpu_time, human_bytes, start_time};
use crate::model::{Process, Snapshot};
use serde::Serialize;
use std::time::Duration;

#[derive(Serialize)]
struct JsonOut<'a> {
    host: &'a str,
    taken_at_ms: u64,
    hostname: &'a str,
    processes: Vec<&'a Process>,
}

pub fn run(table: Table, json: bool, kernel_threads: bool) -> i32 {
    let snap = crate::sources::one_shot(Duration::from_millis(250), kernel_threads);
    let procs: Vec<&Process> = snap
        .processes
        .iter()
        .filter(|p| kernel_threads || !p.kernel_thread)
        .collect();
    let _ = table; // processes are the only table so far; `all` means all there are
    if json {
        let out = JsonOut {
            host: &snap.host,
            taken_at_ms: snap.taken_at_ms,
            hostname: &snap.stats.hostname,
            processes: procs,
        };
        match serde_json::to_string_pretty(&out) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("qd: cannot encode JSON: {e}");
                return super::EXIT_FAILED;
            }
        }
    } else {
        print!("{}", text(&snap, &procs));
    }
    EXIT_OK
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
