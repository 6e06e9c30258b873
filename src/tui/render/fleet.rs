//! The fleet screens: the hosts table and the shell panes drawn
//! cell by cell from their emulators. Every remote character goes through `inert`
//! (control and bidi characters shown as visible escapes), so nothing a remote host
//! prints can reach the real terminal as a sequence.

use crate::model::text::inert;
use crate::ssh::pane::PaneState;
use crate::tui::app::{App, Level};
use crate::tui::panes::{Pane, rects};
use crate::tui::screen::Screen;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};
use std::time::Instant;

/// Below the title line, above the footer line.
pub fn body_area(area: Rect) -> Rect {
    Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(2),
    )
}

pub fn render(buf: &mut Buffer, area: Rect, app: &App) {
    let t = &app.theme;
    buf.set_style(area, t.text);
    let body = body_area(area);
    let title = match app.screen {
        Screen::Hosts => format!(" hosts ({})", app.fleet.hosts.len()),
        Screen::Panes => tab_bar(app),
        _ => String::new(),
    };
    Line::styled(title, t.header).render(Rect::new(area.x, area.y, area.width, 1), buf);
    match app.screen {
        Screen::Hosts => hosts(buf, body, app),
        Screen::Panes => panes(buf, body, app),
        _ => {}
    }
    let foot = Rect::new(
        area.x,
        area.y + area.height.saturating_sub(1),
        area.width,
        1,
    );
    let (style, text) = match &app.status {
        Some((Level::Error, m)) => (t.danger, m.clone()),
        Some((Level::Warn, m)) => (t.warn, m.clone()),
        Some((_, m)) => (t.status, m.clone()),
        None => (t.muted, hints(app).into()),
    };
    Line::styled(inert(&text, 400).into_owned(), style).render(foot, buf);
}

fn hints(app: &App) -> &'static str {
    match app.screen {
        Screen::Hosts => "Enter/s shell  Space mark  x exec  p panes  J jobs  Esc back",
        Screen::Panes if app.fleet.panes.input => "ctrl-\\ qd keys",
        Screen::Panes => {
            "i type  n/p tab  | split  b broadcast  k/j scroll  / search  v select  y copy  x close  H hosts  Esc back"
        }
        _ => "",
    }
}

fn tab_bar(app: &App) -> String {
    let p = &app.fleet.panes;
    let mut s: Vec<String> = p
        .list
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let mark = if i == p.active { "*" } else { "" };
            format!("{}:{}{mark}", i + 1, x.host.name)
        })
        .collect();
    if p.broadcast {
        s.push("[BROADCAST]".into());
    }
    if !p.input {
        s.push("[qd keys]".into());
    }
    format!(" {}", s.join("  "))
}

fn row(buf: &mut Buffer, area: Rect, y: u16, cells: &[(String, u16)], style: Style) {
    let mut x = area.x;
    for (text, w) in cells {
        if x >= area.x + area.width {
            break;
        }
        let w = (*w).min(area.x + area.width - x);
        buf.set_stringn(x, y, inert(text, 400), w as usize, style);
        x += w + 1;
    }
}

fn hosts(buf: &mut Buffer, area: Rect, app: &App) {
    let t = &app.theme;
    let f = &app.fleet;
    if area.height == 0 {
        return;
    }
    // The fixed columns and the seven gaps between the eight columns.
    let rest = area
        .width
        .saturating_sub(16 + 22 + 10 + 12 + 8 + 8 + 9 + 9 + 7);
    let widths = [16u16, 22, 10, 12, 8 + rest, 8, 9, 9];
    let head = [
        "NAME", "ADDRESS", "USER", "TAGS", "STATE", "LATENCY", "CHANNELS", "UPTIME",
    ];
    let cells: Vec<(String, u16)> = head.iter().map(|h| h.to_string()).zip(widths).collect();
    row(buf, area, area.y, &cells, t.table_header);
    if f.hosts.is_empty() {
        let msg = "no hosts: add [[host]] entries to the config, or Host entries to ~/.ssh/config";
        buf.set_stringn(area.x, area.y + 1, msg, area.width as usize, t.muted);
        return;
    }
    let now = Instant::now();
    let visible = area.height.saturating_sub(1) as usize;
    let start = f.selected.saturating_sub(visible.saturating_sub(1));
    for (i, h) in f.hosts.iter().enumerate().skip(start).take(visible) {
        let st = f.status.get(i).cloned().flatten();
        let state = st
            .as_ref()
            .map(|s| s.state_text(now))
            .unwrap_or_else(|| "idle".into());
        let state = match &h.note {
            Some(n) if state == "idle" => format!("idle ({n})"),
            _ => state,
        };
        let cells = vec![
            (
                format!("{}{}", if f.marks.contains(&i) { "+" } else { " " }, h.name),
                widths[0],
            ),
            (format!("{}:{}", h.address, h.port), widths[1]),
            (h.user.clone(), widths[2]),
            (h.tags.join(","), widths[3]),
            (state.clone(), widths[4]),
            (
                st.as_ref()
                    .and_then(|s| s.latency)
                    .map(|l| format!("{:.1}ms", l.as_secs_f64() * 1000.0))
                    .unwrap_or_else(|| "-".into()),
                widths[5],
            ),
            (
                st.as_ref()
                    .map(|s| s.channels.to_string())
                    .unwrap_or_else(|| "0".into()),
                widths[6],
            ),
            (
                st.as_ref()
                    .and_then(|s| s.connected_at)
                    .map(|c| crate::model::format::duration_short(now - c))
                    .unwrap_or_else(|| "-".into()),
                widths[7],
            ),
        ];
        let mut style = if state.starts_with("failed") {
            t.danger
        } else if state == "connected" {
            t.ok
        } else {
            t.text
        };
        if f.marks.contains(&i) {
            style = style.patch(t.marked);
        }
        if i == f.selected {
            style = style.patch(t.selection);
        }
        let y = area.y + 1 + (i - start) as u16;
        buf.set_style(Rect::new(area.x, y, area.width, 1), style);
        row(buf, area, y, &cells, style);
    }
}

