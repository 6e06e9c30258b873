//! `update(app, msg) -> effects`: the only place UI state changes. It never awaits
//! and never does I/O; what needs the outside world comes back as an `Effect`.

use super::app::{App, Level, Popup};
use super::msg::{Effect, Msg};
use super::popups;
use super::screen::{Layer, Screen};

use crate::sources::Control;
use ratatui::crossterm::event::{Event, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};

pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Term(Event::Key(k)) if k.kind != KeyEventKind::Release => {
            let screen = match app.layer() {
                Layer::Popup => {
                    let Some(p) = app.popup.take() else {
                        return Vec::new();
                    };
                    let cx = popups::Ctx {
                        keymap: &app.keymap,
                        data: &app.data,
                    };
                    let (keep, acts) = popups::on_key(p, &k, &cx);
                    app.popup = keep;
                    return super::run::apply(app, acts);
                }
                Layer::Screen(s) => s,
            };
            // A new key press replaces an old message.
            app.status = None;
            if let Some(acts) = app.screens.get_mut(screen).raw_key(&k, &app.data) {
                return super::run::apply(app, acts);
            }
            match app.keymap.command(screen.section(), &k) {
                Some(cmd) => super::run::command(app, cmd),
                None => Vec::new(),
            }
        }
        Msg::Term(Event::Mouse(m)) => on_mouse(app, m),
        Msg::Term(Event::Resize(w, h)) => {
            app.data.size = (w, h);
            app.scroll_into_view();
            app.screens.panes.fit(&app.data)
        }
        Msg::Term(_) => Vec::new(),
        Msg::Snapshot(s) => {
            if app.cpu_history.len() >= super::app::HISTORY {
                app.cpu_history.pop_front();
            }
            app.cpu_history.push_back(s.stats.cpu_total);
            app.data.snapshot = app.visible(s);
            app.rebuild();
            match &app.popup {
                Some(Popup::Detail { pid, starttime, .. }) => {
                    let values = app
                        .data
                        .snapshot
                        .find(*pid)
                        .is_some_and(|p| app.own_process(p));
                    vec![Effect::LoadDetail {
                        pid: *pid,
                        starttime: *starttime,
                        values,
                    }]
                }
                _ if app.screen == Screen::Audit && app.screens.audit.following() => {
                    vec![Effect::LoadAudit]
                }
                _ => Vec::new(),
            }
        }
        Msg::ActionDone(id, result) => {
            app.data.jobs.finish(id, &result);
            app.jobs_changed();
            let written = match (app.data.jobs.get(id).map(|j| &j.action), &result) {
                (Some(crate::actions::Action::WriteEnv { service, .. }), Ok(r)) if r.all_ok() => {
                    Some(service.clone())
                }
                _ => None,
            };
            // A command job's output is already on screen in its job pane.
            let in_job_pane = app.screen == Screen::Jobs && app.screens.jobs.open_id() == Some(id);
            if app.data.jobs.current().is_none() {
                app.busy = None;
            }
            app.finished.clear();
            match result {
                Ok(report) if in_job_pane => {
                    let failed = report.failed();
                    app.set_status(
                        if failed > 0 { Level::Error } else { Level::Ok },
                        format!(
                            "{}: {} done, {failed} failed",
                            report.action,
                            report.outcomes.len() - failed
                        ),
                    );
                }
                Ok(report) => {
                    // Done everywhere: the marks served their purpose. After a partial
                    // failure they stay, so the failed targets can be retried at once
                    // (marks of processes that exited drop out on the next refresh).
                    if report.all_ok() {
                        app.clear_home_marks();
                    }
                    let single_ok = report.all_ok() && report.outcomes.len() == 1;
                    if single_ok {
                        let o = &report.outcomes[0];
                        app.set_status(Level::Ok, format!("{}: {}", o.label(), o.message));
                    } else {
                        let failed = report.failed();
                        let level = if failed > 0 { Level::Error } else { Level::Ok };
                        app.set_status(
                            level,
                            format!(
                                "{}: {} done, {failed} failed",
                                report.action,
                                report.outcomes.len() - failed
                            ),
                        );
                        app.popup = Some(Popup::Results { report, scroll: 0 });
                    }
                }
                Err(denial) => {
                    app.set_status(Level::Error, denial.to_string());
                    app.popup = Some(Popup::Error {
                        title: "Denied".into(),
                        message: denial.reason,
                    });
                }
            }
            let mut fx = vec![Effect::Collector(Control::RefreshNow)];
            if let Some(service) = written {
                fx.extend(super::env_commands::env_written(app, &service));
            }
            fx
        }
        Msg::DetailLoaded(data) => {
            if let Some(Popup::Detail {
                data: slot, pid, ..
            }) = &mut app.popup
            {
                let same = match &*data {
                    Ok(d) => d.pid == *pid,
                    Err(_) => true,
                };
                if same {
                    *slot = Some(data);
                }
            }
            Vec::new()
        }
        Msg::EnvironRevealed(pid, r) => {
            super::propose::environ_revealed(app, pid, r);
            Vec::new()
        }
        Msg::InputClosed(_) => Vec::new(),
        Msg::EnvEdited(outcome, target) => super::env_commands::env_edited(app, outcome, target),
        Msg::LogLines(lines) => {
            if let Some(p) = &mut app.popup {
                popups::viewers::add_lines(p, lines);
            }
            Vec::new()
        }
        Msg::LogError(e) => {
            if let Some(Popup::Log { error, .. }) = &mut app.popup {
                *error = Some(e);
            }
            Vec::new()
        }
        Msg::Progress(id, o) => {
            if app.busy.is_some() {
                app.finished.push(o.clone());
            }
            app.data.jobs.progress(id, o);
            app.jobs_changed();
            Vec::new()
        }
        Msg::JobOutput(id, target, line) => {
            app.data.jobs.output(id, target, line);
            Vec::new()
        }
        Msg::AuditLoaded(r) => {
            match r {
                Ok(records) => {
                    app.data.audit = records;
                    app.data.audit_error = None;
                }
                Err(e) => app.data.audit_error = Some(e),
            }
            app.screens.audit.rebuild(&app.data);
            Vec::new()
        }
        Msg::Prompt(id, question) => {
            // A question waits for the operator whatever was on screen.
            app.popup = Some(Popup::Ask {
                id,
                question,
                typed: String::new(),
            });
            Vec::new()
        }
        Msg::HostStatus(s) => {
            app.data.host_status = s;
            app.screens.hosts.table.rebuild(&app.data);
            Vec::new()
        }
        Msg::PaneOutput => Vec::new(),
        Msg::PaneDenied(id, why) => {
            super::fleet::pane_denied(app, id, why);
            Vec::new()
        }
        Msg::PaneEnded(id, outcome) => {
            super::fleet::pane_ended(app, id, outcome);
            Vec::new()
        }
        Msg::Tick => {
            app.spinner = app.spinner.wrapping_add(1);
            Vec::new()
        }
    }
}

fn on_mouse(app: &mut App, m: MouseEvent) -> Vec<Effect> {
    if let Some(p) = &mut app.popup {
        match (p, m.kind) {
            (
                Popup::Help { scroll }
                | Popup::Detail { scroll, .. }
                | Popup::Results { scroll, .. },
                MouseEventKind::ScrollDown,
            ) => *scroll += 3,
            (
                Popup::Help { scroll }
                | Popup::Detail { scroll, .. }
                | Popup::Results { scroll, .. },
                MouseEventKind::ScrollUp,
            ) => *scroll = scroll.saturating_sub(3),
            _ => {}
        }
        return Vec::new();
    }
    let area = app.table_area();
    let data = &app.data;
    if let Some(t) = app.screens.get_mut(app.screen).table_mut() {
        match m.kind {
            MouseEventKind::ScrollDown => t.move_by(data, 3),
            MouseEventKind::ScrollUp => t.move_by(data, -3),
            MouseEventKind::Down(MouseButton::Left) => t.click(data, area, m.column, m.row),
            _ => return Vec::new(),
        }
    }
    app.scroll_into_view();
    Vec::new()
}
