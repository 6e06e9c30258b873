//! `e` on a service, the App's side: the services screen asks the policy first (a
//! refused reveal or write of secrets is shown and recorded, and no editor runs),
//! then the event loop edits (`envedit`), then a valid change is dispatched as
//! `Action::WriteEnv` with its confirmation, and once written the unit's restart is
//! offered.

use super::app::{App, Level, Popup};
use super::msg::Effect;
use crate::actions::{Action, CommandTarget, UnitTarget};
use crate::systemd::jobs::UnitOp;

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
