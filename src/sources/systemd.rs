//! systemd over D-Bus (zbus): one connection per bus, the unit list and the service
//! properties the services table shows. No `systemctl` is run.
//!
//! zbus has no blocking API; callers run these on a tokio runtime (the CLI builds a
//! current-thread one). Every call has a timeout, so a hung manager reports an error
//! instead of freezing qd.

use crate::model::unit::Unit;
use futures_util::future::join_all;
use std::time::Duration;
use zbus::Connection;
use zbus::names::InterfaceName;
use zbus_systemd::systemd1::ManagerProxy;

/// Which systemd instance to talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Bus {
    /// The system manager (PID 1), on the system bus.
    #[default]
    System,
    /// The user's manager (`systemd --user`), on the session bus.
    User,
}

const TIMEOUT: Duration = Duration::from_secs(10);
/// Property reads in flight at once: pipelined on the one connection.
const IN_FLIGHT: usize = 64;

pub struct Systemd {
    conn: Connection,
}

/// A D-Bus error as a sentence an operator can act on.
pub fn explain(e: &zbus::Error, bus: Bus) -> String {
    let text = e.to_string();
    let what = match bus {
        Bus::System => "the system bus",
        Bus::User => "the user bus (DBUS_SESSION_BUS_ADDRESS)",
    };
    if text.contains("AccessDenied") || text.contains("InteractiveAuthorizationRequired") {
        format!(
            "systemd refused: {text} (polkit: run qd as root, or as a user allowed to manage units)"
        )
    } else if text.contains("NoSuchUnit") {
        format!("no such unit: {text}")
    } else if matches!(e, zbus::Error::InputOutput(_) | zbus::Error::Address(_))
        || text.contains("failed to connect")
    {
        let hint = match bus {
            Bus::System => "is systemd running? --user-bus talks to your user manager",
            Bus::User => "is `systemd --user` running for this user?",
        };
        format!("cannot reach systemd on {what}: {text} ({hint})")
    } else {
        format!("systemd on {what}: {text}")
    }
}

impl Systemd {
    pub async fn connect(bus: Bus) -> Result<Self, String> {
        let builder = match bus {
            Bus::System => zbus::connection::Builder::system(),
            Bus::User => zbus::connection::Builder::session(),
        };
        let conn = tokio::time::timeout(TIMEOUT, builder.method_timeout(TIMEOUT).build())
            .await
            .map_err(|_| "systemd's bus did not answer within 10 s".to_string())?
            .map_err(|e| explain(&e, bus))?;
        Ok(Self { conn })
    }

    /// Units matching `patterns` (globs, e.g. `qd-*.service`; empty: every loaded
    /// unit), with their service properties.
    pub async fn units(&self, patterns: &[String]) -> zbus::Result<Vec<Unit>> {
        let manager = ManagerProxy::new(&self.conn).await?;
        let listed = manager
            .list_units_by_patterns(Vec::new(), patterns.to_vec())
            .await?;
        let mut units: Vec<(Unit, zbus::OwnedObjectPath)> = listed
            .into_iter()
            .map(
                |(name, description, load, active, sub, _following, path, ..)| {
                    (
                        Unit {
                            unit: name,
                            description,
                            load_state: load,
                            active_state: active,
                            sub_state: sub,
                            ..Unit::default()
                        },
                        path,
                    )
                },
            )
            .collect();
        units.sort_by(|a, b| a.0.unit.cmp(&b.0.unit));
        for chunk in units.chunks_mut(IN_FLIGHT) {
            let reads: Vec<_> = chunk
                .iter()
                .map(|(u, path)| (u.unit.clone(), path.clone()))
                .collect();
            let results = join_all(
                reads
                    .iter()
                    .map(|(name, path)| self.service_props(name, path.clone())),
            )
            .await;
            for ((u, _), props) in chunk.iter_mut().zip(results) {
                // A unit that vanished between the list and the read keeps its row.
                if let Ok(p) = props {
                    p.apply(u);
                }
            }
        }
        Ok(units.into_iter().map(|(u, _)| u).collect())
    }

    async fn service_props(&self, name: &str, path: zbus::OwnedObjectPath) -> zbus::Result<Props> {
        let props = zbus::fdo::PropertiesProxy::builder(&self.conn)
            .destination("org.freedesktop.systemd1")
            .path(path)
            .cache_properties(zbus::proxy::CacheProperties::No)
            .build()
            .await?;
        let unit_if = InterfaceName::from_static_str_unchecked("org.freedesktop.systemd1.Unit");
        let since = props.get(unit_if, "ActiveEnterTimestamp");
        if !name.ends_with(".service") {
            return Ok(Props {
                since: u64::try_from(since.await?).unwrap_or(0),
                ..Props::default()
            });
        }
        let svc = InterfaceName::from_static_str_unchecked("org.freedesktop.systemd1.Service");
        let get = |p: &'static str| props.get(svc.clone(), p);
        let (since, (pid, restarts, mem, cpu, tasks)) = futures_util::future::join(
            since,
            futures_util::future::join5(
                get("MainPID"),
                get("NRestarts"),
                get("MemoryCurrent"),
                get("CPUUsageNSec"),
                get("TasksCurrent"),
            ),
        )
        .await;
        let num = |v: Result<zbus::OwnedVariant, zbus::fdo::Error>| -> Option<u64> {
            let v = v.ok()?;
            u64::try_from(&v)
                .ok()
                .or_else(|| u32::try_from(&v).ok().map(u64::from))
        };
        Ok(Props {
            since: num(since).unwrap_or(0),
            main_pid: num(pid).unwrap_or(0) as u32,
            restarts: num(restarts).unwrap_or(0) as u32,
            // systemd says "not accounted" with u64::MAX.
            memory: num(mem).filter(|v| *v != u64::MAX),
            cpu: num(cpu).filter(|v| *v != u64::MAX),
            tasks: num(tasks).filter(|v| *v != u64::MAX),
        })
    }
}

#[derive(Debug, Default)]
struct Props {
    since: u64,
    main_pid: u32,
    restarts: u32,
    memory: Option<u64>,
    cpu: Option<u64>,
    tasks: Option<u64>,
}

impl Props {
    fn apply(self, u: &mut Unit) {
        u.active_since_us = self.since;
        u.main_pid = self.main_pid;
        u.restarts = self.restarts;
        u.memory_bytes = self.memory;
        u.cpu_nsec = self.cpu;
        u.tasks = self.tasks;
    }
}
