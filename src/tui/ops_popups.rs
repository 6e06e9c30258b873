//! The operations popups' keys: the custom command menu (built by the services
//! screen), the typed confirmation of dangerous commands, the `:jobs` view with a
//! job's targets and output (cancel, retry of the failed targets), and the `:audit`
//! view (filter, follow). What they dispatch goes through `popups::dispatch`, like every action.

use super::app::{App, CmdItem, Level, Popup};
use super::msg::Effect;
use super::popups::{menu_move, menu_pick};
use super::screen::Screen;
use crate::actions::{Action, CommandTarget};
use ratatui::crossterm::event::KeyCode;

/// A command goes the way of every action: policy, then what its risk asks (a
/// dangerous one wants the services' names typed).
fn confirm(app: &mut App, item: CmdItem, targets: Vec<CommandTarget>) -> Vec<Effect> {
    let action = Action::Command {
        command: item.name,
        targets,
    };
    super::propose::propose(app, action)
}

pub fn command_menu_key(
    app: &mut App,
    code: KeyCode,
    close: bool,
    mut selected: usize,
    items: Vec<CmdItem>,
    targets: Vec<CommandTarget>,
) -> Vec<Effect> {
    if close || code == KeyCode::Char('q') {
        return Vec::new();
    }
    if let Some(i) = menu_pick(selected, items.len(), code) {
        return confirm(app, items[i].clone(), targets);
    }
    menu_move(&mut selected, items.len(), code);
    app.popup = Some(Popup::CommandMenu {
        selected,
        items,
        targets,
    });
    Vec::new()
}

pub fn typed_confirm_key(
    app: &mut App,
    code: KeyCode,
    close: bool,
    action: Action,
    want: String,
    mut typed: String,
) -> Vec<Effect> {
    match code {
        _ if close => return Vec::new(),
        KeyCode::Enter if typed == want => return super::popups::dispatch(app, action),
        KeyCode::Enter => {
            app.set_status(Level::Warn, format!("type `{want}` exactly to confirm"));
        }
        KeyCode::Backspace => {
            typed.pop();
        }
        KeyCode::Char(c) => typed.push(c),
        _ => {}
    }
    app.popup = Some(Popup::TypedConfirm {
        action,
        want,
        typed,
    });
    Vec::new()
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
