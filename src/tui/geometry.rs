//! Where things go on screen, as pure functions of the terminal size (and of the
//! number of CPU bars the host header draws), so the renderer, the mouse and the
//! paging of tables agree on every rectangle without App importing the renderer.

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

/// The host header's height: a title line, then the bars and the two device lines
/// (networks; disks and temperature) under them, 3 to 8 lines.
pub fn header_height(w: u16, h: u16, cores: usize) -> u16 {
    if h < 16 {
        return 2;
    }
    let (_, lines) = cpu_grid(w, cores);
    1 + (lines + 2).clamp(3, 8) as u16
}

/// This host's tables: the header, the table, the footer line.
pub fn areas(w: u16, h: u16, cores: usize) -> Areas {
    let hh = header_height(w, h, cores).min(h);
    let footer_h = u16::from(h > hh);
    let table_h = h.saturating_sub(hh + footer_h);
    Areas {
        header: Rect::new(0, 0, w, hh),
        table: Rect::new(0, hh, w, table_h),
        footer: Rect::new(0, hh + table_h, w, footer_h),
    }
}

/// The other screens: below the title line, above the footer line.
pub fn body(area: Rect) -> Rect {
    Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(2),
    )
}
