//! What the services and sites commands do to the App: showing the views (which
//! starts the unit watcher and the socket collection they need), one site's focus,
//! the unit action menu with only the actions valid for the targets' states, logs.

use super::app::{App, Level, Popup};
use super::msg::Effect;
use super::screen::Screen;
use crate::actions::{Action, ProcTarget, UnitTarget};
use crate::model::services::ServiceRow;
use crate::sources::Control;
use crate::sources::unitwatch::WatchCtl;
use crate::systemd::jobs::UnitOp;
use std::collections::VecDeque;

/// Effects a view switch needs: sockets for the ports, services and sites views (the
/// PORT column and the sites' port counts), and the unit watcher, started once.
pub fn switch_effects(app: &mut App, mode: Screen) -> Vec<Effect> {
    let scope = match mode {
        Screen::Ports => Some(app.screens.ports.scope()),
        // The PORT column and the sites' port counts; without declared ports, the
        // socket dump (~7 ms per refresh with 2000 sockets) is not worth it.
        Screen::Services | Screen::Sites if app.data.service_ports => {
            Some(app.screens.ports.scope())
        }
        Screen::Services | Screen::Sites => None,
        Screen::Processes => None,
        // The fleet, jobs and audit screens leave this host's collection as it is.
        _ => return Vec::new(),
    };
    let mut fx = vec![Effect::Collector(Control::Ports(scope))];
    if matches!(mode, Screen::Services | Screen::Sites) && !app.units_started {
        app.units_started = true;
        fx.push(Effect::Units(WatchCtl::Refresh));
    }
    fx
}

/// `a`: every service unit, or only the sites' ones.
pub fn toggle_all_units(app: &mut App) -> Vec<Effect> {
    let all = app
        .data
        .snapshot
        .services
        .as_ref()
        .is_some_and(|t| t.all_units);
    let msg = if all {
        "only the sites' units"
    } else {
        "every service unit"
    };
    app.set_status(Level::Info, msg);
    vec![Effect::Units(WatchCtl::AllUnits(!all))]
}

/// `:daemon-reload`, after a confirmation.
pub fn daemon_reload(app: &mut App) -> Vec<Effect> {
    if app.data.readonly {
        app.set_status(Level::Warn, "readonly: actions are refused in this session");
        return Vec::new();
    }
    super::propose::propose(app, Action::DaemonReload)
}

/// `:site NAME` (empty: all sites): one site's services, processes and ports.
pub fn focus_site(app: &mut App, name: &str) -> Vec<Effect> {
    if name.is_empty() {
        app.data.site = None;
        app.svc.site = None;
        app.set_status(Level::Info, "all sites");
        app.rebuild();
        return Vec::new();
    }
    let known = app.data.snapshot.services.as_ref().and_then(|t| {
        t.sites
            .iter()
            .find(|s| &*s.name == name)
            .map(|s| s.name.clone())
    });
    let Some(site) = known.or_else(|| app.data.site_names.iter().find(|s| &***s == name).cloned())
    else {
        let all: Vec<&str> = app.data.site_names.iter().map(|s| &**s).collect();
        app.set_status(
            Level::Error,
            if all.is_empty() {
                format!("no site `{name}`: the config defines no sites")
            } else {
                format!("no site `{name}` (sites: {})", all.join(", "))
            },
        );
        return Vec::new();
    };
    app.data.site = Some(site.clone());
    app.svc.site = Some(site.clone());
    app.set_status(
        Level::Info,
        format!("site {site}: Tab cycles services, processes, ports · :site clears"),
    );
    let mut fx = Vec::new();
    if app.home != Screen::Services {
        app.show(Screen::Services);
        fx = switch_effects(app, Screen::Services);
    }
    app.rebuild();
    fx
}

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

pub(super) fn unit_rows(app: &App) -> Vec<&ServiceRow> {
    let items = app
        .data
        .snapshot
        .services
        .as_ref()
        .map_or(&[][..], |t| t.rows.as_slice());
    app.svc.table.targets(items)
}

pub fn guard(app: &mut App) -> bool {
    if app.data.readonly {
        app.set_status(Level::Warn, "readonly: actions are refused in this session");
        return false;
    }
    if app.home != Screen::Services {
        app.set_status(Level::Info, "unit actions work in the services view (:svc)");
        return false;
    }
    true
}

