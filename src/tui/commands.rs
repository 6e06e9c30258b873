//! What each command of the keymap and the `:` line does to the App.

use super::app::{App, InputKind, Level, Popup};
use super::msg::Effect;
use super::propose::propose;
use super::screen::Screen;
use super::theme::Theme;
use crate::actions::Action;
use crate::config::Command;
use crate::sources::Control;
use std::time::Duration;

const REFRESH_STEPS: [u64; 8] = [250, 500, 1000, 2000, 3000, 5000, 10000, 30000];

pub fn apply(app: &mut App, cmd: Command) -> Vec<Effect> {
    match cmd {
        Command::Quit => return vec![Effect::Quit],
        Command::Help => app.popup = Some(Popup::Help { scroll: 0 }),
        Command::ShowProcs => return switch(app, Screen::Processes),
        Command::ShowPorts => return switch(app, Screen::Ports),
        Command::NextView => return switch(app, app.screen.next(app.data.site.is_some())),
        Command::PrevView => return switch(app, app.screen.prev(app.data.site.is_some())),
        Command::ShowServices => return switch(app, Screen::Services),
        Command::ShowSites => return switch(app, Screen::Sites),
        Command::FocusSite(name) => return super::focus::focus_site(app, &name),
        Command::DaemonReload if app.data.readonly => {
            app.set_status(Level::Warn, "readonly: actions are refused in this session");
        }
        Command::DaemonReload => return propose(app, Action::DaemonReload),
        // The services screen's commands (`[services]`), typed elsewhere.
        Command::UnitAction(_)
        | Command::UnitLog
        | Command::ToggleAllUnits
        | Command::EditEnv
        | Command::RunCommand(_) => {
            app.set_status(
                Level::Info,
                format!("`{}` works in the services view (S)", cmd.name()),
            );
        }
        Command::ShowJobs => show_jobs(app),
        Command::ShowAudit => return show_audit(app),
        Command::ShowHosts | Command::ShowPanes | Command::OpenHost(_) => {
            return super::fleet::command(app, cmd);
        }
        Command::Back => {
            if let Some(m) = app.back.take() {
                return switch(app, m);
            }
            if app.data.site.is_some() {
                // Out of one site: back to the list of sites.
                super::focus::focus_site(app, "");
                return switch(app, Screen::Sites);
            }
        }
        Command::Pause => {
            app.paused = !app.paused;
            return vec![Effect::Collector(Control::Pause(app.paused))];
        }
        Command::CommandLine => {
            app.popup = Some(Popup::Input {
                kind: InputKind::Command,
                text: String::new(),
                previous: String::new(),
                error: None,
            })
        }
        Command::RefreshFaster | Command::RefreshSlower => {
            let cur = app.refresh.as_millis() as u64;
            let ms = if cmd == Command::RefreshFaster {
                REFRESH_STEPS
                    .iter()
                    .rev()
                    .find(|s| **s < cur)
                    .copied()
                    .unwrap_or(REFRESH_STEPS[0])
            } else {
                REFRESH_STEPS
                    .iter()
                    .find(|s| **s > cur)
                    .copied()
                    .unwrap_or(cur)
            };
            return set_refresh(app, ms);
        }
        Command::Refresh(ms) => return set_refresh(app, ms),
        Command::Theme(name) => match Theme::load(&name) {
            Ok(t) => app.theme = t,
            Err(e) => app.set_status(Level::Error, e),
        },
        Command::Readonly => {
            app.data.readonly = true;
            app.set_status(
                Level::Warn,
                "readonly for the rest of this session: every action is refused",
            );
            return vec![Effect::SetReadonly];
        }
        Command::Redraw => return vec![Effect::ClearScreen],
        Command::Suspend => return vec![Effect::Suspend],
        // A table's or a screen's command where the screen on top has no use for it.
        other => {
            app.set_status(
                Level::Info,
                format!(
                    "`{}` does nothing on the {} screen (see ? for its keys)",
                    other.name(),
                    app.screen.name()
                ),
            );
        }
    }
    app.scroll_into_view();
    Vec::new()
}

/// Puts `s` on screen with what it needs started (`Act::Show`).
pub fn show(app: &mut App, s: Screen) -> Vec<Effect> {
    let fx = show_only(app, s);
    app.rebuild();
    fx
}

fn show_only(app: &mut App, s: Screen) -> Vec<Effect> {
    match s {
        Screen::Hosts => super::fleet::command(app, Command::ShowHosts),
        Screen::Panes => super::fleet::command(app, Command::ShowPanes),
        Screen::Jobs => {
            show_jobs(app);
            Vec::new()
        }
        Screen::Audit => show_audit(app),
        table => switch(app, table),
    }
}

/// `:jobs`: the list, the newest job selected.
fn show_jobs(app: &mut App) {
    app.screens.jobs.show(&app.data);
    app.show(Screen::Jobs);
}

/// `:audit`: following, with a fresh read of the log.
fn show_audit(app: &mut App) -> Vec<Effect> {
    app.screens.audit.show(&app.data);
    app.show(Screen::Audit);
    vec![Effect::LoadAudit]
}

/// Shows `mode`; the ports view starts (or stops) the collection of sockets.
fn switch(app: &mut App, mode: Screen) -> Vec<Effect> {
    if mode == app.screen {
        return Vec::new();
    }
    app.back = None;
    app.show(mode);
    app.rebuild();
    super::focus::switch_effects(app, mode)
}

fn set_refresh(app: &mut App, ms: u64) -> Vec<Effect> {
    app.refresh = Duration::from_millis(ms);
    app.set_status(
        Level::Info,
        format!("refresh every {:.2}s", ms as f64 / 1000.0),
    );
    vec![Effect::Collector(Control::Interval(app.refresh))]
}
