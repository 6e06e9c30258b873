//! Where things go on screen, as pure functions of the terminal size, so the renderer
//! and the mouse handler agree on every rectangle.

use crate::config::SortKey;
use crate::tui::app::App;
use ratatui::layout::Rect;

pub use crate::tui::geometry::{Areas, cpu_grid};

pub fn header_height(w: u16, h: u16, app: &App) -> u16 {
    crate::tui::geometry::header_height(w, h, app.data.snapshot.stats.cpu_per_core.len())
}

pub fn areas(w: u16, h: u16, app: &App) -> Areas {
    crate::tui::geometry::areas(w, h, app.data.snapshot.stats.cpu_per_core.len())
}

/// A column of a table.
pub struct Col {
    pub title: &'static str,
    pub key: Option<SortKey>,
    pub width: u16,
    pub right: bool,
    /// 0: always shown. Otherwise, on a narrow terminal the column with the highest
    /// rank is hidden first.
    pub drop: u8,
}

const fn col(title: &'static str, key: Option<SortKey>, width: u16, right: bool, drop: u8) -> Col {
    Col {
        title,
        key,
        width,
        right,
        drop,
    }
}

pub const PROC_COLUMNS: [Col; 10] = [
    col("", None, 1, false, 0),
    col("PID", Some(SortKey::Pid), 7, true, 0),
    col("USER", Some(SortKey::User), 9, false, 0),
    col("NI", Some(SortKey::Nice), 3, true, 0),
    col("S", Some(SortKey::State), 1, false, 0),
    col("CPU%", Some(SortKey::Cpu), 5, true, 0),
    col("MEM", Some(SortKey::Mem), 6, true, 0),
    col("TIME+", Some(SortKey::Time), 9, true, 1),
    col("START", Some(SortKey::Start), 5, false, 2),
    col("COMMAND", Some(SortKey::Command), 0, false, 0),
];

/// The ports view listing listeners: no REMOTE (it is always `*`).
pub const LISTEN_COLUMNS: [Col; 11] = [
    col("", None, 1, false, 0),
    col("PROTO", Some(SortKey::Proto), 5, false, 0),
    col("LOCAL", Some(SortKey::Local), 22, false, 0),
    col("STATE", Some(SortKey::State), 6, false, 3),
    col("EXPOSURE", Some(SortKey::Exposure), 8, false, 0),
    col("CONNS", Some(SortKey::Conns), 5, true, 2),
    col("PID", Some(SortKey::Pid), 7, true, 0),
    col("USER", Some(SortKey::User), 9, false, 1),
    col("UNIT", Some(SortKey::Unit), 18, false, 4),
    col("SITE", Some(SortKey::Site), 8, false, 5),
    col("PROCESS", Some(SortKey::Command), 0, false, 0),
];

/// The ports view listing every socket.
pub const ALL_SOCKET_COLUMNS: [Col; 12] = [
    col("", None, 1, false, 0),
    col("PROTO", Some(SortKey::Proto), 5, false, 0),
    col("LOCAL", Some(SortKey::Local), 20, false, 0),
    col("REMOTE", Some(SortKey::Remote), 20, false, 0),
    col("STATE", Some(SortKey::State), 11, false, 2),
    col("EXPOSURE", Some(SortKey::Exposure), 8, false, 3),
    col("CONNS", Some(SortKey::Conns), 5, true, 5),
    col("PID", Some(SortKey::Pid), 7, true, 0),
    col("USER", Some(SortKey::User), 9, false, 4),
    col("UNIT", Some(SortKey::Unit), 18, false, 6),
    col("SITE", Some(SortKey::Site), 8, false, 7),
    col("PROCESS", Some(SortKey::Command), 0, false, 0),
];

/// The last (wide) column keeps at least this much before others are hidden.
const MIN_LAST: u16 = 8;

/// x offset and width of each column; the last one fills the rest. Narrow terminals
/// hide columns by their `drop` rank (width 0 means hidden).
pub fn column_spans(cols: &[Col], width: u16) -> Vec<(u16, u16)> {
    let mut fixed: u16 = cols.iter().map(|c| c.width + 1).sum();
    let mut ranked: Vec<(u8, usize)> = cols
        .iter()
        .enumerate()
        .filter(|(_, c)| c.drop > 0)
        .map(|(i, c)| (c.drop, i))
        .collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    let mut hidden = vec![false; cols.len()];
    for (_, i) in ranked {
        if width >= fixed + MIN_LAST {
            break;
        }
        hidden[i] = true;
        fixed -= cols[i].width + 1;
    }
    let mut x = 0u16;
    let mut out = Vec::with_capacity(cols.len());
    for (i, c) in cols.iter().enumerate() {
        let w = if i + 1 == cols.len() {
            width.saturating_sub(x)
        } else if hidden[i] {
            0
        } else {
            c.width.min(width.saturating_sub(x))
        };
        out.push((x, w));
        if w > 0 {
            x = x.saturating_add(w + 1).min(width);
        }
    }
    out
}

/// The sortable column of `cols` under x (for clicks on the header).
pub fn column_at(cols: &[Col], width: u16, x: u16) -> Option<SortKey> {
    column_spans(cols, width)
        .iter()
        .zip(cols.iter())
        .find(|((cx, w), _)| *w > 0 && x >= *cx && x <= cx + w)
        .and_then(|(_, c)| c.key)
}

/// A centered rectangle of at most `w` x `h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
