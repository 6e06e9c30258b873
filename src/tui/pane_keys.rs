//! Keys in a pane: what a key press sends to the remote terminal (as xterm would
//! encode it), and qd's own pane keys after the prefix chord.

use super::app::{App, Level};
use super::msg::Effect;
use super::screen::Screen;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The bytes a terminal sends for `k`; `app_cursor`: the remote asked for
/// application cursor keys (`ESC O A` instead of `ESC [ A`).
pub fn encode(k: &KeyEvent, app_cursor: bool) -> Option<Vec<u8>> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let alt = k.modifiers.contains(KeyModifiers::ALT);
    let arrow = |c: u8| {
        if app_cursor {
            vec![0x1b, b'O', c]
        } else {
            vec![0x1b, b'[', c]
        }
    };
    let mut out = match k.code {
        KeyCode::Char(c) if ctrl => match c.to_ascii_lowercase() {
            c @ 'a'..='z' => vec![c as u8 - b'a' + 1],
            ' ' | '@' | '2' => vec![0],
            '[' | '3' => vec![0x1b],
            '\\' | '4' => vec![0x1c],
            ']' | '5' => vec![0x1d],
            '^' | '6' => vec![0x1e],
            '_' | '7' | '/' => vec![0x1f],
            _ => return None,
        },
        KeyCode::Char(c) => c.to_string().into_bytes(),
        KeyCode::Enter => vec![b'\r'],
        KeyCode::Tab => vec![b'\t'],
        KeyCode::BackTab => b"\x1b[Z".to_vec(),
        KeyCode::Backspace => vec![0x7f],
        KeyCode::Esc => vec![0x1b],
        KeyCode::Up => arrow(b'A'),
        KeyCode::Down => arrow(b'B'),
        KeyCode::Right => arrow(b'C'),
        KeyCode::Left => arrow(b'D'),
        KeyCode::Home => arrow(b'H'),
        KeyCode::End => arrow(b'F'),
        KeyCode::Insert => b"\x1b[2~".to_vec(),
        KeyCode::Delete => b"\x1b[3~".to_vec(),
        KeyCode::PageUp => b"\x1b[5~".to_vec(),
        KeyCode::PageDown => b"\x1b[6~".to_vec(),
        KeyCode::F(n @ 1..=4) => vec![0x1b, b'O', b'P' + n - 1],
        KeyCode::F(n) => {
            let code = match n {
                5 => 15,
                6 => 17,
                7 => 18,
                8 => 19,
                9 => 20,
                10 => 21,
                11 => 23,
                12 => 24,
                _ => return None,
            };
            format!("\x1b[{code}~").into_bytes()
        }
        _ => return None,
    };
    if alt {
        out.insert(0, 0x1b);
    }
    Some(out)
}

/// The pane's rows on screen (for paging and the selection).
fn rows(app: &App) -> u16 {
    app.fleet
        .panes
        .focused()
        .and_then(|p| p.shared.screen.lock().ok().map(|s| s.screen().size().0))
        .unwrap_or(24)
}

