//! Drawing: a pure function of the App. Only visible rows are built; popups draw
//! over the table.

pub mod detail;
pub mod devices;
pub mod dialogs;
pub mod footer;
pub mod frame;
pub mod header;
pub mod help;
pub mod layout;
pub mod ops;
pub mod services;

use super::app::{App, Popup};
use super::screen::Layer;
use ratatui::Frame;

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    let c = app.screens.get(app.screen);
    if app.screen.is_host_table() {
        host_table(f, app, c);
    } else {
        frame::render(f.buffer_mut(), area, app, c);
    }
    if app.layer() == Layer::Popup {
        popups(f, app);
    }
}

/// One of this host's tables: under the host header, over the footer.
fn host_table(f: &mut Frame, app: &App, c: &dyn crate::tui::screens::Component) {
    let area = f.area();
    let a = layout::areas(area.width, area.height, app);
    header::render(f.buffer_mut(), a.header, app);
    c.draw(f.buffer_mut(), a.table, &app.data, &app.theme);
    footer::render(f.buffer_mut(), a.footer, app);
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
