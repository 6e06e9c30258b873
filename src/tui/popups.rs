//! Keys while a popup is open. Popups own their keys (arrows, Enter, Esc) so the
//! keymap cannot make a dialog's Cancel unreachable.

use super::app::{App, InputKind, Level, Popup};
use super::msg::Effect;
use crate::actions::{Action, Sig};
use crate::config::Command;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn scroll_by(pos: &mut usize, code: KeyCode) -> bool {
    match code {
        KeyCode::Down | KeyCode::Char('j') => *pos += 1,
        KeyCode::Up | KeyCode::Char('k') => *pos = pos.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => *pos += 10,
        KeyCode::PageUp => *pos = pos.saturating_sub(10),
        KeyCode::Home | KeyCode::Char('g') => *pos = 0,
        KeyCode::End | KeyCode::Char('G') => *pos = usize::MAX / 2,
        _ => return false,
    }
    true
}

/// The item a menu key chooses: Enter the selected one, 1-9 by number.
pub fn menu_pick(selected: usize, len: usize, code: KeyCode) -> Option<usize> {
    let i = match code {
        KeyCode::Enter => selected,
        KeyCode::Char(c @ '1'..='9') => c as usize - '1' as usize,
        _ => return None,
    };
    (i < len).then_some(i)
}

pub fn menu_move(sel: &mut usize, len: usize, code: KeyCode) {
    match code {
        KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => *sel = (*sel + 1) % len.max(1),
        KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
            *sel = (*sel + len.max(1) - 1) % len.max(1)
        }
        KeyCode::Home | KeyCode::Char('g') => *sel = 0,
        KeyCode::End | KeyCode::Char('G') => *sel = len.saturating_sub(1),
        _ => {}
    }
}

pub fn on_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let Some(popup) = app.popup.take() else {
        return Vec::new();
    };
    let code = k.code;
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let close = matches!(code, KeyCode::Esc) || (ctrl && code == KeyCode::Char('c'));
    let keep = |app: &mut App, p: Popup| {
        app.popup = Some(p);
        Vec::new()
    };
    match popup {
        Popup::Help { mut scroll } => {
            if close
                || matches!(
                    code,
                    KeyCode::Char('q' | '?') | KeyCode::Enter | KeyCode::F(1)
                )
            {
                return Vec::new();
            }
            scroll_by(&mut scroll, code);
            keep(app, Popup::Help { scroll })
        }
        Popup::Results { report, mut scroll } => {
            if close || matches!(code, KeyCode::Char('q') | KeyCode::Enter) {
                return Vec::new();
            }
            scroll_by(&mut scroll, code);
            keep(app, Popup::Results { report, scroll })
        }
        Popup::Error { .. } if close || matches!(code, KeyCode::Char('q') | KeyCode::Enter) => {
            Vec::new()
        }
        p @ Popup::Error { .. } => keep(app, p),
        Popup::Ask {
            id,
            question,
            typed,
        } => super::ask::on_key(app, id, question, typed, k),
        Popup::Detail {
            pid,
            starttime,
            data,
            mut scroll,
            revealed,
        } => {
            if close || matches!(code, KeyCode::Char('q') | KeyCode::Enter) {
                return Vec::new();
            }
            let masked = data
                .as_deref()
                .is_some_and(|d| d.as_ref().is_ok_and(|d| d.environ_masked));
            let reveal = code == KeyCode::Char('v') && masked && revealed.is_none();
            scroll_by(&mut scroll, code);
            app.popup = Some(Popup::Detail {
                pid,
                starttime,
                data,
                scroll,
                revealed,
            });
            if reveal {
                return super::propose::reveal_environ(app, pid, starttime);
            }
            Vec::new()
        }
        Popup::UnitMenu {
            selected,
            items,
            targets,
        } => super::svc_popups::unit_menu(app, code, close, selected, items, targets),
        p @ Popup::Log { .. } => super::svc_popups::log(app, code, close, p),
        Popup::CommandMenu {
            selected,
            items,
            targets,
        } => super::ops_popups::command_menu_key(app, code, close, selected, items, targets),
        Popup::TypedConfirm {
            action,
            want,
            typed,
        } => super::ops_popups::typed_confirm_key(app, code, close, action, want, typed),
        Popup::SignalMenu {
            mut selected,
            targets,
        } => {
            if close || code == KeyCode::Char('q') {
                return Vec::new();
            }
            if let Some(i) = menu_pick(selected, Sig::ALL.len(), code) {
                let action = Action::Signal {
                    targets,
                    sig: Sig::ALL[i],
                };
                return super::propose::propose(app, action);
            }
            menu_move(&mut selected, Sig::ALL.len(), code);
            keep(app, Popup::SignalMenu { selected, targets })
        }
        Popup::UserMenu {
            items,
            mut selected,
        } => {
            if close || code == KeyCode::Char('q') {
                return Vec::new();
            }
            if code == KeyCode::Enter {
                let user = if selected == 0 {
                    String::new()
                } else {
                    items[selected].0.clone()
                };
                return super::run::command(app, Command::FilterUser(Some(user)));
            }
            menu_move(&mut selected, items.len(), code);
            keep(app, Popup::UserMenu { items, selected })
        }
        Popup::Confirm {
            action,
            mut ok_focused,
        } => match code {
            KeyCode::Char('y' | 'Y') => dispatch(app, action),
            KeyCode::Enter if ok_focused => dispatch(app, action),
            KeyCode::Enter | KeyCode::Char('n' | 'N' | 'q') => Vec::new(),
            _ if close => Vec::new(),
            KeyCode::Left
            | KeyCode::Right
            | KeyCode::Tab
            | KeyCode::BackTab
            | KeyCode::Char('h' | 'l') => {
                ok_focused = !ok_focused;
                keep(app, Popup::Confirm { action, ok_focused })
            }
            _ => keep(app, Popup::Confirm { action, ok_focused }),
        },
        Popup::Input {
            kind,
            mut text,
            previous,
            ..
        } => {
            if close {
                if kind == InputKind::Filter {
                    app.set_filter(&previous);
                }
                return Vec::new();
            }
            match code {
                KeyCode::Enter => return submit(app, kind, text, previous),
                KeyCode::Backspace => {
                    text.pop();
                }
                KeyCode::Char('u') if ctrl => text.clear(),
                KeyCode::Char(c) if !ctrl => text.push(c),
                _ => {}
            }
            if kind == InputKind::Filter {
                app.set_filter(&text);
            }
            keep(
                app,
                Popup::Input {
                    kind,
                    text,
                    previous,
                    error: None,
                },
            )
        }
    }
}

