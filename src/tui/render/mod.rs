//! Drawing: a pure function of the App. Only visible rows are built; popups draw
//! over the table.

pub mod detail;
pub mod dialogs;
pub mod fleet;
pub mod footer;
pub mod header;
pub mod help;
pub mod layout;
pub mod ops;
pub mod ports;
pub mod procs;
pub mod services;
pub mod table;

use super::app::{App, Popup};
use super::view::Mode;
use ratatui::Frame;

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if app.fleet.screen.is_some() {
        fleet::render(f.buffer_mut(), area, app);
        match &app.popup {
            Some(Popup::Help { scroll }) => help::render(f, app, *scroll),
            _ => dialogs::render(f, app),
        }
        return;
    }
    let a = layout::areas(area.width, area.height, app);
    header::render(f.buffer_mut(), a.header, app);
    match app.mode {
        Mode::Procs => procs::render(f.buffer_mut(), a.table, app),
        Mode::Ports => ports::render(f.buffer_mut(), a.table, app),
        Mode::Services => services::render_services(f.buffer_mut(), a.table, app),
        Mode::Sites => services::render_sites(f.buffer_mut(), a.table, app),
    }
    footer::render(f.buffer_mut(), a.footer, app);
    match &app.popup {
        Some(Popup::Help { scroll }) => help::render(f, app, *scroll),
        Some(Popup::Detail {
            pid,
            data,
            scroll,
            revealed,
            ..
        }) => detail::render(f, app, data.as_deref(), *pid, *scroll, revealed.as_deref()),
        Some(Popup::UnitMenu { .. } | Popup::Log { .. }) => services::render_popup(f, app),
        _ => dialogs::render(f, app),
    }
}
