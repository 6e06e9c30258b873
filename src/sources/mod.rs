//! Collectors: they read the system and publish whole, immutable snapshots.
//!
//! The local collector runs on its own thread (its /proc reads block) and publishes
//! through a `watch` channel: the newest snapshot replaces any unread one, so a slow
//! consumer never queues stale work and a slow refresh never blocks input.

pub mod detail;
pub mod devices;
pub mod health;
pub mod host;
pub mod local;
pub mod owners;
pub mod ports;
pub mod procs;
pub mod procstat;
pub mod services;
pub mod sockdiag;
pub mod sockets;
pub mod unitfill;
pub mod unitlogs;
pub mod unitwatch;

use crate::model::Snapshot;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;
use tokio::sync::watch;

pub use local::LocalCollector;

/// Commands to a running collector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Control {
    Interval(Duration),
    Pause(bool),
    RefreshNow,
    /// Only the unit list changed (properties read, a health probe): join it with
    /// the last snapshot's processes and sockets instead of reading /proc again.
    Rejoin,
    /// Whether kernel threads are shown (and so read); refreshes at once.
    KernelThreads(bool),
    /// Which sockets to collect with each snapshot (`None`: none); refreshes at once.
    Ports(Option<crate::model::port::Scope>),
}

pub struct CollectorHandle {
    pub snapshots: watch::Receiver<Arc<Snapshot>>,
    control: mpsc::Sender<Control>,
}

impl CollectorHandle {
    /// Sends a command; a collector that has stopped is simply gone.
    pub fn send(&self, c: Control) {
        let _ = self.control.send(c);
    }

    /// A sender for other tasks (the unit watcher asks for a refresh on changes).
    pub fn controller(&self) -> mpsc::Sender<Control> {
        self.control.clone()
    }
}

/// Starts the local collector. It publishes an empty snapshot at once (so the UI can
/// draw its first frame without waiting for a full /proc scan, which takes ~150 ms
/// with 3000 processes), then the first real one as soon as it is read, a second one
/// shortly after so CPU% has a base, then one per `interval`. The thread ends when
/// the handle is dropped.
pub fn spawn_local(
    interval: Duration,
    kernel_threads: bool,
    sites: Arc<crate::model::site::Sites>,
    units: Option<watch::Receiver<Arc<crate::model::services::UnitList>>>,
) -> std::io::Result<CollectorHandle> {
    let (tx, rx) = watch::channel(Arc::new(Snapshot::default()));
    let (ctx, crx) = mpsc::channel::<Control>();
    std::thread::Builder::new()
        .name("qd-collector".into())
        .spawn(move || {
            let mut collector = LocalCollector::new();
            collector.sites = sites;
            collector.units = units;
            collector.devices = Some(devices::Devices::new());
            collector.procs.skip_kernel_threads = !kernel_threads;
            if tx.send(Arc::new(collector.snapshot())).is_err() {
                return;
            }
            let mut interval = interval;
            let mut paused = false;
            let mut wait = interval.min(Duration::from_millis(300));
            // When the next refresh is due: a rejoin does not postpone it.
            let mut due = std::time::Instant::now() + wait;
            loop {
                let timeout = if paused {
                    Duration::from_secs(3600)
                } else {
                    due.saturating_duration_since(std::time::Instant::now())
                };
                // A view that appears while paused still gets its first table.
                let mut even_if_paused = false;
                match crx.recv_timeout(timeout) {
                    Ok(Control::Interval(d)) => {
                        interval = d;
                        wait = d;
                        due = std::time::Instant::now() + wait;
                        continue;
                    }
                    Ok(Control::Pause(p)) => {
                        paused = p;
                        wait = interval;
                        due = std::time::Instant::now() + wait;
                        continue;
                    }
                    Ok(Control::Rejoin) => {
                        let last = tx.borrow().clone();
                        if tx.send(Arc::new(collector.rejoin(&last))).is_err() {
                            break;
                        }
                        continue;
                    }
                    Ok(Control::KernelThreads(show)) => collector.procs.skip_kernel_threads = !show,
                    Ok(Control::Ports(scope)) => {
                        let more = scope.is_some() && scope != collector.port_scope;
                        collector.port_scope = scope;
                        if !more {
                            // Dropping the sockets needs no new snapshot.
                            continue;
                        }
                        even_if_paused = true;
                    }
                    Ok(Control::RefreshNow) | Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => break,
                }
                if paused && !even_if_paused {
                    continue;
                }
                let snap = Arc::new(collector.snapshot());
                if tx.send(snap).is_err() {
                    break;
                }
                wait = interval;
                due = std::time::Instant::now() + wait;
            }
        })?;
    Ok(CollectorHandle {
        snapshots: rx,
        control: ctx,
    })
}

/// Host stats without the process table (for tables that need no processes).
pub fn host_only() -> Snapshot {
    let mut s = Snapshot {
        host: "local".into(),
        stats: host::HostCollector::new().collect(),
        ..Snapshot::default()
    };
    s.taken_at_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    s
}

/// A snapshot whose CPU percentages are measured over `sample` (zero: one read, CPU%
/// all 0): for one-shot use (CLI).
pub fn one_shot(
    sample: Duration,
    kernel_threads: bool,
    sites: &Arc<crate::model::site::Sites>,
) -> Snapshot {
    let mut c = LocalCollector::new();
    c.sites = sites.clone();
    c.procs.skip_kernel_threads = !kernel_threads;
    if sample.is_zero() {
        return c.snapshot();
    }
    let _ = c.snapshot();
    std::thread::sleep(sample);
    c.snapshot()
}
