//! What reading the services table's properties costs systemd and the bus daemon,
//! per unit, for the ways of reading them: one `GetAll` per interface (Unit and
//! Service), the nine `Get`s qd reads, and the three of a row's columns. Every unit
//! of the manager is read, all calls of a way in flight at once on one connection,
//! then the CPU time (`/proc/PID/schedstat`) the two processes spent is divided by
//! the units. `bench/services.sh` runs it against its private `systemd --user`:
//!
//!   cargo run --release --example unit_props_cost -- SYSTEMD_PID DBUS_DAEMON_PID

use std::time::Instant;
use zbus::{Connection, OwnedObjectPath};

const SVC: &str = "org.freedesktop.systemd1.Service";
const UNIT: &str = "org.freedesktop.systemd1.Unit";
const NINE: [(&str, &str); 9] = [
    (SVC, "MainPID"),
    (SVC, "NRestarts"),
    (UNIT, "ActiveEnterTimestamp"),
    (SVC, "MemoryCurrent"),
    (SVC, "CPUUsageNSec"),
    (SVC, "TasksCurrent"),
    (UNIT, "CanReload"),
    (UNIT, "UnitFileState"),
    (UNIT, "FragmentPath"),
];

fn cpu_ns(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/schedstat"))
        .ok()
        .and_then(|s| s.split(' ').next()?.parse().ok())
        .unwrap_or(0)
}

async fn call(
    conn: &Connection,
    path: &OwnedObjectPath,
    method: &str,
    args: &(impl serde::Serialize + zbus::zvariant::DynamicType + Sync),
) -> usize {
    match conn
        .call_method(
            Some("org.freedesktop.systemd1"),
            path.as_str(),
            Some("org.freedesktop.DBus.Properties"),
            method,
            args,
        )
        .await
    {
        Ok(m) => m.body().len(),
        Err(e) => {
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| eprintln!("{method} {path}: {e}"));
            0
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(sd), Some(bus)) = (args.next(), args.next()) else {
        return Err("usage: unit_props_cost SYSTEMD_PID DBUS_DAEMON_PID [PRIVATE_SOCKET]".into());
    };
    let conn = zbus::connection::Builder::session().build().await?;
    let direct = match args.next() {
        Some(p) => Some(
            quarterdeck::systemd::direct::connect(p.as_ref(), quarterdeck::systemd::Bus::User)
                .await?,
        ),
        None => None,
    };
    let manager = zbus_systemd::systemd1::ManagerProxy::new(&conn).await?;
    let listed = manager
        .list_units_by_patterns(Vec::new(), vec!["*.service".into()])
        .await?;
    let paths: Vec<OwnedObjectPath> = listed.into_iter().map(|u| u.6).collect();
    let n = paths.len().max(1) as u64;
    println!(
        "way of reading ({n} units)          wall ms   systemd us/unit   bus daemon us/unit   reply bytes/unit"
    );
    let ways = [
        "GetAll Unit + GetAll Service",
        "9 Get (qd, every column)",
        "3 Get (a row's columns)",
    ];
    let mut runs: Vec<(&str, &Connection, &str)> =
        ways.iter().map(|w| (*w, &conn, "bus")).collect();
    if let Some(d) = &direct {
        runs.extend(ways.iter().map(|w| (*w, d, "direct")));
    }
    for (way, conn, via) in runs {
        let (s0, b0, t) = (cpu_ns(&sd), cpu_ns(&bus), Instant::now());
        let calls = paths.iter().map(|p| async move {
            let mut bytes = 0;
            match way.as_bytes()[0] {
                b'G' => {
                    let (a, b) = futures_util::future::join(
                        call(conn, p, "GetAll", &(UNIT,)),
                        call(conn, p, "GetAll", &(SVC,)),
                    )
                    .await;
                    bytes += a + b;
                }
                k => {
                    let count = if k == b'9' { 9 } else { 3 };
                    let gets = NINE[..count].iter().map(|q| call(conn, p, "Get", q));
                    bytes += futures_util::future::join_all(gets)
                        .await
                        .iter()
                        .sum::<usize>();
                }
            }
            bytes
        });
        let bytes: usize = futures_util::future::join_all(calls).await.iter().sum();
        println!(
            "{via:<6} {way:<29} {:>7.1} {:>17} {:>20} {:>18}",
            t.elapsed().as_secs_f64() * 1000.0,
            (cpu_ns(&sd) - s0) / 1000 / n,
            (cpu_ns(&bus) - b0) / 1000 / n,
            bytes as u64 / n
        );
    }
    // What each property costs systemd alone, one `Get` per unit, on the quieter
    // connection.
    let conn = direct.as_ref().unwrap_or(&conn);
    println!("\none Get of each property (systemd us/unit)");
    for (iface, prop) in NINE {
        let s0 = cpu_ns(&sd);
        let q = (iface, prop);
        let calls = paths.iter().map(|p| call(conn, p, "Get", &q));
        futures_util::future::join_all(calls).await;
        println!("{prop:<22} {:>6}", (cpu_ns(&sd) - s0) / 1000 / n);
    }
    Ok(())
}
