//! The object-safe face of every table over the App's `Data`: what the generic
//! commands (moves, marks, sort, filter, export), the mouse and the footer need,
//! without knowing the row type. A screen hands out `&mut dyn TableOps` for its table.

use super::{Column, Export, Source, Table};
use crate::tui::data::Data;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

pub trait TableOps {
    /// The table's name (export file, JSON array).
    fn name(&self) -> &'static str;
    fn rebuild(&mut self, data: &Data);
    fn move_by(&mut self, data: &Data, delta: isize);
    fn page(&mut self, data: &Data, pages: isize);
    fn top(&mut self, data: &Data);
    fn bottom(&mut self, data: &Data);
    fn scroll_sideways(&mut self, delta: isize);
    fn toggle_mark(&mut self, data: &Data);
    fn mark_range(&mut self, data: &Data);
    fn clear_marks(&mut self);
    fn marked(&self) -> usize;
    /// Rows shown / items in the source.
    fn counts(&self, data: &Data) -> (usize, usize);
    /// `:sort NAME`: `Err` lists this table's sortable columns.
    fn sort_named(&mut self, data: &Data, name: &str) -> Result<(), String>;
    fn sort_step(&mut self, data: &Data, step: isize);
    fn invert(&mut self, data: &Data);
    /// The sort column's name and direction (`None`: the source's order).
    fn sorted(&self) -> Option<(&'static str, bool)>;
    fn filter(&self) -> &str;
    fn set_filter(&mut self, data: &Data, text: &str);
    fn follow(&mut self) -> &mut bool;
    /// Whether the selection is followed (the footer says so).
    fn following(&self) -> bool;
    fn fit(&mut self, height: usize);
    fn export(&self, data: &Data, marked_only: bool) -> Export;
    /// A left click in a table drawn in `area`: sorts on a header, selects a row.
    fn click(&mut self, data: &Data, area: Rect, x: u16, y: u16);
    fn draw(&self, buf: &mut Buffer, area: Rect, data: &Data, theme: &Theme);
}

impl<S: Source<Ctx = Data>> TableOps for Table<S> {
    fn name(&self) -> &'static str {
        S::NAME
    }
    fn rebuild(&mut self, data: &Data) {
        Table::rebuild(self, data)
    }
    fn move_by(&mut self, data: &Data, delta: isize) {
        Table::move_by(self, data, delta)
    }
    fn page(&mut self, data: &Data, pages: isize) {
        let h = self.state.height.max(1) as isize;
        Table::move_by(self, data, pages * h)
    }
    fn top(&mut self, data: &Data) {
        Table::top(self, data)
    }
    fn bottom(&mut self, data: &Data) {
        Table::bottom(self, data)
    }
    fn scroll_sideways(&mut self, delta: isize) {
        self.state.scroll_sideways(delta)
    }
    fn toggle_mark(&mut self, data: &Data) {
        Table::toggle_mark(self, data)
    }
    fn mark_range(&mut self, data: &Data) {
        Table::mark_range(self, data)
    }
    fn clear_marks(&mut self) {
        Table::clear_marks(self)
    }
    fn marked(&self) -> usize {
        Table::marked(self)
    }
    fn counts(&self, data: &Data) -> (usize, usize) {
        (self.state.rows.len(), self.source.len(data))
    }
    fn sort_named(&mut self, data: &Data, name: &str) -> Result<(), String> {
        let cols = self.source.columns();
        // Among the columns shown: a source may show one field as different columns.
        let want = name.trim().to_lowercase();
        let named = |c: &&S::Col| c.name() == want || c.aliases().contains(&want.as_str());
        match cols.iter().find(named).copied().filter(|c| c.sortable()) {
            Some(c) => {
                Table::sort_by(self, data, c);
                Ok(())
            }
            None => {
                let names: Vec<&str> = cols
                    .iter()
                    .filter(|c| c.sortable())
                    .map(|c| c.name())
                    .collect();
                Err(format!(
                    "the {} table has no column `{name}`: sort by {}",
                    S::NAME,
                    names.join(", ")
                ))
            }
        }
    }
    fn sort_step(&mut self, data: &Data, step: isize) {
        Table::sort_step(self, data, step)
    }
    fn invert(&mut self, data: &Data) {
        Table::invert(self, data)
    }
    fn sorted(&self) -> Option<(&'static str, bool)> {
        let s = self.sort();
        s.col.map(|c| (c.name(), s.descending))
    }
    fn filter(&self) -> &str {
        Table::filter(self)
    }
    fn set_filter(&mut self, data: &Data, text: &str) {
        Table::set_filter(self, data, text)
    }
    fn follow(&mut self) -> &mut bool {
        &mut self.state.follow
    }
    fn following(&self) -> bool {
        self.state.follow
    }
    fn fit(&mut self, height: usize) {
        Table::fit(self, height)
    }
    fn export(&self, data: &Data, marked_only: bool) -> Export {
        Table::export(self, data, marked_only)
    }
    fn click(&mut self, data: &Data, area: Rect, x: u16, y: u16) {
        Table::click(self, data, area, x, y);
    }
    fn draw(&self, buf: &mut Buffer, area: Rect, data: &Data, theme: &Theme) {
        Table::draw(self, buf, area, data, theme)
    }
}