fn panes(buf: &mut Buffer, area: Rect, app: &App) {
    let p = &app.fleet.panes;
    let shown = p.shown();
    for (r, i) in rects(area, shown.len()).into_iter().zip(shown) {
        if let Some(pane) = p.list.get(i) {
            pane_box(buf, r, app, pane, i == p.active);
        }
    }
}

fn pane_box(buf: &mut Buffer, area: Rect, app: &App, pane: &Pane, focused: bool) {
    let t = &app.theme;
    let now = Instant::now();
    let (state, style) = match pane.shared.state() {
        PaneState::Connecting => ("connecting".to_string(), t.muted),
        PaneState::Open => ("connected".to_string(), t.ok),
        PaneState::Lost { why, retry_at } => (
            format!(
                "{}; reconnecting in {}s",
                why,
                retry_at.saturating_duration_since(now).as_secs_f32().ceil() as u64
            ),
            t.danger,
        ),
        PaneState::Exited(s) => (format!("exited ({s}); x closes"), t.warn),
        PaneState::Closed => ("closed".to_string(), t.muted),
    };
    let scroll = if pane.scroll > 0 {
        format!(" [-{}]", pane.scroll)
    } else {
        String::new()
    };
    let title = format!(
        " {} — {}{scroll} ",
        inert(&pane.host.name, 64),
        inert(&state, 200)
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { t.accent } else { t.border })
        .title(Span::styled(title, style));
    let inner = block.inner(area);
    block.render(area, buf);
    screen(buf, inner, pane);
}

fn color(c: vt100::Color) -> Option<Color> {
    match c {
        vt100::Color::Default => None,
        vt100::Color::Idx(i) => Some(Color::Indexed(i)),
        vt100::Color::Rgb(r, g, b) => Some(Color::Rgb(r, g, b)),
    }
}

/// The emulator's cells, made inert one by one.
fn screen(buf: &mut Buffer, area: Rect, pane: &Pane) {
    // Drawn: the session may tell the loop again on its next output.
    pane.shared
        .dirty
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let Ok(mut parser) = pane.shared.screen.lock() else {
        return;
    };
    parser.screen_mut().set_scrollback(pane.scroll);
    let s = parser.screen();
    let (rows, cols) = s.size();
    for r in 0..rows.min(area.height) {
        let selected = pane
            .select
            .is_some_and(|(a, c)| (a.min(c)..=a.max(c)).contains(&r));
        for c in 0..cols.min(area.width) {
            let Some(cell) = s.cell(r, c) else { continue };
            if cell.is_wide_continuation() {
                continue;
            }
            let mut st = Style::default();
            if let Some(fg) = color(cell.fgcolor()) {
                st = st.fg(fg);
            }
            if let Some(bg) = color(cell.bgcolor()) {
                st = st.bg(bg);
            }
            for (on, m) in [
                (cell.bold(), Modifier::BOLD),
                (cell.italic(), Modifier::ITALIC),
                (cell.underline(), Modifier::UNDERLINED),
                (cell.inverse() != selected, Modifier::REVERSED),
            ] {
                if on {
                    st = st.add_modifier(m);
                }
            }
            let text = cell.contents();
            let sym = if text.is_empty() {
                " ".into()
            } else {
                inert(text, 4)
            };
            // An escaped symbol is wider than its cell: show a placeholder instead.
            let sym = if !text.is_empty() && sym.len() > text.len() {
                "?".into()
            } else {
                sym
            };
            if let Some(cell_out) = buf.cell_mut((area.x + c, area.y + r)) {
                cell_out.set_symbol(&sym).set_style(st);
            }
        }
    }
    if pane.scroll == 0 && !s.hide_cursor() {
        let (cr, cc) = s.cursor_position();
        if let Some(cell_out) = buf.cell_mut((area.x + cc, area.y + cr))
            && cr < area.height
            && cc < area.width
        {
            cell_out.set_style(Style::default().add_modifier(Modifier::REVERSED));
        }
    }
    parser.screen_mut().set_scrollback(0);
}
