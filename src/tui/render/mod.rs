//! Drawing: a pure function of the App. Only visible rows are built; popups draw
//! over the table.

pub mod detail;
pub mod dialogs;
pub mod fleet;
pub mod footer;
pub mod frame;
pub mod header;
pub mod help;
pub mod layout;
pub mod ops;
pub mod services;
pub mod table;

use super::app::{App, Popup};
use super::screen::{Layer, Screen};
use super::screens;
use ratatui::Frame;

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if let Some(c) = app.screens.get(app.screen) {
        if app.screen.is_host_table() {
            host_table(f, app, c);
        } else {
            frame::render(f.buffer_mut(), area, app, c);
        }
    } else {
        draw_older(f, app);
    }
    if app.layer() == Layer::Popup {
        popups(f, app);
    }
}

/// One of this host's tables: the host header, the screen's table, the footer.
fn host_table(f: &mut Frame, app: &App, c: &dyn screens::Component) {
    let a = layout::areas(f.area().width, f.area().height, app);
    header::render(f.buffer_mut(), a.header, app);
    c.draw(f.buffer_mut(), a.table, &app.data, &app.theme);
    footer::render(f.buffer_mut(), a.footer, app);
}

/// The screens not yet converted to a `Component`.
fn draw_older(f: &mut Frame, app: &App) {
    let area = f.area();
    match app.screen {
        Screen::Hosts | Screen::Panes => fleet::render(f.buffer_mut(), area, app),
        Screen::Jobs | Screen::Audit => ops::screen(f, app),
        table => {
            let a = layout::areas(area.width, area.height, app);
            header::render(f.buffer_mut(), a.header, app);
            match table {
                Screen::Services => services::render_services(f.buffer_mut(), a.table, app),
                _ => services::render_sites(f.buffer_mut(), a.table, app),
            }
            footer::render(f.buffer_mut(), a.footer, app);
        }
    }
}

fn popups(f: &mut Frame, app: &App) {
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
