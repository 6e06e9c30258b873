//! The popups that show text: help, an action's results, an error, a process's
//! detail (`v` reveals a masked environment through the recorded reveal), and a unit's
//! or a site's log (following the end; `/` keeps only the lines containing a text).
//! Moving keys are the global ones (j/k, arrows, PgUp/PgDn, g/G); the log's own keys
//! come from `[log]`.

use super::{Ctx, Outcome, close, is_close, keep};
use crate::config::{Command, Section};
use crate::tui::msg::{Act, Effect};
use crate::tui::popup::Popup;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

/// Lines a log pane keeps; older ones are dropped.
pub const LOG_LINES: usize = 5000;

/// A moving command of `k`: the section's own binding, else a global moving key.
fn moving(k: &KeyEvent, cx: &Ctx, section: Section) -> Option<Command> {
    let own = cx.keymap.own(section, k);
    let cmd = own.or_else(|| cx.keymap.own(Section::Global, k))?;
    matches!(
        cmd,
        Command::Up
            | Command::Down
            | Command::PageUp
            | Command::PageDown
            | Command::Top
            | Command::Bottom
    )
    .then_some(cmd)
}

/// Scrolls a text popup (top = 0).
fn scroll(pos: &mut usize, cmd: &Command) {
    match cmd {
        Command::Down => *pos += 1,
        Command::Up => *pos = pos.saturating_sub(1),
        Command::PageDown => *pos += 10,
        Command::PageUp => *pos = pos.saturating_sub(10),
        Command::Top => *pos = 0,
        Command::Bottom => *pos = usize::MAX / 2,
        _ => {}
    }
}

pub fn on_key(p: Popup, k: &KeyEvent, cx: &Ctx) -> Outcome {
    let done = is_close(k) || matches!(k.code, KeyCode::Char('q') | KeyCode::Enter);
    match p {
        Popup::Help { scroll: mut pos } => {
            if done || matches!(k.code, KeyCode::Char('?') | KeyCode::F(1)) {
                return close(Vec::new());
            }
            if k.code == KeyCode::Char(' ') {
                pos += 10;
            } else if let Some(c) = moving(k, cx, Section::Global) {
                scroll(&mut pos, &c);
            }
            keep(Popup::Help { scroll: pos })
        }
        Popup::Results {
            report,
            scroll: mut pos,
        } => {
            if done {
                return close(Vec::new());
            }
            if let Some(c) = moving(k, cx, Section::Global) {
                scroll(&mut pos, &c);
            }
            keep(Popup::Results {
                report,
                scroll: pos,
            })
        }
        p @ Popup::Error { .. } if done => {
            let _ = p;
            close(Vec::new())
        }
        Popup::Detail {
            pid,
            starttime,
            data,
            scroll: mut pos,
            revealed,
        } => {
            if done {
                return close(Vec::new());
            }
            let masked = data
                .as_deref()
                .is_some_and(|d| d.as_ref().is_ok_and(|d| d.environ_masked));
            let reveal = k.code == KeyCode::Char('v') && masked && revealed.is_none();
            if let Some(c) = moving(k, cx, Section::Global) {
                scroll(&mut pos, &c);
            }
            let acts = if reveal {
                vec![Act::Reveal { pid, starttime }]
            } else {
                Vec::new()
            };
            (
                Some(Popup::Detail {
                    pid,
                    starttime,
                    data,
                    scroll: pos,
                    revealed,
                }),
                acts,
            )
        }
        p @ Popup::Log { .. } => log(p, k, cx),
        other => keep(other),
    }
}

fn log(mut p: Popup, k: &KeyEvent, cx: &Ctx) -> Outcome {
    let Popup::Log {
        scroll,
        search,
        searching,
        lines,
        ..
    } = &mut p
    else {
        return keep(p);
    };
    if *searching {
        match k.code {
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
        return keep(p);
    }
    let max = lines.len();
    let cmd = cx
        .keymap
        .own(Section::Log, k)
        .or_else(|| moving(k, cx, Section::Log));
    if is_close(k) || cmd == Some(Command::Back) {
        return close(vec![Act::Effect(Effect::CloseLog)]);
    }
    // The log scrolls from the bottom: 0 follows the end.
    match cmd {
        Some(Command::LogSearch) => {
            *searching = true;
            search.clear();
        }
        Some(Command::Up) => *scroll = (*scroll + 1).min(max),
        Some(Command::Down) => *scroll = scroll.saturating_sub(1),
        Some(Command::PageUp) => *scroll = (*scroll + 20).min(max),
        Some(Command::PageDown) => *scroll = scroll.saturating_sub(20),
        Some(Command::Top) => *scroll = max,
        Some(Command::Bottom | Command::Follow) => *scroll = 0,
        _ => {}
    }
    keep(p)
}

/// New lines for the open log pane; a pane scrolled up stays on the same lines.
pub fn add_lines(p: &mut Popup, new: Vec<String>) {
    if let Popup::Log { lines, scroll, .. } = p {
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