/// qd's keys in the pane screen, after the prefix.
pub fn command_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let page = rows(app) as usize;
    let p = &mut app.fleet.panes;
    let n = p.list.len();
    let mut fit = false;
    match k.code {
        // The prefix again: send it through, as tmux does.
        KeyCode::Char('\\') | KeyCode::Char('4') if k.modifiers.contains(KeyModifiers::CONTROL) => {
            p.input = true;
            return p
                .focused()
                .map(|x| Effect::PaneInput {
                    id: x.id,
                    bytes: vec![0x1c],
                })
                .into_iter()
                .collect();
        }
        KeyCode::Char('i') | KeyCode::Enter => p.input = true,
        KeyCode::Esc => {
            if let Some(x) = p.list.get_mut(p.active)
                && (x.select.is_some() || x.scroll > 0)
            {
                x.select = None;
                x.scroll = 0;
            } else {
                app.leave();
            }
        }
        KeyCode::Char('H') => app.show(Screen::Hosts),
        KeyCode::Char('n') | KeyCode::Tab => {
            p.active = (p.active + 1) % n;
            fit = true;
        }
        KeyCode::Char('p') | KeyCode::BackTab => {
            p.active = (p.active + n - 1) % n;
            fit = true;
        }
        KeyCode::Char(c @ '1'..='9') => {
            let i = c as usize - '1' as usize;
            if i < n {
                p.active = i;
                fit = true;
            }
        }
        KeyCode::Char('|') => {
            p.visible = p.visible % 4 + 1;
            fit = true;
        }
        KeyCode::Char('b') => {
            p.broadcast = !p.broadcast;
            let m = if p.broadcast {
                "broadcast on: typing goes to every pane on screen"
            } else {
                "broadcast off"
            };
            app.set_status(Level::Info, m);
        }
        KeyCode::Char('x') => {
            if let Some(x) = p.focused() {
                let id = x.id;
                super::panes::remove(app, id);
                let mut out = vec![Effect::ClosePane { id }];
                out.extend(super::panes::fit(app));
                return out;
            }
        }
        KeyCode::Char('k') | KeyCode::Up => scroll(app, 1),
        KeyCode::Char('j') | KeyCode::Down => scroll(app, -1),
        KeyCode::PageUp => scroll(app, page as isize),
        KeyCode::PageDown => scroll(app, -(page as isize)),
        KeyCode::Char('G') | KeyCode::End => scroll(app, isize::MIN / 2),
        KeyCode::Char('/') => {
            p.searching = true;
            if let Some(x) = p.list.get_mut(p.active) {
                x.search = Some(String::new());
            }
        }
        KeyCode::Char('N') => super::panes::find_next(app),
        KeyCode::Char('v') => {
            if let Some(x) = p.list.get_mut(p.active) {
                let last = page.saturating_sub(1) as u16;
                x.select = match x.select {
                    Some(_) => None,
                    None => Some((last, last)),
                };
            }
        }
        KeyCode::Char('y') => return copy(app),
        _ => {}
    }
    if fit {
        return super::panes::fit(app);
    }
    Vec::new()
}

/// Scrolls back (positive) or forward; with a selection, moves its cursor instead.
fn scroll(app: &mut App, by: isize) {
    let page = rows(app);
    let Some(x) = app.fleet.panes.list.get_mut(app.fleet.panes.active) else {
        return;
    };
    if let Some((a, c)) = x.select {
        let c = (c as isize - by.signum()).clamp(0, page.saturating_sub(1) as isize) as u16;
        x.select = Some((a, c));
        return;
    }
    let max = x
        .shared
        .screen
        .lock()
        .map(|mut s| {
            s.screen_mut().set_scrollback(usize::MAX);
            let m = s.screen().scrollback();
            s.screen_mut().set_scrollback(0);
            m
        })
        .unwrap_or(0);
    x.scroll = (x.scroll as isize)
        .saturating_add(by)
        .clamp(0, max as isize) as usize;
}

/// Copies the selected lines (or the visible screen) of the focused pane.
fn copy(app: &mut App) -> Vec<Effect> {
    let Some(x) = app.fleet.panes.list.get_mut(app.fleet.panes.active) else {
        return Vec::new();
    };
    let Ok(mut s) = x.shared.screen.lock() else {
        return Vec::new();
    };
    s.screen_mut().set_scrollback(x.scroll);
    let cols = s.screen().size().1;
    let lines: Vec<String> = s.screen().rows(0, cols).collect();
    s.screen_mut().set_scrollback(0);
    drop(s);
    let (from, to) = match x.select.take() {
        Some((a, c)) => (a.min(c) as usize, a.max(c) as usize),
        None => (0, lines.len().saturating_sub(1)),
    };
    let text: String = lines
        .get(from..=to.min(lines.len().saturating_sub(1)))
        .unwrap_or_default()
        .iter()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n");
    let n = to - from + 1;
    app.fleet.panes.clipboard = text.clone();
    app.set_status(Level::Ok, format!("copied {n} line(s) to the clipboard"));
    vec![Effect::Copy(text)]
}
