//! Draws a `Table` on a ratatui buffer, and maps mouse positions back onto it.
//!
//! Layout: a two-cell gutter (`*` on marked rows), then the source's columns laid
//! out by `column::spans` (narrow terminals hide by priority). The header marks the
//! sort column ▲/▼. Only the visible rows are drawn, and only their shown cells are
//! asked of the source, so a 10k-row table costs a screenful. The selected and marked
//! rows take the theme's style over the cells' own colours; the last column carries
//! the tree prefix and scrolls sideways.

use super::column::{self, Column};
use super::{Source, Table};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};

/// The mark column and its gap, left of the source's columns.
const GUTTER: u16 = 2;

/// What a click on the table did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Click<C> {
    /// The header of this column: the table is now sorted on it.
    Header(C),
    /// A row: it is now selected (its position in the view).
    Row(usize),
    Nothing,
}

/// Skips `n` characters of a line's spans (sideways scrolling of the last column).
fn skip_chars(line: Line<'static>, mut n: usize) -> Line<'static> {
    if n == 0 {
        return line;
    }
    let style = line.style;
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
    Line::from(spans).style(style)
}

impl<S: Source> Table<S> {
    /// The source column under `x` cells from the table's left edge, in a table
    /// `width` cells wide.
    pub fn column_at(&self, width: u16, x: u16) -> Option<S::Col> {
        let x = x.checked_sub(GUTTER)?;
        column::column_at(self.source.columns(), width.saturating_sub(GUTTER), x)
    }

    /// What is at (`x`, `y`) of a table drawn in `area`, without changing anything.
    pub fn hit(&self, area: Rect, x: u16, y: u16) -> Click<S::Col> {
        if !area.contains(Position { x, y }) {
            return Click::Nothing;
        }
        if y == area.y {
            return match self.column_at(area.width, x - area.x) {
                Some(c) => Click::Header(c),
                None => Click::Nothing,
            };
        }
        let height = (area.height - 1) as usize;
        let pos = self.state.offset_for(height) + (y - area.y - 1) as usize;
        if pos < self.state.rows.len() {
            Click::Row(pos)
        } else {
            Click::Nothing
        }
    }

    /// A left click at (`x`, `y`) of a table drawn in `area`: a header sorts on its
    /// column (a second click inverts), a row is selected.
    pub fn click(&mut self, ctx: &S::Ctx, area: Rect, x: u16, y: u16) -> Click<S::Col> {
        match self.hit(area, x, y) {
            Click::Header(c) if self.sort_by(ctx, c) => Click::Header(c),
            Click::Row(pos) => {
                // The rows on screen are the ones drawn for this area's height.
                self.state.fit((area.height - 1) as usize);
                self.select(ctx, pos);
                Click::Row(pos)
            }
            _ => Click::Nothing,
        }
    }

    pub fn draw(&self, buf: &mut Buffer, area: Rect, ctx: &S::Ctx, theme: &Theme) {
        let area = area.intersection(buf.area);
        if area.height == 0 || area.width == 0 {
            return;
        }
        let cols = self.source.columns();
        let spans = column::spans(cols, area.width.saturating_sub(GUTTER));
        let x0 = area.x + GUTTER.min(area.width);
        buf.set_style(Rect::new(area.x, area.y, area.width, 1), theme.table_header);
        for (c, &(x, w)) in cols.iter().zip(&spans) {
            if w == 0 {
                continue;
            }
            let sorted = self.sort.col == Some(*c);
            let title = if sorted {
                let arrow = if self.sort.descending { "▼" } else { "▲" };
                format!("{}{arrow}", c.title())
            } else {
                c.title().to_string()
            };
            let style = if sorted {
                theme.sorted_column
            } else {
                theme.table_header
            };
            let tw = (title.chars().count() as u16).min(w);
            let tx = if c.right() { x + w - tw } else { x };
            buf.set_stringn(x0 + tx, area.y, &title, w as usize, style);
        }

        let len = self.source.len(ctx);
        let last = cols.len().saturating_sub(1);
        let height = (area.height - 1) as usize;
        let offset = self.state.offset_for(height);
        let visible = self.state.rows.iter().enumerate().skip(offset).take(height);
        for (line_no, (pos, row)) in visible.enumerate() {
            // Rows older than `ctx` (not rebuilt yet) may point past it.
            if row.idx >= len {
                continue;
            }
            let y = area.y + 1 + line_no as u16;
            let selected = pos == self.state.selected;
            let marked = self.is_marked(ctx, row.idx);
            let base = if selected {
                theme.selection
            } else if marked {
                theme.marked
            } else {
                theme.text
            };
            buf.set_style(Rect::new(area.x, y, area.width, 1), base);
            if marked {
                buf.set_string(area.x, y, "*", theme.marked.patch(base));
            }
            for (i, (c, &(x, w))) in cols.iter().zip(&spans).enumerate() {
                if w == 0 {
                    continue;
                }
                let mut line = self.source.cell(ctx, row.idx, *c, theme);
                if i == last {
                    if row.folded {
                        let fold = Span::styled(format!("{}+", row.prefix), theme.accent);
                        line.spans.insert(0, fold);
                    } else if !row.prefix.is_empty() {
                        line.spans
                            .insert(0, Span::styled(row.prefix.clone(), theme.muted));
                    }
                    line = skip_chars(line, self.state.hscroll);
                }
                // The row's own style wins over cell colours when selected or marked.
                if selected || marked {
                    line.style = line.style.patch(base);
                    for span in &mut line.spans {
                        span.style = span.style.patch(base);
                    }
                }
                let lw = (line.width() as u16).min(w);
                let lx = if c.right() { x + w - lw } else { x };
                buf.set_line(x0 + lx, y, &line, w);
            }
        }
    }
}
