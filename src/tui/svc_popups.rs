//! Keys of the services popups: the unit action menu (and its signal choice) and the
//! log pane (scroll, follow, `/` search).

use super::app::{App, Popup};
use super::msg::Effect;
use crate::actions::{Action, Sig, UnitTarget};
use crate::systemd::jobs::UnitOp;
use ratatui::crossterm::event::KeyCode;

/// Lines a log pane keeps; older ones are dropped.
pub const LOG_LINES: usize = 5000;

pub fn unit_menu(
    app: &mut App,
    code: KeyCode,
    close: bool,
    mut selected: usize,
    items: Vec<UnitOp>,
    targets: Vec<UnitTarget>,
) -> Vec<Effect> {
    if close || code == KeyCode::Char('q') {
        return Vec::new();
    }
    if let Some(i) = super::popups::menu_pick(selected, items.len(), code) {
        let op = items[i];
        return match op {
            // The first menu's `kill …` opens the choice of signal.
            UnitOp::Kill(0, _) => {
                app.popup = Some(Popup::UnitMenu {
                    selected: 0,
                    items: Sig::ALL
                        .iter()
                        .map(|s| crate::actions::units::kill_op(*s))
                        .collect(),
                    targets,
                });
                Vec::new()
            }
            op => super::propose::propose(app, Action::Unit { op, targets }),
        };
    }
    super::popups::menu_move(&mut selected, items.len(), code);
    app.popup = Some(Popup::UnitMenu {
        selected,
        items,
        targets,
    });
    Vec::new()
}

/// Keys in the log pane. Returns the effects (closing stops the follower).
pub fn log(app: &mut App, code: KeyCode, close: bool, mut p: Popup) -> Vec<Effect> {
    let Popup::Log {
        scroll,
        search,
        searching,
        lines,
        ..
    } = &mut p
    else {
        return Vec::new();
    };
    if *searching {
        match code {
            KeyCode::Enter => *searching = false,
            KeyCode::Esc => {
                search.clear();
                *searching = false;
            }
            KeyCode::Backspace => {
                search.pop();
            }
            KeyCode::Char(c) => search.push(c),
            _ => {}
        }
        app.popup = Some(p);
        return Vec::new();
    }
    if close || code == KeyCode::Char('q') {
        return vec![Effect::CloseLog];
    }
    let max = lines.len();
    match code {
        KeyCode::Char('/') => {
            *searching = true;
            search.clear();
        }
        KeyCode::Up | KeyCode::Char('k') => *scroll = (*scroll + 1).min(max),
        KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_sub(1),
        KeyCode::PageUp => *scroll = (*scroll + 20).min(max),
        KeyCode::PageDown => *scroll = scroll.saturating_sub(20),
        KeyCode::Home | KeyCode::Char('g') => *scroll = max,
        // End / G / F: back to following the end.
        KeyCode::End | KeyCode::Char('G' | 'F') => *scroll = 0,
        _ => {}
    }
    app.popup = Some(p);
    Vec::new()
}

/// New lines for the open log pane; a pane scrolled up stays on the same lines.
pub fn add_lines(app: &mut App, new: Vec<String>) {
    if let Some(Popup::Log { lines, scroll, .. }) = &mut app.popup {
        let n = new.len();
        for l in new {
            if lines.len() == LOG_LINES {
                lines.pop_front();
            }
            lines.push_back(l);
        }
        if *scroll > 0 {
            *scroll = (*scroll + n).min(lines.len());
        }
    }
}