/// Enter / `:unit`: the menu of valid actions for the marked or selected units.
pub fn unit_menu(app: &mut App) -> Vec<Effect> {
    if !guard(app) {
        return Vec::new();
    }
    let rows = unit_rows(app);
    if rows.is_empty() {
        app.set_status(Level::Info, "nothing selected");
        return Vec::new();
    }
    let items = valid_ops(&rows);
    let targets = app.svc.unit_targets(&app.data.snapshot);
    if let Some(op) = items.first() {
        let first = Action::Unit {
            op: *op,
            targets: targets.clone(),
        };
        if let Some(fx) = super::propose::refuse(app, &first) {
            return fx;
        }
    }
    app.popup = Some(Popup::UnitMenu {
        selected: 0,
        items,
        targets,
    });
    Vec::new()
}

/// `:unit VERB`: straight to the confirmation.
pub fn unit_action(app: &mut App, op: UnitOp) -> Vec<Effect> {
    if !guard(app) {
        return Vec::new();
    }
    let targets = app.svc.unit_targets(&app.data.snapshot);
    if targets.is_empty() {
        app.set_status(Level::Info, "nothing selected");
        return Vec::new();
    }
    super::propose::propose(app, Action::Unit { op, targets })
}

/// Restart from the process view: processes that systemd supervises are restarted
/// through their units (a process restart behind systemd's back would be undone or
/// leave the unit confused). `None`: not all targets belong to a service unit.
pub fn unit_restart_instead(targets: &[ProcTarget]) -> Option<Action> {
    let mut units: Vec<UnitTarget> = Vec::new();
    for t in targets {
        let u = t.unit.as_deref()?;
        // The user manager and login sessions are no service to restart.
        if !u.ends_with(".service") || u.starts_with("user@") {
            return None;
        }
        if !units.iter().any(|x| x.unit == u) {
            units.push(UnitTarget::new(u, None));
        }
    }
    (!units.is_empty()).then_some(Action::Unit {
        op: UnitOp::Restart,
        targets: units,
    })
}

/// `l` in the services view: the selected unit's log. `L`: the merged log of every
/// service of the selected row's site.
pub fn open_log(app: &mut App, whole_site: bool) -> Vec<Effect> {
    let snap = app.data.snapshot.clone();
    let site = match app.home {
        Screen::Sites => app.sites.selected_site(&snap).map(|s| s.name.clone()),
        Screen::Services => app
            .svc
            .selected_row(&snap)
            .and_then(|r| r.unit.site.clone()),
        _ => app.data.site.clone(),
    };
    let (title, units): (String, Vec<(String, String)>) = if whole_site || app.home == Screen::Sites
    {
        let Some(site) = site else {
            app.set_status(
                Level::Info,
                "L shows a site's log: select a site's service or a site",
            );
            return Vec::new();
        };
        let units = snap
            .services
            .as_ref()
            .map(|t| {
                t.rows
                    .iter()
                    .filter(|r| r.unit.site.as_ref() == Some(&site))
                    .map(|r| {
                        (
                            r.unit.service.as_deref().unwrap_or("").to_string(),
                            r.unit.unit.clone(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        (format!("log: site {site}"), units)
    } else {
        match app.svc.selected_row(&snap) {
            Some(r) => (
                format!("log: {}", r.unit.unit),
                vec![(String::new(), r.unit.unit.clone())],
            ),
            None => {
                app.set_status(Level::Info, "nothing selected");
                return Vec::new();
            }
        }
    };
    if units.is_empty() {
        app.set_status(Level::Info, "this site has no services listed yet");
        return Vec::new();
    }
    app.popup = Some(Popup::Log {
        title,
        lines: VecDeque::new(),
        scroll: 0,
        search: String::new(),
        searching: false,
        error: None,
    });
    vec![Effect::OpenLog(units)]
}

/// The rows' count for the footer.
pub fn total(app: &App) -> usize {
    let t = app.data.snapshot.services.as_ref();
    match app.home {
        Screen::Services => t.map_or(0, |t| t.rows.len()),
        Screen::Sites => t.map_or(0, |t| t.sites.len()),
        _ => app.active().map_or(0, |v| v.nav().rows.len()),
    }
}
