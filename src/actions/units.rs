//! Unit actions (start, stop, restart, reload, enable, disable, kill, reset-failed,
//! daemon-reload) as the dispatcher executes them: over D-Bus, all targets at once,
//! each result reported as it arrives.

use super::{Sig, TargetOutcome};
use crate::sources::systemd::jobs::{JOB_WAIT, UnitOp, UnitResult};
use crate::sources::systemd::{Bus, Systemd, explain};
use serde::Serialize;

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
    }
}

/// Executes `op` on every target; one outcome per target. A bus that cannot be
/// reached fails every target with the same explanation.
pub fn run(
    bus: Bus,
    op: Option<UnitOp>,
    targets: &[UnitTarget],
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
                    }]
                })
                .map_err(|e| explain(&e, bus)),
            Some(op) => sd
                .run_op(op, &names, JOB_WAIT, &|r| progress(&outcome(r, targets)))
                .await
                .map(|rs| rs.iter().map(|r| outcome(r, targets)).collect())
                .map_err(|e| explain(&e, bus)),
        }
    };
    match block_on(fut) {
        Ok(Ok(o)) => o,
        Ok(Err(m)) | Err(m) => all_failed(m),
    }
}
