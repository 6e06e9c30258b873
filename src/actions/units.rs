//! Unit actions (start, stop, restart, reload, enable, disable, kill, reset-failed,
//! daemon-reload) as the dispatcher executes them: over D-Bus, all targets at once,
//! each result reported as it arrives.

use super::{Sig, TargetOutcome};
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

/// Runs a future on the runtime of the calling thread (a TUI blocking task) or, in
/// the CLI, on a runtime of its own.
pub fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, String> {
    match tokio::runtime::Handle::try_current() {
        Ok(h) => Ok(h.block_on(f)),
        Err(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|rt| rt.block_on(f))
            .map_err(|e| format!("cannot start the D-Bus runtime: {e}")),
    }
}

fn outcome(r: &UnitResult, targets: &[UnitTarget]) -> TargetOutcome {
    let service = targets
        .iter()
        .find(|t| t.unit == r.unit)
        .and_then(|t| t.service.clone());
    TargetOutcome {
        pid: None,
        unit: Some(r.unit.clone()),
        name: service.unwrap_or_else(|| r.unit.clone()),
        ok: r.ok,
        message: r.message.clone(),
        exit_status: None,
    }
}

/// Executes `op` on every target; one outcome per target. A bus that cannot be
/// reached fails every target with the same explanation.
pub fn run(
    bus: Bus,
    op: Option<UnitOp>,
    targets: &[UnitTarget],
    sites: &Sites,
    progress: &(dyn Fn(&TargetOutcome) + Sync),
) -> Vec<TargetOutcome> {
    let names: Vec<String> = targets.iter().map(|t| t.unit.clone()).collect();
    let all_failed = |message: String| -> Vec<TargetOutcome> {
        let outcomes: Vec<TargetOutcome> = if targets.is_empty() {
            vec![TargetOutcome {
                pid: None,
                unit: None,
                name: "systemd".into(),
                ok: false,
                message,
                exit_status: None,
            }]
        } else {
            names
                .iter()
                .map(|u| {
                    outcome(
                        &UnitResult {
                            unit: u.clone(),
                            ok: false,
                            message: message.clone(),
                        },
                        targets,
                    )
                })
                .collect()
        };
        outcomes.iter().for_each(progress);
        outcomes
    };
    let fut = async {
        let sd = Systemd::connect(bus).await?;
        match op {
            None => sd
                .daemon_reload()
                .await
                .map(|()| {
                    vec![TargetOutcome {
                        pid: None,
                        unit: None,
                        name: "systemd".into(),
                        ok: true,
                        message: "reloaded every unit file".into(),
                        exit_status: None,
                    }]
                })
                .map_err(|e| explain(&e, bus)),
            Some(op) => {
                let wants_health = matches!(op, UnitOp::Start | UnitOp::Restart);
                let has_health = |u: &str| wants_health && health_of(sites, u).is_some();
                // Units with a health check report once healthy, not when the job ends.
                let rs = sd
                    .run_op(op, &names, JOB_WAIT, &|r| {
                        if !(r.ok && has_health(&r.unit)) {
                            progress(&outcome(r, targets));
                        }
                    })
                    .await
                    .map_err(|e| explain(&e, bus))?;
                let checked = join_all(rs.into_iter().map(|mut r| async {
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
                        progress(&outcome(&r, targets));
                    }
                    r
                }))
                .await;
                Ok(checked.iter().map(|r| outcome(r, targets)).collect())
            }
        }
    };
    match block_on(fut) {
        Ok(Ok(o)) => o,
        Ok(Err(m)) | Err(m) => all_failed(m),
    }
}
