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
    let (_, lines) = cpu_grid(w, app.snapshot.stats.cpu_per_core.len());
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

/// A column of the process table.
pub struct Col {
    pub title: &'static str,
    pub key: Option<SortKey>,
    pub width: u16,
    pub right: bool,
}

const fn col(title: &'static str, key: Option<SortKey>, width: u16, right: bool) -> Col {
    Col {
        title,
        key,
        width,
        right,
    }
}

pub const PROC_COLUMNS: [Col; 10] = [
    col("", None, 1, false),
    col("PID", Some(SortKey::Pid), 7, true),
    col("USER", Some(SortKey::User), 9, false),
    col("NI", Some(SortKey::Nice), 3, true),
    col("S", Some(SortKey::State), 1, false),
    col("CPU%", Some(SortKey::Cpu), 5, true),
    col("MEM", Some(SortKey::Mem), 6, true),
    col("TIME+", Some(SortKey::Time), 9, true),
    col("START", Some(SortKey::Start), 5, false),
    col("COMMAND", Some(SortKey::Command), 0, false),
];

/// x offset and width of each column; the last one fills the rest. Narrow terminals
/// drop START and TIME+ first (width 0 means hidden).
pub fn column_spans(cols: &[Col], width: u16) -> Vec<(u16, u16)> {
    let fixed: u16 = cols.iter().map(|c| c.width + 1).sum();
    let drop_optional = width < fixed + 12;
    let mut x = 0u16;
    let mut out = Vec::with_capacity(cols.len());
    for (i, c) in cols.iter().enumerate() {
        let hidden = drop_optional && matches!(c.title, "START" | "TIME+");
        let w = if i + 1 == cols.len() {
            width.saturating_sub(x)
        } else if hidden {
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

/// The sortable column under x (for clicks on the header).
pub fn column_at(width: u16, x: u16) -> Option<SortKey> {
    column_spans(&PROC_COLUMNS, width)
        .iter()
        .zip(PROC_COLUMNS.iter())
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
