//! The decision before any dialog: every action the TUI builds passes the policy
//! check first (`App::checker`, the dispatcher's `check`, no I/O), then asks what its
//! own `Action::risk` says. Also the recorded reveal of a process's environment from
//! its detail, which is decided the same way.

use super::app::{App, Level, Popup};
use super::msg::Effect;
use super::popups::dispatch;
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

/// The targets of an action, or `None` (with a message) when there are none or the
/// session is readonly. The dispatcher refuses readonly actions anyway; saying so
/// here spares the operator a menu and a dialog that can only end in a denial.
pub fn action_targets(app: &mut App) -> Option<Vec<ProcTarget>> {
    if app.data.readonly {
        app.set_status(Level::Warn, "readonly: actions are refused in this session");
        return None;
    }
    let t = app
        .active()
        .map(|v| v.targets(&app.data.snapshot))
        .unwrap_or_default();
    if t.procs.is_empty() {
        let msg = if t.unknown > 0 {
            super::screens::owners::unknown_owner_hint(app.data.operator.uid)
        } else {
            "nothing selected"
        };
        app.set_status(Level::Info, msg);
        return None;
    }
    if t.unknown > 0 {
        app.set_status(
            Level::Warn,
            format!(
                "{} marked socket(s) have no visible owner and are left out",
                t.unknown
            ),
        );
    }
    Some(t.procs)
}
