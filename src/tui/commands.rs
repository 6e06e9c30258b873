//! What each command of the keymap and the `:` line does to the App.

use super::app::{App, InputKind, Level, Popup};
use super::msg::Effect;
use super::propose::propose;
use super::screen::Screen;
use super::svc_commands as svc;
use super::theme::Theme;
use crate::actions::{Action, NiceChange};
use crate::config::command::NiceArg;
use crate::config::{Command, SortKey};
use crate::sources::Control;
use std::time::Duration;

const REFRESH_STEPS: [u64; 8] = [250, 500, 1000, 2000, 3000, 5000, 10000, 30000];

pub fn apply(app: &mut App, cmd: Command) -> Vec<Effect> {
    if let Some(fx) = older_table(app, &cmd) {
        return fx;
    }
    let snap = app.data.snapshot.clone();
    match cmd {
        Command::Quit => return vec![Effect::Quit],
        Command::Help => app.popup = Some(Popup::Help { scroll: 0 }),
        Command::ShowProcs => return switch(app, Screen::Processes),
        Command::ShowPorts => return switch(app, Screen::Ports),
        Command::NextView => return switch(app, app.screen.next(app.data.site.is_some())),
        Command::PrevView => return switch(app, app.screen.prev(app.data.site.is_some())),
        Command::ShowServices => return switch(app, Screen::Services),
        Command::ShowSites => return switch(app, Screen::Sites),
        Command::FocusSite(name) => return svc::focus_site(app, &name),
        Command::ToggleAllUnits => return svc::toggle_all_units(app),
        Command::SiteLogs => return svc::open_log(app, true),
        Command::EditEnv => return super::env_commands::edit_env(app),
        Command::UnitAction(None) => return svc::unit_menu(app),
        Command::UnitAction(Some(op)) => return svc::unit_action(app, op),
        Command::DaemonReload => return svc::daemon_reload(app),
        Command::Collapse if app.home == Screen::Services => {
            return super::ops_popups::command_menu(app, None);
        }
        Command::RunCommand(name) => {
            return super::ops_popups::command_menu(app, name.as_deref());
        }
        Command::ShowJobs => super::ops_popups::show_jobs(app),
        Command::ShowAudit => return super::ops_popups::show_audit(app),
        Command::ShowHosts | Command::ShowPanes | Command::OpenHost(_) | Command::Exec(_) => {
            return super::fleet::command(app, cmd);
        }
        Command::Back => {
            if let Some(m) = app.back.take() {
                return switch(app, m);
            }
            if app.data.site.is_some() {
                // Out of one site: back to the list of sites.
                svc::focus_site(app, "");
                return switch(app, Screen::Sites);
            }
        }
        Command::ToggleListening if matches!(app.home, Screen::Services | Screen::Sites) => {
            return svc::open_log(app, false);
        }
        Command::ToggleListening => {
            app.set_status(
                Level::Info,
                "l switches listening/all sockets in the ports view (Tab)",
            );
            return Vec::new();
        }
        Command::Filter(None) => {
            let text = app.filter_text();
            app.popup = Some(Popup::Input {
                kind: InputKind::Filter,
                text: text.clone(),
                previous: text,
                error: None,
            })
        }
        // The process table's own commands, asked for elsewhere.
        Command::FilterUser(_) | Command::Tree | Command::Collapse | Command::KernelThreads => {
            app.set_status(Level::Info, "that works in the process view (Tab)");
        }
        Command::Pause => {
            app.paused = !app.paused;
            return vec![Effect::Collector(Control::Pause(app.paused))];
        }
        Command::Signal(sig) => {
            let Some(targets) = super::propose::action_targets(app) else {
                return Vec::new();
            };
            match sig {
                None => {
                    let first = Action::Signal {
                        targets: targets.clone(),
                        sig: crate::actions::Sig::ALL[0],
                    };
                    if let Some(fx) = super::propose::refuse(app, &first) {
                        return fx;
                    }
                    app.popup = Some(Popup::SignalMenu {
                        selected: 0,
                        targets,
                    })
                }
                Some(sig) => return propose(app, Action::Signal { targets, sig }),
            }
        }
        Command::Nice(None) => {
            let Some(targets) = super::propose::action_targets(app) else {
                return Vec::new();
            };
            let probe = Action::Renice {
                targets,
                change: NiceChange::By(0),
            };
            if let Some(fx) = super::propose::refuse(app, &probe) {
                return fx;
            }
            app.popup = Some(Popup::Input {
                kind: InputKind::Nice,
                text: String::new(),
                previous: String::new(),
                error: None,
            });
        }
        Command::Nice(Some(arg)) => {
            let Some(targets) = super::propose::action_targets(app) else {
                return Vec::new();
            };
            let change = match arg {
                NiceArg::Set(n) => NiceChange::Set(n),
                NiceArg::By(d) => NiceChange::By(d),
            };
            return propose(app, Action::Renice { targets, change });
        }
        Command::Restart => {
            let Some(targets) = super::propose::action_targets(app) else {
                return Vec::new();
            };
            let action = match super::screens::owners::unit_restart_instead(&targets) {
                Some(a) => {
                    app.set_status(
                        Level::Info,
                        "these processes belong to systemd services: restarting the units instead",
                    );
                    a
                }
                None => Action::Restart { targets },
            };
            return propose(app, action);
        }
        Command::UnitLog if matches!(app.home, Screen::Services | Screen::Sites) => {
            return svc::open_log(app, false);
        }
        Command::OpenSite if app.home == Screen::Sites => {
            let name = app.sites.selected_site(&snap).map(|s| s.name.to_string());
            if let Some(n) = name {
                return svc::focus_site(app, &n);
            }
        }
        // `detail` as old bindings have it: what Enter did in each view.
        Command::Detail if app.home == Screen::Services => return svc::unit_menu(app),
        Command::Detail if app.home == Screen::Sites => {
            let name = app.sites.selected_site(&snap).map(|s| s.name.to_string());
            if let Some(n) = name {
                return svc::focus_site(app, &n);
            }
        }
        // Commands of screens and popups that handle their keys themselves for now.
        c @ (Command::Owner
        | Command::Detail
        | Command::UnitLog
        | Command::OpenSite
        | Command::Shell
        | Command::Export { .. }
        | Command::Pane(_)
        | Command::OpenJob
        | Command::Cancel
        | Command::Retry
        | Command::LogSearch
        | Command::Confirm(_)
        | Command::InputClear) => {
            app.set_status(Level::Info, format!("`{}` is not available here", c.name()));
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
        // Taken by `older_table` above.
        Command::Up
        | Command::Down
        | Command::PageUp
        | Command::PageDown
        | Command::Top
        | Command::Bottom
        | Command::ScrollLeft
        | Command::ScrollRight
        | Command::Sort(_)
        | Command::SortNext
        | Command::SortPrev
        | Command::SortInvert
        | Command::Filter(Some(_))
        | Command::ClearFilter
        | Command::Follow
        | Command::Mark
        | Command::MarkRange
        | Command::ClearMarks => {}
        Command::Suspend => return vec![Effect::Suspend],
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
            super::ops_popups::show_jobs(app);
            Vec::new()
        }
        Screen::Audit => super::ops_popups::show_audit(app),
        table => switch(app, table),
    }
}

