//! The decision before any dialog: every action the TUI builds passes the policy
//! check first (`App::checker`, the dispatcher's `check`, no I/O), then asks what its
//! own `Action::risk` says. Also the recorded reveal of a process's environment from
//! its detail, which is decided the same way.

use super::app::{App, Level, Popup};
use super::msg::Effect;
use crate::actions::{Action, ProcTarget, Risk};

/// Every action the TUI builds comes here: the policy decides first (a denied action
/// is dispatched anyway, so the dispatcher records the denial, and the denial is shown
/// instead of any dialog); then the action's own risk says what is asked: nothing
/// (Normal), a dialog with Cancel focused (Destructive), the target's name typed
/// (Typed).
pub fn propose(app: &mut App, action: Action) -> Vec<Effect> {
    if let Some(fx) = refuse(app, &action) {
        return fx;
    }
    match action.risk(&app.data.sites) {
        Risk::Normal => dispatch(app, action),
        Risk::Destructive => {
            app.popup = Some(Popup::Confirm {
                action,
                ok_focused: false,
            });
            Vec::new()
        }
        Risk::Typed => {
            app.popup = Some(Popup::TypedConfirm {
                want: typed_word(&action, &app.data.sites),
                action,
                typed: String::new(),
            });
            Vec::new()
        }
    }
}

/// `Some(effects)` when the policy refuses `action`: the denial is shown and the action
/// dispatched, so the dispatcher records it (it refuses it again, with nothing done).
/// Menus ask this with the action their first item stands for, so a refused operator
/// never gets a menu that can only end in a denial.
pub fn refuse(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    let d = (app.checker)(action).err()?;
    app.set_status(Level::Error, d.to_string());
    let (id, cancel) = app.data.jobs.start(action.clone());
    app.jobs_changed();
    app.popup = Some(Popup::Error {
        title: "Denied".into(),
        message: d.reason,
    });
    Some(vec![Effect::Dispatch {
        job: super::msg::JobRef { id, cancel },
        action: action.clone(),
    }])
}

/// `v` in a process's detail: its environment's values through the dispatcher's
/// recorded reveal (admins; a denial is shown and recorded like any other).
pub fn reveal_environ(app: &mut App, pid: i32, starttime: u64) -> Vec<Effect> {
    let Some(p) = app
        .data
        .snapshot
        .find(pid)
        .filter(|p| p.starttime_ticks == starttime)
    else {
        app.set_status(Level::Warn, format!("process {pid} has exited"));
        return Vec::new();
    };
    let target = crate::actions::ProcTarget::from(p);
    let action = Action::RevealEnviron {
        target: target.clone(),
    };
    if let Some(fx) = refuse(app, &action) {
        return fx;
    }
    app.set_status(Level::Info, format!("revealing the environment of {pid}"));
    vec![Effect::RevealEnviron(target)]
}

/// The reveal's answer: the values replace the masked ones in the open detail.
pub fn environ_revealed(
    app: &mut App,
    pid: i32,
    r: Result<Result<Vec<String>, String>, crate::actions::Denial>,
) {
    match r {
        Ok(Ok(vars)) => {
            if let Some(Popup::Detail {
                pid: p, revealed, ..
            }) = &mut app.popup
                && *p == pid
            {
                *revealed = Some(vars);
                app.set_status(
                    Level::Ok,
                    format!("environment of {pid} revealed (recorded)"),
                );
            }
        }
        Ok(Err(e)) => app.set_status(Level::Error, format!("environment of {pid}: {e}")),
        Err(d) => {
            app.set_status(Level::Error, d.to_string());
            app.popup = Some(Popup::Error {
                title: "Denied".into(),
                message: d.reason,
            });
        }
    }
}

/// What a typed confirmation wants: the services' names of a command, the site's name
/// of a removal, else the targets' labels.
pub fn typed_word(action: &Action, sites: &crate::model::site::Sites) -> String {
    match action {
        Action::Command { targets, .. } => targets
            .iter()
            .map(|t| t.service.clone())
            .collect::<Vec<_>>()
            .join(" "),
        Action::RemoveSite { site } => site.clone(),
        a => a
            .targets(sites)
            .iter()
            .map(|t| t.label())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A confirmed action (or one that needs no confirmation) becomes a job and goes to
/// the dispatcher.
pub fn dispatch(app: &mut App, action: Action) -> Vec<Effect> {
    app.busy = Some(format!("{} on {}", action.verb(), action.target_count()));
    app.finished.clear();
    let (id, cancel) = app.data.jobs.start(action.clone());
    // A command's or an exec's output is the point: show it as it streams.
    if matches!(action, Action::Command { .. } | Action::Exec { .. }) {
        app.screens.jobs.open(id, &app.data);
        app.popup = None;
        app.show(super::screen::Screen::Jobs);
    } else {
        app.jobs_changed();
    }
    vec![Effect::Dispatch {
        job: super::msg::JobRef { id, cancel },
        action,
    }]
}

/// Restart from the process view: processes that systemd supervises are restarted
/// through their units (a process restart behind systemd's back would be undone or
/// leave the unit confused). `None`: not all targets belong to a service unit.
pub fn unit_restart_instead(targets: &[ProcTarget]) -> Option<Action> {
    use crate::actions::UnitTarget;
    use crate::systemd::jobs::UnitOp;
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
