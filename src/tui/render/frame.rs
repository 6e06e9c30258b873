//! The frame of every screen but this host's tables: a title line, the screen's body,
//! and a footer with the status (what an action did, why a key was refused) or the
//! screen's hints, whose keys come from the keymap so a rebinding shows.

use crate::model::text::inert;
use crate::tui::app::{App, Level};
use crate::tui::screens::Component;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

pub fn render(buf: &mut Buffer, area: Rect, app: &App, c: &dyn Component) {
    let t = &app.theme;
    buf.set_style(area, t.text);
    let title = inert(&c.title(&app.data), 400).into_owned();
    Line::styled(title, t.header).render(Rect::new(area.x, area.y, area.width, 1), buf);
    c.draw(buf, crate::tui::geometry::body(area), &app.data, t);
    let foot = Rect::new(
        area.x,
        area.y + area.height.saturating_sub(1),
        area.width,
        1,
    );
    // What is being typed (`/`, `:`, an exec's command) shows where it is typed.
    if let Some(line) = super::footer::prompt(app) {
        line.render(foot, buf);
        return;
    }
    let (style, text) = match &app.status {
        Some((Level::Error, m)) => (t.danger, m.clone()),
        Some((Level::Warn, m)) => (t.warn, m.clone()),
        Some((_, m)) => (t.status, m.clone()),
        None => (t.muted, super::footer::hints(app, c)),
    };
    Line::styled(inert(&text, 400).into_owned(), style).render(foot, buf);
}
