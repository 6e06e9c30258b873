//! The shell panes screen: tabs, 1-4 of them side by side, keys typed into the
//! focused pane (or into every pane on screen when broadcasting, like cluster ssh).
//!
//! Until the prefix chord (`[ssh] prefix`, ctrl-\ by default) every key goes to the
//! remote: that is `raw_key`, ahead of any keymap. After the prefix the `[panes]`
//! section's commands run here (`Command::Pane`): tabs, split, broadcast, the
//! scrollback with search, line selection and copy, close. Sessions live in the
//! event loop; this holds the emulators it shares with them and asks for input,
//! resizes and closes as `Effect`s. Opening a pane is the App's (`fleet::open_shells`:
//! the `Shell` action's policy first, a job per pane), which hands the panes here.

mod commands;
mod draw;
mod scrollback;

use super::super::data::Data;
use super::super::keys;
use super::super::msg::{Act, Effect, SharedPane};
use super::super::theme::Theme;
use super::Component;
use crate::config::Command;
use crate::config::keys::{KeyName, KeySpec};
use crate::ssh::Host;
use crate::ssh::pane::PaneShared;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use std::collections::HashMap;
use std::sync::Arc;

/// The prefix when `[ssh] prefix` says none.
const DEFAULT_PREFIX: KeySpec = KeySpec {
    key: KeyName::Char('\\'),
    ctrl: true,
    alt: false,
};

pub struct Pane {
    pub id: usize,
    pub host: Host,
    pub shared: Arc<PaneShared>,
    /// Lines scrolled back (0: the live screen).
    pub scroll: usize,
    /// Copy mode: the selection's anchor and cursor rows on the visible screen.
    pub select: Option<(u16, u16)>,
    pub search: Option<String>,
}

#[derive(Default)]
pub struct Panes {
    pub list: Vec<Pane>,
    /// The focused tab.
    pub active: usize,
    /// Panes side by side (1-4), from the focused one on.
    pub visible: usize,
    /// Keys go to the pane (true) or to qd (after the prefix).
    pub input: bool,
    pub broadcast: bool,
    /// Typing a search (after `/`).
    pub searching: bool,
    pub next_id: usize,
    /// The prefix chord; `None` uses ctrl-\.
    pub prefix: Option<KeySpec>,
    /// The last copied text (also sent to the terminal's clipboard).
    pub clipboard: String,
    /// `[ssh] scrollback`: lines kept per pane.
    pub scrollback: usize,
    /// Pane id -> the job of its shell, from its open until its session ends.
    pub jobs: HashMap<usize, usize>,
}

/// The frame's body (below the title, above the footer) of a terminal of `size`.
fn body(size: (u16, u16)) -> Rect {
    crate::tui::geometry::body(Rect::new(0, 0, size.0, size.1))
}

impl Panes {
    pub fn new(prefix: Option<KeySpec>, scrollback: usize) -> Self {
        Self {
            prefix,
            scrollback,
            ..Default::default()
        }
    }

    pub fn focused(&self) -> Option<&Pane> {
        self.list.get(self.active)
    }
    fn focused_mut(&mut self) -> Option<&mut Pane> {
        self.list.get_mut(self.active)
    }
    /// The panes on screen, in order.
    pub fn shown(&self) -> std::ops::Range<usize> {
        let n = self.visible.clamp(1, 4).min(self.list.len());
        let start = self.active.min(self.list.len().saturating_sub(n));
        start..start + n
    }

    /// One pane per (host, its shell's job), focused on the first, typing into it.
    /// Several hosts at once are shown together, typing into all of them.
    pub fn open(&mut self, hosts: Vec<(Host, usize)>, d: &Data) -> Vec<Effect> {
        let first = self.list.len();
        let many = hosts.len() > 1;
        let mut out = Vec::new();
        for (host, job) in hosts {
            self.next_id += 1;
            let id = self.next_id;
            self.jobs.insert(id, job);
            let shared = PaneShared::new(24, 80, self.scrollback);
            out.push(Effect::OpenPane {
                id,
                host: host.clone(),
                shared: SharedPane(shared.clone()),
            });
            self.list.push(Pane {
                id,
                host,
                shared,
                scroll: 0,
                select: None,
                search: None,
            });
        }
        self.active = first.min(self.list.len().saturating_sub(1));
        self.input = true;
        if many {
            self.visible = self.list.len().saturating_sub(first).min(4);
            self.broadcast = true;
        }
        self.visible = self.visible.max(1);
        out.extend(self.fit(d));
        out
    }

