//! Where things go on screen, as pure functions of the terminal size, so the renderer
//! and the mouse handler agree on every rectangle.

use crate::tui::app::App;
use ratatui::layout::Rect;

pub use crate::tui::geometry::{Areas, cpu_grid};

pub fn header_height(w: u16, h: u16, app: &App) -> u16 {
    crate::tui::geometry::header_height(w, h, app.data.snapshot.stats.cpu_per_core.len())
}

pub fn areas(w: u16, h: u16, app: &App) -> Areas {
    crate::tui::geometry::areas(w, h, app.data.snapshot.stats.cpu_per_core.len())
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
