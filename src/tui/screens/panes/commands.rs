//! What the panes do after the prefix: the `[panes]` section's commands (tabs,
//! split, broadcast, the scrollback, search, selection and copy, close), Esc, the
//! prefix sent through, and a search being typed after `/`. Each answers with the
//! `Act`s for the App: effects for the sessions, a status, a screen to show.

use super::{DEFAULT_PREFIX, Pane, Panes};
use crate::config::command::{PaneCommand, PaneScroll};
use crate::tui::data::Data;
use crate::tui::keys;
use crate::tui::msg::{Act, Effect};
use crate::tui::popup::Level;
use crate::tui::screen::Screen;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

impl Panes {
    /// The prefix itself, to the focused pane, back in input mode (as tmux does).
    pub(super) fn send_prefix(&mut self) -> Vec<Act> {
        self.input = true;
        let ev = keys::event_of(&self.prefix.unwrap_or(DEFAULT_PREFIX));
        match (self.focused(), keys::encode(&ev, false)) {
            (Some(x), Some(bytes)) => vec![Act::Effect(Effect::PaneInput { id: x.id, bytes })],
            _ => Vec::new(),
        }
    }

    /// Typing a search after `/`: Enter looks for it, Esc drops it.
    pub(super) fn search_key(&mut self, k: &KeyEvent) -> Vec<Act> {
        let Some(pane) = self.list.get_mut(self.active) else {
            self.searching = false;
            return Vec::new();
        };
        let text = pane.search.get_or_insert_with(String::new);
        match k.code {
            KeyCode::Esc => {
                pane.search = None;
                self.searching = false;
            }
            KeyCode::Enter => {
                self.searching = false;
                return self.find_next();
            }
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char(c) => text.push(c),
            _ => {}
        }
        Vec::new()
    }

    fn find_next(&mut self) -> Vec<Act> {
        match self.focused_mut().map(Pane::find_next) {
            Some(Err(why)) => vec![Act::warn(why)],
            _ => Vec::new(),
        }
    }

    /// The focused pane's rows on screen (paging, the selection).
    fn rows(&self) -> u16 {
        self.focused()
            .and_then(|p| p.shared.screen.lock().ok().map(|s| s.screen().size().0))
            .unwrap_or(24)
    }

    /// A `[panes]` command, after the prefix.
    pub(super) fn pane_command(&mut self, c: PaneCommand, d: &Data) -> Vec<Act> {
        let n = self.list.len();
        if n == 0 {
            return Vec::new();
        }
        let page = self.rows() as isize;
        let refit = |s: &Self| s.fit(d).into_iter().map(Act::Effect).collect();
        match c {
            PaneCommand::Type => self.input = true,
            PaneCommand::Next => {
                self.active = (self.active + 1) % n;
                return refit(self);
            }
            PaneCommand::Prev => {
                self.active = (self.active + n - 1) % n;
                return refit(self);
            }
            PaneCommand::Go(i) if (1..=n).contains(&i) => {
                self.active = i - 1;
                return refit(self);
            }
            PaneCommand::Go(_) => {}
            PaneCommand::Split => {
                self.visible = self.visible % 4 + 1;
                return refit(self);
            }
            PaneCommand::Broadcast => {
                self.broadcast = !self.broadcast;
                return vec![Act::info(if self.broadcast {
                    "broadcast on: typing goes to every pane on screen"
                } else {
                    "broadcast off"
                })];
            }
            PaneCommand::ScrollUp(s) | PaneCommand::ScrollDown(s) => {
                let by = match s {
                    PaneScroll::Lines(l) => l as isize,
                    PaneScroll::Page => page,
                    PaneScroll::End => isize::MAX / 2,
                };
                let by = if matches!(c, PaneCommand::ScrollUp(_)) {
                    by
                } else {
                    -by
                };
                if let Some(p) = self.focused_mut() {
                    p.scroll_by(by, page as u16);
                }
            }
            PaneCommand::Search => {
                self.searching = true;
                if let Some(x) = self.focused_mut() {
                    x.search = Some(String::new());
                }
            }
            PaneCommand::SearchNext => return self.find_next(),
            PaneCommand::Select => {
                if let Some(x) = self.focused_mut() {
                    let last = (page as u16).saturating_sub(1);
                    x.select = match x.select {
                        Some(_) => None,
                        None => Some((last, last)),
                    };
                }
            }
            PaneCommand::Copy => {
                let Some((lines, text)) = self.focused_mut().map(Pane::copy) else {
                    return Vec::new();
                };
                self.clipboard = text.clone();
                return vec![
                    Act::Status(
                        Level::Ok,
                        format!("copied {lines} line(s) to the clipboard"),
                    ),
                    Act::Effect(Effect::Copy(text)),
                ];
            }
            PaneCommand::Close => {
                let Some(id) = self.focused().map(|x| x.id) else {
                    return Vec::new();
                };
                // Its job ends when the session reports its close (`PaneEnded`).
                let empty = self.remove(id);
                let mut out = vec![Act::Effect(Effect::ClosePane { id })];
                out.extend(self.fit(d).into_iter().map(Act::Effect));
                if empty {
                    out.push(Act::Show(Screen::Hosts));
                }
                return out;
            }
            PaneCommand::SendPrefix => return self.send_prefix(),
        }
        Vec::new()
    }

    /// Esc: out of the selection or the scrollback first, then off the panes (they
    /// keep running).
    pub(super) fn back(&mut self) -> Vec<Act> {
        match self.focused_mut() {
            Some(x) if x.select.is_some() || x.scroll > 0 => {
                x.select = None;
                x.scroll = 0;
                Vec::new()
            }
            _ => vec![Act::Leave],
        }
    }
}
