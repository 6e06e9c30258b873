//! What each command of the keymap and the `:` line does to the App.

use super::app::{App, InputKind, Level, Popup};
use super::msg::Effect;
use super::procview::default_descending;
use super::theme::Theme;
use crate::actions::{Action, NiceChange, ProcTarget};
use crate::config::command::NiceArg;
use crate::config::{Command, SortKey};
use crate::sources::Control;
use std::time::Duration;

const REFRESH_STEPS: [u64; 8] = [250, 500, 1000, 2000, 3000, 5000, 10000, 30000];

pub fn apply(app: &mut App, cmd: Command) -> Vec<Effect> {
    let snap = app.snapshot.clone();
    let page = app.table_height().max(1) as isize;
    match cmd {
        Command::Quit => return vec![Effect::Quit],
        Command::Help => app.popup = Some(Popup::Help { scroll: 0 }),
        Command::ShowProcs => app.popup = None,
        Command::Up => app.view.move_by(&snap, -1),
        Command::Down => app.view.move_by(&snap, 1),
        Command::PageUp => app.view.move_by(&snap, -page),
        Command::PageDown => app.view.move_by(&snap, page),
        Command::Top => app.view.select(&snap, 0),
        Command::Bottom => app.view.select(&snap, usize::MAX),
        Command::ScrollLeft => app.view.hscroll = app.view.hscroll.saturating_sub(8),
        Command::ScrollRight => app.view.hscroll += 8,
        Command::Sort(k) => {
            if app.view.sort == k {
                app.view.descending = !app.view.descending;
            } else {
                app.view.sort = k;
                app.view.descending = default_descending(k);
            }
            app.rebuild();
        }
        Command::SortNext | Command::SortPrev => {
            let all = SortKey::ALL;
            let i = all.iter().position(|k| *k == app.view.sort).unwrap_or(0);
            let n = all.len();
            let next = if cmd == Command::SortNext {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            app.view.sort = all[next];
            app.view.descending = default_descending(app.view.sort);
            app.rebuild();
        }
        Command::SortInvert => {
            app.view.descending = !app.view.descending;
            app.rebuild();
        }
        Command::Filter(None) => {
            app.popup = Some(Popup::Input {
                kind: InputKind::Filter,
                text: app.view.filter.clone(),
                previous: app.view.filter.clone(),
                error: None,
            })
        }
        Command::Filter(Some(t)) => {
            app.view.filter = t;
            app.rebuild();
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
            app.view.filter.clear();
            app.view.user = None;
            app.rebuild();
        }
        Command::Tree => {
            app.view.tree = !app.view.tree;
            app.rebuild();
        }
        Command::Collapse => {
            let key = app.view.selected_process(&snap).map(|p| p.key());
            let has_kids = app
                .view
                .rows
                .get(app.view.selected)
                .is_some_and(|r| r.has_children);
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
            app.view.follow = !app.view.follow;
            let msg = match (app.view.follow, app.view.selected_process(&snap)) {
                (true, Some(p)) => format!("following {} {}", p.pid, p.display_name()),
                _ => "follow off".into(),
            };
            app.set_status(Level::Info, msg);
        }
        Command::Mark => {
            app.view.toggle_mark(&snap);
            app.view.move_by(&snap, 1);
        }
        Command::MarkRange => app.view.mark_range(&snap),
        Command::ClearMarks => {
            app.view.marks.clear();
            app.view.mark_anchor = None;
        }
        Command::Signal(sig) => {
            let Some(targets) = action_targets(app) else {
                return Vec::new();
            };
            app.popup = Some(match sig {
                None => Popup::SignalMenu {
                    selected: 0,
                    targets,
                },
                Some(sig) => confirm(Action::Signal { targets, sig }),
            });
        }
        Command::Nice(None) => {
            if action_targets(app).is_none() {
                return Vec::new();
            }
            app.popup = Some(Popup::Input {
                kind: InputKind::Nice,
                text: String::new(),
                previous: String::new(),
                error: None,
            });
        }
        Command::Nice(Some(arg)) => {
            let Some(targets) = action_targets(app) else {
                return Vec::new();
            };
            let change = match arg {
                NiceArg::Set(n) => NiceChange::Set(n),
                NiceArg::By(d) => NiceChange::By(d),
            };
            app.popup = Some(confirm(Action::Renice { targets, change }));
        }
        Command::Restart => {
            let Some(targets) = action_targets(app) else {
                return Vec::new();
            };
            app.popup = Some(confirm(Action::Restart { targets }));
        }
        Command::Detail => {
            if let Some(p) = app.view.selected_process(&snap) {
                let (pid, starttime) = (p.pid, p.starttime_ticks);
                app.popup = Some(Popup::Detail {
                    pid,
                    starttime,
                    data: None,
                    scroll: 0,
                });
                return vec![Effect::LoadDetail { pid, starttime }];
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
            app.readonly = true;
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
    let h = app.table_height();
    app.view.scroll_into_view(h);
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

fn confirm(action: Action) -> Popup {
    Popup::Confirm {
        action,
        ok_focused: false,
    }
}

/// The targets of an action, or `None` (with a message) when there are none or the
/// session is readonly. The dispatcher refuses readonly actions anyway; saying so
/// here spares the operator a menu and a dialog that can only end in a denial.
fn action_targets(app: &mut App) -> Option<Vec<ProcTarget>> {
    if app.readonly {
        app.set_status(Level::Warn, "readonly: actions are refused in this session");
        return None;
    }
    let t: Vec<ProcTarget> = app
        .view
        .targets(&app.snapshot)
        .into_iter()
        .map(ProcTarget::from)
        .collect();
    if t.is_empty() {
        app.set_status(Level::Info, "no process selected");
        return None;
    }
    Some(t)
}
