//! The generic data table every view draws with: a header with the sort column
//! marked, then only the visible rows, each cell clipped to its column, the selected
//! and marked rows styled, and the last (wide) column scrolled sideways. Views supply
//! cells through a closure, so a 10k-row table costs only its visible rows.

use super::layout::{Col, column_spans};
use crate::tui::table_state::Nav;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

pub struct TableSpec<'a> {
    pub columns: &'a [Col],
    pub sorted: Option<usize>,
    pub descending: bool,
    pub len: usize,
    pub offset: usize,
    pub selected: usize,
    pub hscroll: usize,
}

impl<'a> TableSpec<'a> {
    /// The spec of a view's table state over `columns`.
    pub fn of(columns: &'a [Col], nav: &Nav) -> Self {
        Self {
            columns,
            sorted: columns.iter().position(|c| c.key == Some(nav.sort)),
            descending: nav.descending,
            len: nav.rows.len(),
            offset: nav.offset,
            selected: nav.selected,
            hscroll: nav.hscroll,
        }
    }
}

/// What a view returns for one row.
pub struct RowCells<'a> {
    pub cells: Vec<Line<'a>>,
    pub marked: bool,
}

/// Skips `n` characters of a line's spans (sideways scrolling of the last column).
fn skip_chars(line: Line<'_>, mut n: usize) -> Line<'_> {
    if n == 0 {
        return line;
    }
    let mut spans = Vec::with_capacity(line.spans.len());
    for s in line.spans {
        let count = s.content.chars().count();
        if n >= count {
            n -= count;
            continue;
        }
        let rest: String = s.content.chars().skip(n).collect();
        n = 0;
        spans.push(Span::styled(rest, s.style));
    }
    Line::from(spans)
}

pub fn render<'a>(
    buf: &mut Buffer,
    area: Rect,
    theme: &Theme,
    spec: &TableSpec,
    mut row: impl FnMut(usize) -> RowCells<'a>,
) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let spans = column_spans(spec.columns, area.width);
    buf.set_style(Rect::new(area.x, area.y, area.width, 1), theme.table_header);
    for (i, (c, (x, w))) in spec.columns.iter().zip(&spans).enumerate() {
        if *w == 0 {
            continue;
        }
        let sorted = spec.sorted == Some(i);
        let title = if sorted {
            format!("{}{}", c.title, if spec.descending { "▼" } else { "▲" })
        } else {
            c.title.to_string()
        };
        let style = if sorted {
            theme.sorted_column
        } else {
            theme.table_header
        };
        let tw = title.chars().count() as u16;
        let tx = if c.right {
            x + w.saturating_sub(tw)
        } else {
            *x
        };
        buf.set_stringn(area.x + tx, area.y, &title, *w as usize, style);
    }
    let last = spec.columns.len().saturating_sub(1);
    let visible = (area.height - 1) as usize;
    for (line_no, r) in (spec.offset..spec.len).take(visible).enumerate() {
        let y = area.y + 1 + line_no as u16;
        let cells = row(r);
        let base = if r == spec.selected {
            theme.selection
        } else if cells.marked {
            theme.marked
        } else {
            theme.text
        };
        buf.set_style(Rect::new(area.x, y, area.width, 1), base);
        for (i, (mut line, (x, w))) in cells.cells.into_iter().zip(&spans).enumerate() {
            if *w == 0 {
                continue;
            }
            if i == last {
                line = skip_chars(line, spec.hscroll);
            }
            let right = spec.columns.get(i).is_some_and(|c| c.right);
            let lw = line.width() as u16;
            let lx = if right { x + w.saturating_sub(lw) } else { *x };
            // The row's own style wins over cell colours when selected or marked.
            if r == spec.selected || cells.marked {
                for span in &mut line.spans {
                    span.style = span.style.patch(base);
                }
            }
            buf.set_line(area.x + lx, y, &line, *w);
        }
    }
}

/// A plain style shortcut for cells.
pub fn cell<'a>(text: impl Into<std::borrow::Cow<'a, str>>, style: Style) -> Line<'a> {
    Line::from(Span::styled(text, style))
}
