//! What each command of the keymap and the `:` line does to the App.

use super::app::{App, InputKind, Level, Popup};
use super::msg::Effect;
use super::propose::propose;
use super::screen::Screen;
use super::theme::Theme;
use crate::actions::{Action, NiceChange};
use crate::config::command::NiceArg;
use crate::config::{Command, SortKey};
use crate::model::port::Scope;
use crate::sources::Control;
use std::time::Duration;

const REFRESH_STEPS: [u64; 8] = [250, 500, 1000, 2000, 3000, 5000, 10000, 30000];

pub fn apply(app: &mut App, cmd: Command) -> Vec<Effect> {
    let snap = app.data.snapshot.clone();
    let page = app.table_height().max(1) as isize;
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
        // Within a site, the processes and ports screens' `L`: the site's log.
        Command::SiteLogs => {
            let acts = super::screens::units::site_log(&app.data, app.data.site.as_deref());
            return super::run::apply(app, acts);
        }
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
        Command::ShowHosts | Command::ShowPanes | Command::OpenHost(_) | Command::Exec(_) => {
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
        Command::ToggleListening => {
            if app.home != Screen::Ports {
                app.set_status(
                    Level::Info,
                    "l switches listening/all sockets in the ports view (Tab)",
                );
                return Vec::new();
            }
            app.ports.scope = match app.ports.scope {
                Scope::Listening => Scope::All,
                Scope::All => Scope::Listening,
            };
            app.rebuild();
            return vec![Effect::Collector(Control::Ports(Some(app.ports.scope)))];
        }
        Command::Up => app.active_mut().move_by(&snap, -1),
        Command::Down => app.active_mut().move_by(&snap, 1),
        Command::PageUp => app.active_mut().move_by(&snap, -page),
        Command::PageDown => app.active_mut().move_by(&snap, page),
        Command::Top => app.active_mut().select(&snap, 0),
        Command::Bottom => app.active_mut().select(&snap, usize::MAX),
        Command::ScrollLeft => {
            let n = app.active_mut().nav_mut();
            n.hscroll = n.hscroll.saturating_sub(8);
        }
        Command::ScrollRight => app.active_mut().nav_mut().hscroll += 8,
        // The column is named; the view on screen knows its columns.
        Command::Sort(name) => match SortKey::parse(&name) {
            Some(k) if app.active_mut().sort_by(&snap, k) => {}
            _ => {
                let msg = format!("the {} view has no {name} column", app.active().name());
                app.set_status(Level::Info, msg);
            }
        },
        Command::SortNext => app.active_mut().sort_step(&snap, 1),
        Command::SortPrev => app.active_mut().sort_step(&snap, -1),
        Command::SortInvert => {
            let n = app.active_mut().nav_mut();
            n.descending = !n.descending;
            app.rebuild();
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
        Command::Filter(Some(t)) => {
            app.active_mut().nav_mut().filter = t;
            app.rebuild();
        }
        Command::FilterUser(_) | Command::Tree | Command::Collapse | Command::KernelThreads
            if app.home != Screen::Processes =>
        {
            app.set_status(Level::Info, "that works in the process view (Tab)");
        }
        Command::FilterUser(None) => {
            let mut counts = std::collections::BTreeMap::<String, usize>::new();
            for p in &snap.processes {
                *counts.entry(p.user.to_string()).or_default() += 1;
            }
            let mut items = vec![("(all users)".to_string(), snap.processes.len())];
            items.extend(counts);
            let selected = app
                .view
                .user
                .as_ref()
                .and_then(|u| items.iter().position(|(n, _)| n == u))
                .unwrap_or(0);
            app.popup = Some(Popup::UserMenu { items, selected });
        }
        Command::FilterUser(Some(u)) => {
            app.view.user = Some(u).filter(|u| !u.is_empty());
            app.rebuild();
        }
        Command::ClearFilter => {
            app.active_mut().nav_mut().filter.clear();
            if app.home == Screen::Processes {
                app.view.user = None;
            }
            app.rebuild();
        }
        Command::Tree => {
            app.view.tree = !app.view.tree;
            app.rebuild();
        }
        Command::Collapse => {
            let key = app.view.selected_process(&snap).map(|p| p.key());
            let nav = &app.view.table.nav;
            let has_kids = nav.rows.get(nav.selected).is_some_and(|r| r.has_children);
            match key {
                Some(k) if app.view.tree && (has_kids || app.view.collapsed.contains(&k)) => {
                    if !app.view.collapsed.remove(&k) {
                        app.view.collapsed.insert(k);
                    }
                    app.rebuild();
                }
                _ => app.set_status(
                    Level::Info,
                    "collapse works on a process with children, in the tree view (t)",
                ),
            }
        }
        Command::Pause => {
            app.paused = !app.paused;
            return vec![Effect::Collector(Control::Pause(app.paused))];
        }
        Command::Follow => {
            let nav = app.active_mut().nav_mut();
            nav.follow = !nav.follow;
            let msg = match (nav.follow, app.active().selected_owner(&snap)) {
                (true, Some(p)) if app.home == Screen::Processes => {
                    format!("following {} {}", p.pid, p.name)
                }
                (true, _) => "following the selected row".into(),
                _ => "follow off".into(),
            };
            app.set_status(Level::Info, msg);
        }
        Command::Mark => {
            app.active_mut().toggle_mark(&snap);
            app.active_mut().move_by(&snap, 1);
        }
        Command::MarkRange => app.active_mut().mark_range(&snap),
        Command::ClearMarks => app.active_mut().clear_marks(),
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
            let action = match super::propose::unit_restart_instead(&targets) {
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
        Command::Owner if app.home == Screen::Ports => return jump_to_owner(app),
        // Commands of screens and popups that handle their keys themselves for now.
        c @ (Command::Owner
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
        // `detail` as old bindings have it: what Enter did in each view.
        Command::Detail if app.home == Screen::Ports => return jump_to_owner(app),
        Command::Detail => {
            if let Some(p) = app.view.selected_process(&snap) {
                let (pid, starttime) = (p.pid, p.starttime_ticks);
                let values = app.own_process(p);
                app.popup = Some(Popup::Detail {
                    pid,
                    starttime,
                    data: None,
                    scroll: 0,
                    revealed: None,
                });
                return vec![Effect::LoadDetail {
                    pid,
                    starttime,
                    values,
                }];
            }
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
        Command::KernelThreads => {
            app.view.show_kernel = !app.view.show_kernel;
            app.rebuild();
            return vec![Effect::Collector(Control::KernelThreads(
                app.view.show_kernel,
            ))];
        }
        Command::Redraw => return vec![Effect::ClearScreen],
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

/// Enter on a socket: its owning process, selected in the process view; Esc returns.
fn jump_to_owner(app: &mut App) -> Vec<Effect> {
    let snap = app.data.snapshot.clone();
    let Some(port) = app.ports.selected_port(&snap) else {
        return Vec::new();
    };
    let Some(key) = port.owner() else {
        if port.socket.inode == 0 {
            app.set_status(
                Level::Info,
                "no process holds this socket (the kernel keeps it)",
            );
        } else {
            app.set_status(
                Level::Warn,
                super::portview::unknown_owner_hint(app.data.operator.uid),
            );
        }
        return Vec::new();
    };
    if !app.view.reveal(&snap, key) {
        app.set_status(Level::Warn, format!("process {} has exited", key.pid));
        return Vec::new();
    }
    app.show(Screen::Processes);
    app.back = Some(Screen::Ports);
    app.scroll_into_view();
    app.set_status(Level::Info, "Esc: back to the ports view");
    // The socket table is kept up to date for the way back.
    Vec::new()
}

fn set_refresh(app: &mut App, ms: u64) -> Vec<Effect> {
    app.refresh = Duration::from_millis(ms);
    app.set_status(
        Level::Info,
        format!("refresh every {:.2}s", ms as f64 / 1000.0),
    );
    vec![Effect::Collector(Control::Interval(app.refresh))]
}
