//! Unit actions (start, stop, restart, reload, enable, disable, kill, reset-failed,
//! daemon-reload) as the dispatcher executes them: over D-Bus, all targets at once,
//! each result reported as it arrives.

use super::{Sig, Sink, Target, TargetKind, TargetOutcome};
use crate::model::site::{Health, Site, Sites};
use crate::systemd::jobs::{JOB_WAIT, UnitOp, UnitResult};
use crate::systemd::{Bus, Systemd, explain};
use futures_util::future::join_all;
use serde::Serialize;
use std::time::Duration;

fn health_of<'a>(sites: &'a Sites, unit: &str) -> Option<(&'a Health, &'a Site)> {
    let r = sites.by_unit(unit)?;
    Some((r.service.health.as_ref()?, r.site))
}

/// Probes until the check passes or its `wait` is over; the last answer either way.
async fn wait_healthy(h: &Health, site: &Site) -> Result<String, String> {
    let deadline = tokio::time::Instant::now() + h.wait;
    loop {
        let r = crate::sources::health::probe(h, site).await;
        if r.is_ok() || tokio::time::Instant::now() >= deadline {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// A unit as an action target, with the site service it runs when it has one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitTarget {
    pub unit: String,
    /// `shop/api`
    pub service: Option<String>,
}

impl UnitTarget {
    pub fn new(unit: impl Into<String>, service: Option<String>) -> Self {
        Self {
            unit: unit.into(),
            service,
        }
    }
}

/// The unit action's operation, from the menu's signal choice.
pub fn kill_op(sig: Sig) -> UnitOp {
    UnitOp::Kill(sig.number(), sig.name())
}

/// Runs a future on a runtime of its own, for the CLI's read-only D-Bus queries
/// (status, logs). Not for executors: the dispatcher awaits those.
pub fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map(|rt| rt.block_on(f))
        .map_err(|e| format!("cannot start the D-Bus runtime: {e}"))
}

fn outcome(r: &UnitResult, targets: &[UnitTarget]) -> TargetOutcome {
    let service = targets
        .iter()
        .find(|t| t.unit == r.unit)
        .and_then(|t| t.service.clone());
    TargetOutcome::new(
        UnitTarget::new(r.unit.clone(), service).target(),
        if r.ok {
            Ok(r.message.clone())
        } else {
            Err(r.message.clone())
        },
    )
}

fn manager(r: Result<String, String>) -> TargetOutcome {
    TargetOutcome::new(Target::local(TargetKind::Manager), r)
}

/// Executes `op` on every target (`None`: daemon-reload), handing each outcome to
/// the sink as its job finishes (units with a health check: once healthy). A bus
/// that cannot be reached fails every target with the same explanation.
pub async fn run(
    bus: Bus,
    op: Option<UnitOp>,
    targets: &[UnitTarget],
    sites: &Sites,
    sink: &Sink<'_>,
) {
    let names: Vec<String> = targets.iter().map(|t| t.unit.clone()).collect();
    let sd = match Systemd::connect(bus).await {
        Ok(sd) => sd,
        Err(m) => {
            if op.is_none() {
                sink.emit(manager(Err(m.clone())));
            }
            for t in targets.iter().filter(|_| op.is_some()) {
                sink.emit(TargetOutcome::failed(t.target(), m.clone()));
            }
            return;
        }
    };
    let Some(op) = op else {
        sink.emit(manager(
            sd.daemon_reload()
                .await
                .map(|()| "reloaded every unit file".to_string())
                .map_err(|e| explain(&e, bus)),
        ));
        return;
    };
    let wants_health = matches!(op, UnitOp::Start | UnitOp::Restart);
    let has_health = |u: &str| wants_health && health_of(sites, u).is_some();
    // Units with a health check report once healthy, not when the job ends.
    let rs = match sd
        .run_op(op, &names, JOB_WAIT, &|r| {
            if !(r.ok && has_health(&r.unit)) {
                sink.emit(outcome(r, targets));
            }
        })
        .await
    {
        Ok(rs) => rs,
        Err(e) => {
            let m = explain(&e, bus);
            for t in targets {
                sink.emit(TargetOutcome::failed(t.target(), m.clone()));
            }
            return;
        }
    };
    join_all(rs.into_iter().map(|mut r| async move {
        if r.ok
            && has_health(&r.unit)
            && let Some((h, user)) = health_of(sites, &r.unit)
        {
            let h: &Health = h;
            match wait_healthy(h, user).await {
                Ok(d) => r.message = format!("{} and healthy ({d})", r.message),
                Err(d) => {
                    r.ok = false;
                    r.message = format!(
                        "{}, but not healthy after {:.1} s: {d}",
                        r.message,
                        h.wait.as_secs_f64()
                    );
                }
            }
            sink.emit(outcome(&r, targets));
        }
    }))
    .await;
}
