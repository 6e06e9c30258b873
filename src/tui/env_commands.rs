//! `e` on a service, the App's side: the policy decides first (a refused reveal or
//! write of secrets is shown and recorded, and no editor runs), then the event loop
//! edits (`envedit`), then a valid change is dispatched as `Action::WriteEnv` with its
//! confirmation, and once written the unit's restart is offered.

use super::app::{App, Level, Popup};
use super::msg::Effect;
use super::svc_commands::guard;
use crate::actions::{Action, CommandTarget, UnitTarget};
use crate::systemd::jobs::UnitOp;

/// `e`: the selected service's env file in the editor. The policy decides first: a
/// reveal or write of secrets it refuses is dispatched (so the denial is recorded) and
/// shown, and no editor runs.
pub fn edit_env(app: &mut App) -> Vec<Effect> {
    if !guard(app) {
        return Vec::new();
    }
    let Some(r) = app.svc.selected_row(&app.data.snapshot) else {
        app.set_status(Level::Info, "nothing selected");
        return Vec::new();
    };
    if !app.data.env_files.contains_key(&r.unit.unit) {
        app.set_status(Level::Info, "this service has no env_file in the config");
        return Vec::new();
    }
    let (Some(site), Some(service)) = (&r.unit.site, &r.unit.service) else {
        app.set_status(Level::Info, "env files belong to site services");
        return Vec::new();
    };
    let service = CommandTarget {
        site: site.to_string(),
        service: service.to_string(),
    };
    for action in [
        Action::RevealEnv {
            service: service.clone(),
        },
        Action::WriteEnv {
            service: service.clone(),
            content: String::new(),
        },
    ] {
        if (app.checker)(&action).is_err() {
            return super::propose::propose(app, action);
        }
    }
    vec![Effect::EditEnv(service)]
}

/// After the editor: a valid change goes the way of every action (a WriteEnv, with
/// its confirmation); a rejected one says where the edit is kept.
pub fn env_edited(
    app: &mut App,
    outcome: crate::tui::envedit::Outcome,
    service: CommandTarget,
) -> Vec<Effect> {
    use crate::tui::envedit::Outcome;
    match outcome {
        Outcome::Unchanged => app.set_status(Level::Info, "env file unchanged"),
        Outcome::Edited { content, vars } => {
            app.set_status(
                Level::Info,
                format!("{}: {vars} variables to write", service.id()),
            );
            return super::propose::propose(app, Action::WriteEnv { service, content });
        }
        Outcome::Rejected {
            line,
            message,
            kept,
        } => {
            app.popup = Some(Popup::Error {
                title: "Env file not saved".into(),
                message: format!(
                    "line {line}: {message}. The file is unchanged; your edit is kept in {kept}."
                ),
            });
        }
        Outcome::Denied(d) => {
            app.set_status(Level::Error, d.to_string());
            app.popup = Some(Popup::Error {
                title: "Denied".into(),
                message: d.reason,
            });
        }
        Outcome::Failed(m) => {
            app.popup = Some(Popup::Error {
                title: "Env file".into(),
                message: m,
            });
        }
    }
    Vec::new()
}

/// After a WriteEnv job: the restart that makes the service read the new file.
pub fn env_written(app: &mut App, service: &CommandTarget) -> Vec<Effect> {
    let id = service.id();
    let Some(unit) = app
        .data
        .sites
        .resolve(&id)
        .ok()
        .and_then(|v| v.into_iter().next())
        .map(|r| r.service.unit.clone())
    else {
        return Vec::new();
    };
    app.set_status(Level::Ok, format!("{id}: env file saved, restart to apply"));
    super::propose::propose(
        app,
        Action::Unit {
            op: UnitOp::Restart,
            targets: vec![UnitTarget::new(unit, Some(id))],
        },
    )
}
