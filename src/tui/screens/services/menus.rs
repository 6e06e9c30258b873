//! What the services screen's menus offer: the unit actions valid for the targets'
//! states, and the custom commands every target service has.

use super::super::super::data::Data;
use super::super::super::popup::CmdItem;
use crate::actions::{CommandTarget, UnitTarget};
use crate::model::services::ServiceRow;
use crate::systemd::jobs::UnitOp;

/// The unit actions that make sense for these rows: start what is not running, stop
/// what is, reload only where every unit can...
pub fn valid_ops(rows: &[&ServiceRow]) -> Vec<UnitOp> {
    let any = |f: &dyn Fn(&ServiceRow) -> bool| rows.iter().any(|r| f(r));
    let all = |f: &dyn Fn(&ServiceRow) -> bool| rows.iter().all(|r| f(r));
    let running = |r: &ServiceRow| {
        matches!(
            r.unit.active_state.as_str(),
            "active" | "activating" | "reloading"
        )
    };
    let mut ops = Vec::new();
    if any(&|r| !running(r)) {
        ops.push(UnitOp::Start);
    }
    if any(&running) {
        ops.push(UnitOp::Stop);
    }
    ops.push(UnitOp::Restart);
    if all(&|r| r.unit.can_reload && running(r)) {
        ops.push(UnitOp::Reload);
    }
    if any(&|r| r.unit.unit_file_state == "disabled") {
        ops.push(UnitOp::Enable);
    }
    if any(&|r| r.unit.unit_file_state == "enabled") {
        ops.push(UnitOp::Disable);
    }
    if any(&running) {
        // The signal is chosen in a second menu.
        ops.push(UnitOp::Kill(0, "…"));
    }
    if any(&|r| r.unit.active_state == "failed") {
        ops.push(UnitOp::ResetFailed);
    }
    ops
}

pub fn unit_target(r: &ServiceRow) -> UnitTarget {
    let svc = match (&r.unit.site, &r.unit.service) {
        (Some(s), Some(v)) => Some(format!("{s}/{v}")),
        _ => None,
    };
    UnitTarget::new(r.unit.unit.clone(), svc)
}

/// A site service's id as commands and env files name it.
pub fn command_target(r: &ServiceRow) -> Option<CommandTarget> {
    match (&r.unit.site, &r.unit.service) {
        (Some(site), Some(service)) => Some(CommandTarget {
            site: site.to_string(),
            service: service.to_string(),
        }),
        _ => None,
    }
}

/// The site services among `rows` (as command targets) and the commands they all
/// define, in the first one's order.
pub fn shared_commands(data: &Data, rows: &[&ServiceRow]) -> (Vec<CommandTarget>, Vec<CmdItem>) {
    let mut targets = Vec::new();
    let mut common: Option<Vec<CmdItem>> = None;
    for t in rows.iter().filter_map(|r| command_target(r)) {
        let Some(r) = data
            .sites
            .resolve(&t.id())
            .ok()
            .and_then(|v| v.into_iter().next())
        else {
            continue;
        };
        let items: Vec<CmdItem> = r
            .service
            .commands
            .iter()
            .map(|c| CmdItem {
                name: c.name.clone(),
                display: c.display_name.clone(),
                dangerous: c.dangerous,
                requires_stop: c.requires_stop,
            })
            .collect();
        common = Some(match common {
            None => items,
            Some(prev) => prev
                .into_iter()
                .filter(|c| items.iter().any(|i| i.name == c.name))
                .collect(),
        });
        targets.push(t);
    }
    (targets, common.unwrap_or_default())
}
