//! One file per screen, each holding its state, its keys and its draw, as gitui's
//! components do. A screen never holds or imports App: it reads `Data`, changes
//! itself, and returns `Act`s (popups to open, actions to propose, screens to show)
//! that `run::apply` carries out. App holds the screens (`Screens`); `update` hands a
//! key to the screen on top and `render` asks it to draw.

pub mod owners;
pub mod ports;
pub mod processes;

use super::data::Data;
use super::msg::Act;
use super::table::ops::TableOps;
use super::theme::Theme;
use crate::config::Command;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;

/// What every screen offers the App.
pub trait Component {
    /// Keys the screen reads before the keymap (a pane's input mode, text being
    /// typed into a screen's own field). `None`: let the keymap have it.
    fn raw_key(&mut self, _k: &KeyEvent, _data: &Data) -> Option<Vec<Act>> {
        None
    }

    /// A command from the keymap or the `:` line. `None`: not this screen's (the
    /// generic table commands and the global ones are tried next).
    fn run(&mut self, cmd: &Command, data: &Data) -> Option<Vec<Act>>;

    /// Recompute rows from fresh data (a snapshot, pool states, jobs).
    fn rebuild(&mut self, _data: &Data) {}

    /// The title line's text.
    fn title(&self, data: &Data) -> String;

    /// Draws the body (between the title and the footer).
    fn draw(&self, buf: &mut Buffer, area: Rect, data: &Data, theme: &Theme);

    /// The footer's hints: (command name, what it does here). The keys come from the
    /// keymap, so a rebinding shows.
    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// The screen's table, for the generic commands (moves, marks, sort, filter,
    /// export), the mouse and the footer's counts. `None`: a screen without one.
    fn table(&self) -> Option<&dyn TableOps> {
        None
    }
    fn table_mut(&mut self) -> Option<&mut dyn TableOps> {
        None
    }

    /// Where the table is drawn inside `body` (a screen that shows more than its
    /// table, such as a job's output under its targets, says so), for the mouse.
    fn table_area(&self, body: Rect) -> Rect {
        body
    }
}

/// The screens App holds. A screen converted to a `Component` is reached through
/// `get`/`get_mut`; the host tables not yet converted are drawn and driven by the
/// older views (`App::active`).
#[derive(Default)]
pub struct Screens {
    pub processes: processes::Processes,
    pub ports: ports::Ports,
}

impl Screens {
    pub fn get(&self, s: crate::tui::screen::Screen) -> Option<&dyn Component> {
        use crate::tui::screen::Screen;
        match s {
            Screen::Processes => Some(&self.processes),
            Screen::Ports => Some(&self.ports),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, s: crate::tui::screen::Screen) -> Option<&mut dyn Component> {
        use crate::tui::screen::Screen;
        match s {
            Screen::Processes => Some(&mut self.processes),
            Screen::Ports => Some(&mut self.ports),
            _ => None,
        }
    }
}
