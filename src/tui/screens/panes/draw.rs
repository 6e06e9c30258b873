//! Drawing the panes: the tab bar (the title line), each shown pane in a box with
//! its host and connection state, and the emulator's cells. Every remote character
//! goes through `inert` (control and bidi characters shown as visible escapes), so
//! nothing a remote host prints reaches the real terminal as a sequence.

use super::{DEFAULT_PREFIX, Pane, Panes};
use crate::model::text::inert;
use crate::ssh::pane::PaneState;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Widget};
use std::time::Instant;

/// Where each shown pane goes in `area`: one full, two side by side, three in
/// columns, four in a 2x2 grid.
pub fn rects(area: Rect, n: usize) -> Vec<Rect> {
    use ratatui::layout::{Constraint, Direction, Layout};
    let split = |a: Rect, dir: Direction, k: usize| -> Vec<Rect> {
        Layout::default()
            .direction(dir)
            .constraints(vec![Constraint::Ratio(1, k as u32); k])
            .split(a)
            .to_vec()
    };
    match n {
        0 => Vec::new(),
        4 => split(area, Direction::Vertical, 2)
            .into_iter()
            .flat_map(|r| split(r, Direction::Horizontal, 2))
            .collect(),
        k => split(area, Direction::Horizontal, k),
    }
}

/// `1:web1*  2:web2  [BROADCAST]`, then how to reach qd's keys (typing) or that
/// they are on.
pub fn tab_bar(p: &Panes) -> String {
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
    if p.input {
        s.push(format!("[{}: qd keys]", p.prefix.unwrap_or(DEFAULT_PREFIX)));
    } else {
        s.push("[qd keys]".into());
    }
    format!(" {}", s.join("  "))
}

pub fn panes(buf: &mut Buffer, area: Rect, p: &Panes, t: &Theme) {
    let shown = p.shown();
    for (r, i) in rects(area, shown.len()).into_iter().zip(shown) {
        if let Some(pane) = p.list.get(i) {
            pane_box(buf, r, t, pane, i == p.active);
        }
    }
}

fn pane_box(buf: &mut Buffer, area: Rect, t: &Theme, pane: &Pane, focused: bool) {
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
