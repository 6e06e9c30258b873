//! Where things go on screen, as pure functions of the terminal size, so the renderer
//! and the mouse handler agree on every rectangle.

use crate::config::SortKey;
use crate::tui::app::App;
use ratatui::layout::Rect;

pub struct Areas {
    pub header: Rect,
    pub table: Rect,
    pub footer: Rect,
}

/// How many columns of CPU bars fit, and how many lines they take.
pub fn cpu_grid(width: u16, cores: usize) -> (usize, usize) {
    let cols = ((width as usize * 2 / 3) / 22).clamp(1, 8);
    let lines = cores.div_ceil(cols).max(1);
    (cols, lines)
}

pub fn header_height(w: u16, h: u16, app: &App) -> u16 {
    if h < 16 {
        return 2;
    }
    let (_, lines) = cpu_grid(w, app.data.snapshot.stats.cpu_per_core.len());
    // Title line, then bars: at least 3 (mem, swap, cpu history), at most 8.
    1 + lines.clamp(3, 8) as u16
}

pub fn areas(w: u16, h: u16, app: &App) -> Areas {
    let hh = header_height(w, h, app).min(h);
    let footer_h = u16::from(h > hh);
    let table_h = h.saturating_sub(hh + footer_h);
    Areas {
        header: Rect::new(0, 0, w, hh),
        table: Rect::new(0, hh, w, table_h),
        footer: Rect::new(0, hh + table_h, w, footer_h),
    }
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

/// The services view.
pub const SVC_COLUMNS: [Col; 15] = [
    col("", None, 1, false, 0),
    col("SITE", Some(SortKey::Site), 8, false, 0),
    col("SERVICE", Some(SortKey::Service), 10, false, 0),
    col("LOAD", None, 9, false, 6),
    col("ACTIVE", Some(SortKey::State), 10, false, 0),
    col("SUB", None, 12, false, 3),
    col("MAIN PID", Some(SortKey::Pid), 8, true, 0),
    col("MEM", Some(SortKey::Mem), 6, true, 2),
    col("CPU%", Some(SortKey::Cpu), 5, true, 2),
    col("PROCS", None, 5, true, 7),
    col("RESTARTS", Some(SortKey::Restarts), 8, true, 5),
    col("SINCE", Some(SortKey::Start), 6, false, 4),
    col("PORT", Some(SortKey::Local), 7, false, 1),
    col("HEALTH", Some(SortKey::Health), 14, false, 1),
    col("UNIT", Some(SortKey::Unit), 0, false, 0),
];

/// The sites view.
pub const SITE_COLUMNS: [Col; 10] = [
    col("", None, 1, false, 0),
    col("SITE", Some(SortKey::Site), 12, false, 0),
    col("USER", Some(SortKey::User), 12, false, 2),
    col("UP", Some(SortKey::State), 7, true, 0),
    col("FAILED", None, 6, true, 0),
    col("PROCS", None, 5, true, 3),
    col("CPU%", Some(SortKey::Cpu), 6, true, 0),
    col("MEM", Some(SortKey::Mem), 7, true, 0),
    col("PORTS", None, 5, true, 1),
    col("HEALTH", Some(SortKey::Health), 0, false, 0),
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
