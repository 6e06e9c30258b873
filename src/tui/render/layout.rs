//! Where things go on screen, as pure functions of the terminal size, so the renderer
//! and the mouse handler agree on every rectangle.

use crate::tui::app::App;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Clear};

pub use crate::tui::geometry::Areas;

/// This host's tables' areas for the snapshot's number of CPU bars.
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

/// A centered dialog box of at most `w` x `h` with its title (red when `danger`),
/// drawn over what is there; returns its inside.
pub(super) fn frame_box(
    f: &mut Frame,
    th: &Theme,
    w: u16,
    h: u16,
    title: &str,
    danger: bool,
) -> Rect {
    let area = centered(f.area(), w, h);
    f.render_widget(Clear, area);
    let border = if danger { th.danger } else { th.border };
    let block = Block::bordered()
        .title(Span::styled(
            format!(" {title} "),
            if danger { th.danger } else { th.accent },
        ))
        .border_style(border)
        .style(th.dialog);
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}