    /// Removes the pane with `id` (closed, or refused); true when none is left.
    pub fn remove(&mut self, id: usize) -> bool {
        self.list.retain(|x| x.id != id);
        self.active = self.active.min(self.list.len().saturating_sub(1));
        self.list.is_empty()
    }

    /// Resizes the emulators of the shown panes to their boxes.
    pub fn fit(&self, d: &Data) -> Vec<Effect> {
        let shown = self.shown();
        let mut out = Vec::new();
        for (r, i) in draw::rects(body(d.size), shown.len())
            .into_iter()
            .zip(shown)
        {
            let Some(p) = self.list.get(i) else {
                continue;
            };
            let (rows, cols) = (r.height.saturating_sub(2), r.width.saturating_sub(2));
            let cur = p
                .shared
                .screen
                .lock()
                .map(|s| s.screen().size())
                .unwrap_or((0, 0));
            if cur != (rows.max(2), cols.max(2)) {
                out.push(Effect::PaneResize {
                    id: p.id,
                    rows,
                    cols,
                });
            }
        }
        out
    }

    fn is_prefix(&self, k: &KeyEvent) -> bool {
        keys::spec_of(k) == Some(self.prefix.unwrap_or(DEFAULT_PREFIX))
    }

    /// Who typed input goes to: the focused pane, or every shown pane when broadcasting.
    fn input_targets(&self) -> Vec<usize> {
        if self.broadcast {
            self.shown()
                .filter_map(|i| self.list.get(i).map(|x| x.id))
                .collect()
        } else {
            self.focused().map(|x| x.id).into_iter().collect()
        }
    }
}

impl Component for Panes {
    /// Input mode: every key to the pane but the prefix; a search being typed; after
    /// the prefix, the prefix again goes through (whatever key it is).
    fn raw_key(&mut self, k: &KeyEvent, _d: &Data) -> Option<Vec<Act>> {
        if self.list.is_empty() {
            return None;
        }
        if self.input {
            if self.is_prefix(k) {
                self.input = false;
                return Some(Vec::new());
            }
            let app_cursor = self.focused().is_some_and(Pane::application_cursor);
            let Some(bytes) = keys::encode(k, app_cursor) else {
                return Some(Vec::new());
            };
            if let Some(p) = self.focused_mut() {
                p.scroll = 0;
            }
            let to = self.input_targets();
            return Some(
                to.into_iter()
                    .map(|id| {
                        Act::Effect(Effect::PaneInput {
                            id,
                            bytes: bytes.clone(),
                        })
                    })
                    .collect(),
            );
        }
        if self.searching {
            return Some(self.search_key(k));
        }
        if self.is_prefix(k) {
            return Some(self.send_prefix());
        }
        None
    }

    fn run(&mut self, cmd: &Command, d: &Data) -> Option<Vec<Act>> {
        use Command as C;
        Some(match cmd {
            C::Pane(p) => self.pane_command(*p, d),
            C::Back => self.back(),
            // No table here: moves, marks, sorts and filters have nothing to act on.
            C::Up
            | C::Down
            | C::PageUp
            | C::PageDown
            | C::Top
            | C::Bottom
            | C::ScrollLeft
            | C::ScrollRight
            | C::Mark
            | C::MarkRange
            | C::ClearMarks
            | C::Sort(_)
            | C::SortNext
            | C::SortPrev
            | C::SortInvert
            | C::Filter(_)
            | C::ClearFilter
            | C::Follow
            | C::Export { .. } => vec![Act::info("the panes have no table: H for the hosts")],
            _ => return None,
        })
    }

    fn title(&self, _d: &Data) -> String {
        draw::tab_bar(self)
    }

    fn draw(&self, buf: &mut Buffer, area: Rect, _d: &Data, theme: &Theme) {
        draw::panes(buf, area, self, theme);
    }

    fn hints(&self) -> &'static [(&'static str, &'static str)] {
        if self.input {
            // The prefix is not a keymap command: the title says it.
            return &[];
        }
        &[
            ("pane-type", "type"),
            ("pane-next", "tab"),
            ("pane-split", "split"),
            ("pane-broadcast", "broadcast"),
            ("pane-scroll-up", "scroll"),
            ("pane-search", "search"),
            ("pane-select", "select"),
            ("pane-copy", "copy"),
            ("pane-close", "close"),
            ("hosts", "hosts"),
            ("back", "back"),
        ]
    }
}
