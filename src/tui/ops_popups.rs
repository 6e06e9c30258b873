//! The operations popups: the custom command menu (`c` in the services view) and the
//! typed confirmation of dangerous commands. What they dispatch goes through
//! `popups::dispatch`, like every action; the job it becomes is on the jobs screen
//! (`screens::jobs`).

use super::app::{App, CmdItem, Level, Popup};
use super::msg::Effect;
use super::screen::Screen;
use crate::actions::{Action, CommandTarget};

/// `c` / `:run [NAME]`: the commands the marked or selected services have in common.
pub fn command_menu(app: &mut App, name: Option<&str>) -> Vec<Effect> {
    if app.data.readonly {
        app.set_status(Level::Warn, "readonly: actions are refused in this session");
        return Vec::new();
    }
    if app.home != Screen::Services {
        app.set_status(
            Level::Info,
            "commands run on services: open the services view (:svc)",
        );
        return Vec::new();
    }
    let mut targets = Vec::new();
    let mut common: Option<Vec<CmdItem>> = None;
    for row in super::svc_commands::unit_rows(app) {
        let (Some(site), Some(service)) = (&row.unit.site, &row.unit.service) else {
            continue;
        };
        let t = CommandTarget {
            site: site.to_string(),
            service: service.to_string(),
        };
        let Some(r) = app
            .data
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
    let items = common.unwrap_or_default();
    if targets.is_empty() {
        app.set_status(
            Level::Info,
            "custom commands belong to site services: select one",
        );
        return Vec::new();
    }
    if items.is_empty() {
        app.set_status(
            Level::Info,
            if targets.len() > 1 {
                "the marked services have no command in common"
            } else {
                "this service defines no commands ([[site.service.command]])"
            },
        );
        return Vec::new();
    }
    if let Some(n) = name {
        match items.iter().find(|c| c.name == n) {
            Some(c) => return confirm(app, c.clone(), targets),
            None => app.set_status(
                Level::Error,
                format!(
                    "no command `{n}` here (commands: {})",
                    items
                        .iter()
                        .map(|c| c.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
        return Vec::new();
    }
    app.popup = Some(Popup::CommandMenu {
        selected: 0,
        items,
        targets,
    });
    Vec::new()
}

/// A command goes the way of every action: policy, then what its risk asks (a
/// dangerous one wants the services' names typed).
fn confirm(app: &mut App, item: CmdItem, targets: Vec<CommandTarget>) -> Vec<Effect> {
    let action = Action::Command {
        command: item.name,
        targets,
    };
    super::propose::propose(app, action)
}
