//! The unit list and the per-unit properties the services tables show.
//!
//! Site units are listed by name (`ListUnitsByNames` loads a unit that is not
//! loaded, so a stopped site service still has its row); the all-units view lists by
//! pattern. Properties are read concurrently on the one connection.

use super::Systemd;
use crate::model::unit::Unit;
use futures_util::future::{join, join_all};
use zbus::OwnedObjectPath;
use zbus::names::InterfaceName;
use zbus_systemd::systemd1::ManagerProxy;

/// Property reads in flight at once: pipelined on the one connection.
const IN_FLIGHT: usize = 64;

/// Which units to list.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// Exactly these units, loaded or not.
    Names(Vec<String>),
    /// Loaded units matching these globs (empty: all).
    Patterns(Vec<String>),
}

type Listed = (
    String,
    String,
    String,
    String,
    String,
    String,
    OwnedObjectPath,
    u32,
    String,
    OwnedObjectPath,
);

impl Systemd {
    pub async fn manager(&self) -> zbus::Result<ManagerProxy<'static>> {
        ManagerProxy::new(&self.conn).await
    }

    /// The units of `sel`, sorted by name, with their properties, and each unit's
    /// object path (for following its changes).
    pub async fn list(&self, sel: &Selection) -> zbus::Result<Vec<(Unit, OwnedObjectPath)>> {
        let manager = self.manager().await?;
        let listed: Vec<Listed> = match sel {
            Selection::Names(n) if n.is_empty() => Vec::new(),
            Selection::Names(n) => manager.list_units_by_names(n.clone()).await?,
            Selection::Patterns(p) => {
                manager
                    .list_units_by_patterns(Vec::new(), p.clone())
                    .await?
            }
        };
        let mut units: Vec<(Unit, OwnedObjectPath)> = listed
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
            let results = join_all(chunk.iter().map(|(u, path)| self.props(&u.unit, path))).await;
            for ((u, _), props) in chunk.iter_mut().zip(results) {
                // A unit that vanished between the list and the read keeps its row.
                if let Ok(p) = props {
                    p.apply(u);
                }
            }
        }
        Ok(units)
    }

    /// The units, without their paths.
    pub async fn units(&self, sel: &Selection) -> zbus::Result<Vec<Unit>> {
        Ok(self.list(sel).await?.into_iter().map(|(u, _)| u).collect())
    }

    async fn props(&self, name: &str, path: &OwnedObjectPath) -> zbus::Result<Props> {
        let props = self.properties(path.clone()).await?;
        let unit_if = InterfaceName::from_static_str_unchecked("org.freedesktop.systemd1.Unit");
        let getu = |p: &'static str| props.get(unit_if.clone(), p);
        let unit_part = futures_util::future::join4(
            getu("ActiveEnterTimestamp"),
            getu("CanReload"),
            getu("UnitFileState"),
            getu("FragmentPath"),
        );
        let svc = InterfaceName::from_static_str_unchecked("org.freedesktop.systemd1.Service");
        let get = |p: &'static str| props.get(svc.clone(), p);
        let ((since, can_reload, file_state, fragment), svc_part) = if name.ends_with(".service") {
            let (u, s) = join(
                unit_part,
                futures_util::future::join5(
                    get("MainPID"),
                    get("NRestarts"),
                    get("MemoryCurrent"),
                    get("CPUUsageNSec"),
                    get("TasksCurrent"),
                ),
            )
            .await;
            (u, Some(s))
        } else {
            (unit_part.await, None)
        };
        let mut p = Props {
            since: num(since).unwrap_or(0),
            can_reload: can_reload
                .ok()
                .and_then(|v| bool::try_from(&v).ok())
                .unwrap_or(false),
            unit_file_state: text(file_state),
            fragment_path: text(fragment),
            ..Props::default()
        };
        if let Some((pid, restarts, mem, cpu, tasks)) = svc_part {
            p.main_pid = num(pid).unwrap_or(0) as u32;
            p.restarts = num(restarts).unwrap_or(0) as u32;
            // systemd says "not accounted" with u64::MAX.
            p.memory = num(mem).filter(|v| *v != u64::MAX);
            p.cpu = num(cpu).filter(|v| *v != u64::MAX);
            p.tasks = num(tasks).filter(|v| *v != u64::MAX);
        }
        Ok(p)
    }
}

fn num(v: Result<zbus::OwnedVariant, zbus::fdo::Error>) -> Option<u64> {
    let v = v.ok()?;
    u64::try_from(&v)
        .ok()
        .or_else(|| u32::try_from(&v).ok().map(u64::from))
}

fn text(v: Result<zbus::OwnedVariant, zbus::fdo::Error>) -> String {
    v.ok()
        .and_then(|v| String::try_from(v).ok())
        .unwrap_or_default()
}

#[derive(Debug, Default)]
struct Props {
    since: u64,
    can_reload: bool,
    unit_file_state: String,
    fragment_path: String,
    main_pid: u32,
    restarts: u32,
    memory: Option<u64>,
    cpu: Option<u64>,
    tasks: Option<u64>,
}

impl Props {
    fn apply(self, u: &mut Unit) {
        u.active_since_us = self.since;
        u.can_reload = self.can_reload;
        u.unit_file_state = self.unit_file_state;
        u.fragment_path = self.fragment_path;
        u.main_pid = self.main_pid;
        u.restarts = self.restarts;
        u.memory_bytes = self.memory;
        u.cpu_nsec = self.cpu;
        u.tasks = self.tasks;
    }
}