/// Shows `mode`; the ports view starts (or stops) the collection of sockets.
fn switch(app: &mut App, mode: Screen) -> Vec<Effect> {
    if mode == app.screen {
        return Vec::new();
    }
    app.back = None;
    app.show(mode);
    app.rebuild();
    svc::switch_effects(app, mode)
}

/// The generic table commands on a host table that is still an older view (the
/// `Component`s get them from `run::table_command`). `None`: not one of them.
fn older_table(app: &mut App, cmd: &Command) -> Option<Vec<Effect>> {
    use Command as C;
    if !matches!(
        cmd,
        C::Up
            | C::Down
            | C::PageUp
            | C::PageDown
            | C::Top
            | C::Bottom
            | C::ScrollLeft
            | C::ScrollRight
            | C::Sort(_)
            | C::SortNext
            | C::SortPrev
            | C::SortInvert
            | C::Filter(Some(_))
            | C::ClearFilter
            | C::Follow
            | C::Mark
            | C::MarkRange
            | C::ClearMarks
    ) {
        return None;
    }
    let snap = app.data.snapshot.clone();
    let page = app.table_height().max(1) as isize;
    let Some(v) = app.active_mut() else {
        return Some(Vec::new());
    };
    match cmd {
        C::Up => v.move_by(&snap, -1),
        C::Down => v.move_by(&snap, 1),
        C::PageUp => v.move_by(&snap, -page),
        C::PageDown => v.move_by(&snap, page),
        C::Top => v.select(&snap, 0),
        C::Bottom => v.select(&snap, usize::MAX),
        C::ScrollLeft => {
            let n = v.nav_mut();
            n.hscroll = n.hscroll.saturating_sub(8);
        }
        C::ScrollRight => v.nav_mut().hscroll += 8,
        // The column is named; the view on screen knows its columns.
        C::Sort(name) => match SortKey::parse(name) {
            Some(k) if v.sort_by(&snap, k) => {}
            _ => {
                let msg = format!("the {} view has no {name} column", v.name());
                app.set_status(Level::Info, msg);
            }
        },
        C::SortNext => v.sort_step(&snap, 1),
        C::SortPrev => v.sort_step(&snap, -1),
        C::SortInvert => {
            let n = v.nav_mut();
            n.descending = !n.descending;
            v.rebuild(&snap);
        }
        C::Filter(Some(t)) => {
            v.nav_mut().filter = t.clone();
            v.rebuild(&snap);
        }
        C::ClearFilter => {
            v.nav_mut().filter.clear();
            v.rebuild(&snap);
        }
        C::Follow => {
            let nav = v.nav_mut();
            nav.follow = !nav.follow;
            let on = nav.follow;
            app.set_status(
                Level::Info,
                if on {
                    "following the selected row"
                } else {
                    "follow off"
                },
            );
        }
        C::Mark => {
            v.toggle_mark(&snap);
            v.move_by(&snap, 1);
        }
        C::MarkRange => v.mark_range(&snap),
        C::ClearMarks => v.clear_marks(),
        _ => {}
    }
    app.scroll_into_view();
    Some(Vec::new())
}

fn set_refresh(app: &mut App, ms: u64) -> Vec<Effect> {
    app.refresh = Duration::from_millis(ms);
    app.set_status(
        Level::Info,
        format!("refresh every {:.2}s", ms as f64 / 1000.0),
    );
    vec![Effect::Collector(Control::Interval(app.refresh))]
}