pub fn dispatch(app: &mut App, action: Action) -> Vec<Effect> {
    app.busy = Some(format!("{} on {}", action.verb(), action.target_count()));
    app.finished.clear();
    let (id, cancel) = app.data.jobs.start(action.clone());
    // A command's or an exec's output is the point: show it as it streams.
    if matches!(action, Action::Command { .. } | Action::Exec { .. }) {
        app.jobs_view = super::jobs::JobsView {
            selected: app.data.jobs.list.len().saturating_sub(1),
            open: Some(id),
            scroll: 0,
        };
        app.popup = None;
        app.show(super::screen::Screen::Jobs);
    }
    vec![Effect::Dispatch {
        job: super::msg::JobRef { id, cancel },
        action,
    }]
}

fn submit(app: &mut App, kind: InputKind, text: String, previous: String) -> Vec<Effect> {
    let retry = |app: &mut App, text: String, error: String| {
        app.popup = Some(Popup::Input {
            kind,
            text,
            previous: previous.clone(),
            error: Some(error),
        });
        Vec::new()
    };
    match kind {
        InputKind::Filter => Vec::new(),
        InputKind::Exec if text.trim().is_empty() => Vec::new(),
        InputKind::Exec => super::fleet::exec(app, Some(text)),
        InputKind::Nice => match text.trim().parse::<i32>() {
            // The table on screen takes its targets as the value comes back.
            Ok(n) if (-20..=19).contains(&n) => super::run::command(
                app,
                Command::Nice(Some(crate::config::command::NiceArg::Set(n))),
            ),
            _ => retry(app, text, "a nice value is a number from -20 to 19".into()),
        },
        InputKind::Command => {
            if text.trim().is_empty() {
                return Vec::new();
            }
            match Command::parse(&text) {
                Ok(cmd) => super::run::command(app, cmd),
                Err(e) => {
                    app.set_status(Level::Error, format!(":{text}: {e}"));
                    Vec::new()
                }
            }
        }
    }
}
