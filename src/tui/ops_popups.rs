//! The operations popups: the custom command menu (`c` in the services view), the
//! typed confirmation of dangerous commands, the `:jobs` view with a job's targets and
//! output (cancel, retry of the failed targets), and the `:audit` view (filter,
//! follow). What they dispatch goes through `popups::dispatch`, like every action.

use super::app::{App, CmdItem, Level, Popup};
use super::msg::Effect;
use super::popups::menu_move;
use super::screen::Screen;
use crate::actions::{Action, CommandTarget};
use ratatui::crossterm::event::KeyCode;

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

pub fn show_jobs(app: &mut App) {
    app.jobs_view = super::jobs::JobsView {
        selected: app.data.jobs.list.len().saturating_sub(1),
        open: None,
        scroll: 0,
    };
    app.show(Screen::Jobs);
}

/// Keys of the jobs screen: Enter opens a job, `x` cancels, `r` retries the failed
/// targets, Esc closes the open job, then leaves.
pub fn jobs_key(app: &mut App, code: KeyCode, close: bool) -> Vec<Effect> {
    let n = app.data.jobs.list.len();
    let super::jobs::JobsView {
        mut selected,
        mut open,
        mut scroll,
    } = app.jobs_view.clone();
    let id = open.or_else(|| app.data.jobs.list.get(selected).map(|j| j.id));
    match code {
        _ if close || code == KeyCode::Char('q') => {
            if open.is_none() {
                app.leave();
                return Vec::new();
            }
            open = None;
        }
        KeyCode::Char('x') => {
            if let Some(id) = id {
                let msg = if app.data.jobs.cancel(id) {
                    format!("job {id}: canceling (its commands' process groups get TERM)")
                } else {
                    format!("job {id} is not running")
                };
                app.set_status(Level::Info, msg);
            }
        }
        KeyCode::Char('r') => match id
            .and_then(|id| app.data.jobs.get(id))
            .and_then(|j| j.retry())
        {
            Some(action) if !app.data.readonly => return super::propose::propose(app, action),
            Some(_) => app.set_status(Level::Warn, "readonly: actions are refused"),
            None => app.set_status(Level::Info, "no failed targets to retry"),
        },
        KeyCode::Enter if open.is_none() => {
            open = id;
            scroll = 0;
        }
        _ if open.is_some() => match code {
            KeyCode::Up | KeyCode::Char('k') => scroll += 1,
            KeyCode::Down | KeyCode::Char('j') => scroll = scroll.saturating_sub(1),
            KeyCode::PageUp => scroll += 10,
            KeyCode::PageDown => scroll = scroll.saturating_sub(10),
            KeyCode::Home | KeyCode::Char('g') => scroll = usize::MAX / 2,
            KeyCode::End | KeyCode::Char('G') => scroll = 0,
            _ => {}
        },
        _ => menu_move(&mut selected, n, code),
    }
    app.jobs_view = super::jobs::JobsView {
        selected,
        open,
        scroll,
    };
    Vec::new()
}

pub fn show_audit(app: &mut App) -> Vec<Effect> {
    app.audit = super::jobs::AuditView {
        follow: true,
        ..Default::default()
    };
    app.show(Screen::Audit);
    vec![Effect::LoadAudit]
}

pub fn audit_loaded(app: &mut App, r: Result<Vec<crate::audit::Record>, String>) {
    let v = &mut app.audit;
    match r {
        Ok(records) => {
            v.records = records;
            v.error = None;
        }
        Err(e) => v.error = Some(e),
    }
}

/// Keys of the audit screen: `/` filters, `f` follows, Esc leaves.
pub fn audit_key(app: &mut App, code: KeyCode, close: bool) -> Vec<Effect> {
    let v = &mut app.audit;
    if v.filtering {
        match code {
            KeyCode::Enter | KeyCode::Esc => v.filtering = false,
            KeyCode::Backspace => {
                v.filter.pop();
            }
            KeyCode::Char(c) => v.filter.push(c),
            _ => {}
        }
        return Vec::new();
    }
    let mut fx = Vec::new();
    match code {
        _ if close || code == KeyCode::Char('q') => app.leave(),
        KeyCode::Char('/') => v.filtering = true,
        KeyCode::Char('f') | KeyCode::Char('F') => {
            v.follow = !v.follow;
            if v.follow {
                v.scroll = 0;
                fx.push(Effect::LoadAudit);
            }
        }
        KeyCode::Up | KeyCode::Char('k') => v.scroll += 1,
        KeyCode::Down | KeyCode::Char('j') => v.scroll = v.scroll.saturating_sub(1),
        KeyCode::PageUp => v.scroll += 10,
        KeyCode::PageDown => v.scroll = v.scroll.saturating_sub(10),
        KeyCode::Home | KeyCode::Char('g') => v.scroll = usize::MAX / 2,
        KeyCode::End | KeyCode::Char('G') => v.scroll = 0,
        _ => {}
    }
    fx
}
