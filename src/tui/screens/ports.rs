//! The sockets of this host: the one `Table` over `PortSource` (listening sockets or
//! all of them), the `[ports]` commands and the draw under the host header.
//!
//! Commands: `listening` (`l`: the other scope, which the collector is told so the
//! snapshot holds it), `owner` (Enter: the holding process on the processes screen,
//! `Act::ShowProcess`; Esc comes back), and `signal` / `nice` / `nice-by` /
//! `restart` on the sockets' owners — each process once, sockets without a visible
//! owner left out and said so (`owners`).

mod source;

pub use source::{Field, PortCol, PortKey, PortSource};

use super::Component;
use super::owners::{self, Owners, unknown_owner_hint};
use crate::actions::ProcTarget;
use crate::config::Command;
use crate::model::port::{Port, Scope};
use crate::model::text::inert;
use crate::sources::Control;
use crate::tui::data::Data;
use crate::tui::msg::{Act, Effect};
use crate::tui::table::Table;
use crate::tui::table::ops::TableOps;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

pub struct Ports {
    pub table: Table<PortSource>,
}

impl Default for Ports {
    /// Listening sockets, by port.
    fn default() -> Self {
        Self {
            table: Table::new(
                PortSource::default(),
                Some(PortCol::listening(Field::Local)),
            ),
        }
    }
}

fn rows(data: &Data) -> &[Port] {
    data.snapshot
        .ports
        .as_ref()
        .map_or(&[], |t| t.rows.as_slice())
}

/// The process acting on a socket's row acts on.
fn owner(p: &Port) -> Option<ProcTarget> {
    let key = p.owner()?;
    Some(ProcTarget {
        pid: key.pid,
        starttime: key.starttime,
        name: p.process.as_deref().unwrap_or("").to_string(),
        user: p.user.to_string(),
        unit: p.unit.as_deref().map(str::to_string),
    })
}

impl Ports {
    /// Which sockets the table asks for (the services and sites screens ask the
    /// collector for the same).
    pub fn scope(&self) -> Scope {
        self.table.source.scope
    }

    pub fn selected_port<'a>(&self, data: &'a Data) -> Option<&'a Port> {
        self.table.selected(data).map(|i| &rows(data)[i])
    }

    /// The selected socket's holder is not visible (the footer says why).
    pub fn selected_unknown(&self, data: &Data) -> bool {
        self.selected_port(data)
            .is_some_and(|p| p.pid.is_none() && p.socket.inode != 0)
    }

    fn owners(&self, data: &Data) -> Owners {
        let rows = rows(data);
        Owners::of(
            self.table
                .targets(data)
                .into_iter()
                .map(|i| owner(&rows[i])),
        )
    }

    /// Enter: the socket's process, selected on the processes screen.
    fn jump(&self, data: &Data) -> Vec<Act> {
        let Some(port) = self.selected_port(data) else {
            return Vec::new();
        };
        match port.owner() {
            Some(key) => vec![Act::ShowProcess(key)],
            None if port.socket.inode == 0 => {
                vec![Act::info(
                    "no process holds this socket (the kernel keeps it)",
                )]
            }
            None => vec![Act::warn(unknown_owner_hint(data.operator.uid))],
        }
    }
}

impl Component for Ports {
    fn run(&mut self, cmd: &Command, data: &Data) -> Option<Vec<Act>> {
        Some(match cmd {
            // `detail`, as older bindings have it, is what Enter did here.
            Command::Owner | Command::Detail => self.jump(data),
            Command::ToggleListening => {
                let scope = match self.scope() {
                    Scope::Listening => Scope::All,
                    Scope::All => Scope::Listening,
                };
                self.table.source.scope = scope;
                // The same order in the other set's columns (REMOTE: by port).
                let mut sort = self.table.sort();
                sort.col = sort.col.map(|c| {
                    PortSource::rescope(c, scope).unwrap_or(PortCol::listening(Field::Local))
                });
                self.table.set_sort(data, sort);
                vec![Act::Effect(Effect::Collector(Control::Ports(Some(scope))))]
            }
            Command::Signal(sig) => owners::signal(data, self.owners(data), *sig),
            Command::Nice(arg) => owners::nice(data, self.owners(data), *arg),
            Command::Restart => owners::restart(data, self.owners(data)),
            _ => return None,
        })
    }

    fn rebuild(&mut self, data: &Data) {
        self.table.rebuild(data);
    }

    fn title(&self, _data: &Data) -> String {
        match self.scope() {
            Scope::Listening => "ports".into(),
            Scope::All => "ports · all sockets".into(),
        }
    }

    fn draw(&self, buf: &mut Buffer, area: Rect, data: &Data, theme: &Theme) {
        if area.height > 1 && area.width > 2 {
            let w = (area.width - 1) as usize;
            if let Some(err) = data
                .snapshot
                .ports
                .as_ref()
                .and_then(|t| t.error.as_deref())
            {
                buf.set_stringn(area.x + 1, area.y + 1, inert(err, 200), w, theme.danger);
            } else if self.table.source.waiting(data) {
                buf.set_stringn(area.x + 1, area.y + 1, "reading sockets…", w, theme.muted);
                return;
            }
        }
        self.table.draw(buf, area, data, theme);
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("help", "help"),
            ("filter", "filter"),
            ("listening", "listening/all"),
            ("owner", "owner"),
            ("signal", "signal owner"),
            ("next-screen", "next"),
            ("quit", "quit"),
        ]
    }

    fn table(&self) -> Option<&dyn TableOps> {
        Some(&self.table)
    }

    fn table_mut(&mut self) -> Option<&mut dyn TableOps> {
        Some(&mut self.table)
    }
}
