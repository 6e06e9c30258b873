//! One file per screen, each holding its state, its keys and its draw, as gitui's
//! components do. A screen never holds or imports App: it reads `Data`, changes
//! itself, and returns `Act`s (popups to open, actions to propose, screens to show)
//! that `run::apply` carries out. App holds the screens (`Screens`); `update` hands a
//! key to the screen on top and `render` asks it to draw.

pub mod hosts;
pub mod owners;
pub mod panes;
pub mod ports;
pub mod processes;
pub mod services;
pub mod sites;
pub mod units;

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

pub mod audit;
pub mod jobs;

/// The screens App holds, each a `Component` reached through `get`/`get_mut`.
#[derive(Default)]
pub struct Screens {
    pub jobs: jobs::JobsScreen,
    pub audit: audit::AuditScreen,
    pub services: services::ServicesScreen,
    pub sites: sites::SitesScreen,
    pub hosts: hosts::Hosts,
    pub panes: panes::Panes,
    pub processes: processes::Processes,
    pub ports: ports::Ports,
}

impl Screens {
    pub fn get(&self, s: crate::tui::screen::Screen) -> &dyn Component {
        use crate::tui::screen::Screen;
        match s {
            Screen::Jobs => &self.jobs,
            Screen::Audit => &self.audit,
            Screen::Services => &self.services,
            Screen::Sites => &self.sites,
            Screen::Hosts => &self.hosts,
            Screen::Panes => &self.panes,
            Screen::Processes => &self.processes,
            Screen::Ports => &self.ports,
        }
    }

    pub fn get_mut(&mut self, s: crate::tui::screen::Screen) -> &mut dyn Component {
        use crate::tui::screen::Screen;
        match s {
            Screen::Jobs => &mut self.jobs,
            Screen::Audit => &mut self.audit,
            Screen::Services => &mut self.services,
            Screen::Sites => &mut self.sites,
            Screen::Hosts => &mut self.hosts,
            Screen::Panes => &mut self.panes,
            Screen::Processes => &mut self.processes,
            Screen::Ports => &mut self.ports,
        }
    }
}
