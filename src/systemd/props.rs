//! The per-unit properties the services tables show, read many units at once on the
//! one connection: zbus writes each call as it is issued and matches the replies as
//! they come, so a bounded window of calls in flight is one pipeline to systemd.
//!
//! One `Get` per property, not one `GetAll` per interface: on systemd 252 a `GetAll`
//! of the Service interface serializes ~300 properties (~10 KB, cgroup reads
//! included) and costs systemd ~0.5 ms per unit, the Unit interface ~0.25 ms, where
//! the nine `Get`s cost it ~0.3 ms in all (`examples/unit_props_cost.rs`, run by
//! `bench/services.sh`). Reads come in two parts: the columns of the table's rows
//! (`Part::Row`, three calls: what the TUI's first screen needs) and the rest
//! (`Part::Detail`: memory, CPU, tasks, reload, unit file).

use super::Systemd;
use crate::model::unit::Unit;
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use zbus::OwnedObjectPath;

/// Units read at once (up to nine calls each): enough to keep systemd busy, few
/// enough that the replies do not pile up in memory.
pub const IN_FLIGHT: usize = 64;

const UNIT_IF: &str = "org.freedesktop.systemd1.Unit";
const SERVICE_IF: &str = "org.freedesktop.systemd1.Service";

/// Which properties to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// MAIN PID, RESTARTS, SINCE: the table's columns.
    Row,
    /// Memory, CPU, tasks, CanReload, UnitFileState, FragmentPath.
    Detail,
    All,
}

impl Systemd {
    /// Reads `part` of the properties of `rows[i]` for each `(i, part)` of `which`,
    /// `IN_FLIGHT` units at a time, and fills them in (clearing the pending flags). A
    /// unit that vanished between the list and the read keeps its row, still
    /// pending: its columns stay unknown rather than zero.
    pub async fn read_props(&self, rows: &mut [(Unit, OwnedObjectPath)], which: &[(usize, Part)]) {
        let jobs: Vec<(usize, Part, OwnedObjectPath, bool)> = which
            .iter()
            .filter_map(|&(i, part)| {
                let (u, path) = rows.get(i)?;
                Some((i, part, path.clone(), u.unit.ends_with(".service")))
            })
            .collect();
        let mut jobs = jobs.into_iter();
        let mut running = FuturesUnordered::new();
        let read = |(i, part, path, service): (usize, Part, OwnedObjectPath, bool)| async move {
            (i, part, self.props(&path, part, service).await)
        };
        for j in jobs.by_ref().take(IN_FLIGHT) {
            running.push(read(j));
        }
        while let Some((i, part, props)) = running.next().await {
            if let Ok(p) = props {
                p.apply(&mut rows[i].0, part);
            }
            if let Some(j) = jobs.next() {
                running.push(read(j));
            }
        }
    }

    /// One unit's properties of `part`, every call sent at once.
    async fn props(
        &self,
        path: &OwnedObjectPath,
        part: Part,
        service: bool,
    ) -> zbus::Result<Props> {
        use futures_util::future::join3;
        let row = part != Part::Detail;
        let detail = part != Part::Row;
        let svc = |name: &'static str, want: bool| async move {
            match want && service {
                true => self.get(path, SERVICE_IF, name).await.map(Some),
                false => Ok(None),
            }
        };
        let unit = |name: &'static str, want: bool| async move {
            match want {
                true => self.get(path, UNIT_IF, name).await.map(Some),
                false => Ok(None),
            }
        };
        let ((pid, restarts, since), (mem, cpu, tasks), (reload, file, fragment)) = join3(
            join3(
                svc("MainPID", row),
                svc("NRestarts", row),
                unit("ActiveEnterTimestamp", row),
            ),
            join3(
                svc("MemoryCurrent", detail),
                svc("CPUUsageNSec", detail),
                svc("TasksCurrent", detail),
            ),
            join3(
                unit("CanReload", detail),
                unit("UnitFileState", detail),
                unit("FragmentPath", detail),
            ),
        )
        .await;
        // The unit's own interface answers for every unit: its failure is the unit's.
        let since = since?;
        let (reload, file, fragment) = (reload?, file?, fragment?);
        // systemd says "not accounted" with u64::MAX.
        let acct = |v: zbus::Result<Option<zbus::OwnedVariant>>| num(v).filter(|n| *n != u64::MAX);
        Ok(Props {
            since: since.and_then(|v| num(Ok(Some(v)))).unwrap_or(0),
            main_pid: num(pid).unwrap_or(0) as u32,
            restarts: num(restarts).unwrap_or(0) as u32,
            memory: acct(mem),
            cpu: acct(cpu),
            tasks: acct(tasks),
            can_reload: reload.is_some_and(|v| bool::try_from(&v).unwrap_or(false)),
            unit_file_state: text(file),
            fragment_path: text(fragment),
        })
    }

    async fn get(
        &self,
        path: &OwnedObjectPath,
        interface: &'static str,
        name: &'static str,
    ) -> zbus::Result<zbus::OwnedVariant> {
        let reply = self
            .conn
            .call_method(
                Some("org.freedesktop.systemd1"),
                path.as_str(),
                Some("org.freedesktop.DBus.Properties"),
                "Get",
                &(interface, name),
            )
            .await?;
        reply.body().deserialize()
    }
}

fn num(v: zbus::Result<Option<zbus::OwnedVariant>>) -> Option<u64> {
    let v = v.ok()??;
    u64::try_from(&v)
        .ok()
        .or_else(|| u32::try_from(&v).ok().map(u64::from))
}

fn text(v: Option<zbus::OwnedVariant>) -> String {
    v.and_then(|v| String::try_from(v).ok()).unwrap_or_default()
}

#[derive(Debug, Default)]
struct Props {
    since: u64,
    main_pid: u32,
    restarts: u32,
    memory: Option<u64>,
    cpu: Option<u64>,
    tasks: Option<u64>,
    can_reload: bool,
    unit_file_state: String,
    fragment_path: String,
}

impl Props {
    fn apply(self, u: &mut Unit, part: Part) {
        if part != Part::Detail {
            u.active_since_us = self.since;
            u.main_pid = self.main_pid;
            u.restarts = self.restarts;
            u.props_pending = false;
        }
        if part != Part::Row {
            u.memory_bytes = self.memory;
            u.cpu_nsec = self.cpu;
            u.tasks = self.tasks;
            u.can_reload = self.can_reload;
            u.unit_file_state = self.unit_file_state;
            u.fragment_path = self.fragment_path;
            u.detail_pending = false;
        }
    }
}
