//! Times the phases of one ports table: process snapshot, socket dump, owner scan,
//! and a second (cached) refresh. `cargo run --release --example ports_phases`
use quarterdeck::model::port::Scope;
use quarterdeck::sources::ports::PortCollector;
use std::time::Instant;

fn main() {
    let t = Instant::now();
    let snap =
        quarterdeck::sources::one_shot(std::time::Duration::ZERO, false, &Default::default());
    let t_procs = t.elapsed();
    let mut pc = PortCollector::new();
    let t = Instant::now();
    let first = pc.collect(&snap.processes, Scope::Listening);
    let t_first = t.elapsed();
    let scanned_first = pc.last_scanned();
    let t = Instant::now();
    let second = pc.collect(&snap.processes, Scope::Listening);
    let t_second = t.elapsed();
    if std::env::var_os("LOOP").is_some() {
        let t = Instant::now();
        for _ in 0..200 {
            let _ = pc.collect(&snap.processes, Scope::Listening);
        }
        println!("200 cached refreshes: {:?} each", t.elapsed() / 200);
        return;
    }
    use quarterdeck::sources::sockdiag::{Query, SockDiag};
    let mut d = SockDiag::open().expect("netlink");
    let t = Instant::now();
    let mut v = Vec::new();
    let _ = d.dump(
        Query {
            udp: false,
            states: 1 << 10,
        },
        &mut v,
    );
    let t_listen = t.elapsed();
    let t = Instant::now();
    let _ = d.dump(
        Query {
            udp: false,
            states: u32::MAX,
        },
        &mut v,
    );
    let t_all = t.elapsed();
    let t = Instant::now();
    let procnet = quarterdeck::sources::sockets::read_all("/proc/net")
        .map(|v| v.len())
        .unwrap_or(0);
    let t_procnet = t.elapsed();
    println!(
        "sock_diag listeners {t_listen:?}, all tcp {t_all:?}; /proc/net all {procnet} in {t_procnet:?}"
    );
    let t = Instant::now();
    let json = serde_json::to_string_pretty(&first.rows)
        .map(|s| s.len())
        .unwrap_or(0);
    let t_json = t.elapsed();
    println!(
        "processes {} in {:?}; ports {} first {:?} (scanned {}), cached {:?} (scanned {}, {} rows); json {} bytes {:?}",
        snap.processes.len(),
        t_procs,
        first.rows.len(),
        t_first,
        scanned_first,
        t_second,
        pc.last_scanned(),
        second.rows.len(),
        json,
        t_json
    );
}
