//! Shell panes in the console: tabs, 1-4 of them visible side by side, keys typed into
//! the focused pane (or into every pane of the broadcast set, like cluster ssh), and
//! one prefix chord (default `ctrl-\`, `[ssh] prefix`) that leaves input mode for
//! qd's pane keys: tabs, split, broadcast, scrollback with search, line selection
//! and copy, close. The emulators are shared with the sessions in the event loop.

use super::app::{App, Level};
use super::msg::Effect;
use super::screen::Screen;
use crate::config::keys::KeySpec;
use crate::ssh::Host;
use crate::ssh::pane::PaneShared;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use std::sync::Arc;

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
}

impl Panes {
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
}

/// Where each shown pane goes in `area`: one full, two side by side, three in
/// columns, four in a 2x2 grid.
pub fn rects(area: Rect, n: usize) -> Vec<Rect> {
    use ratatui::layout::{Constraint, Direction, Layout};
    let split = |a: Rect, dir: Direction, k: usize| -> Vec<Rect> {
        Layout::default()
            .direction(dir)
            .constraints(vec![Constraint::Ratio(1, k as u32); k])
            .split(a)
            .to_vec()
    };
    match n {
        0 => Vec::new(),
        4 => split(area, Direction::Vertical, 2)
            .into_iter()
            .flat_map(|r| split(r, Direction::Horizontal, 2))
            .collect(),
        k => split(area, Direction::Horizontal, k),
    }
}

/// The inner size (rows, cols) of each shown pane with the screen at `size`.
pub fn inner_sizes(app: &App) -> Vec<(usize, u16, u16)> {
    let body = super::render::fleet::body_area(Rect::new(0, 0, app.size.0, app.size.1));
    let shown = app.fleet.panes.shown();
    rects(body, shown.len())
        .into_iter()
        .zip(shown)
        .map(|(r, i)| (i, r.height.saturating_sub(2), r.width.saturating_sub(2)))
        .collect()
}

/// Resizes the emulators of the shown panes to their boxes.
pub fn fit(app: &App) -> Vec<Effect> {
    let mut out = Vec::new();
    for (i, rows, cols) in inner_sizes(app) {
        let Some(p) = app.fleet.panes.list.get(i) else {
            continue;
        };
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

/// Opens one pane per host (policy and audit are checked when the session starts).
pub fn open(app: &mut App, hosts: Vec<Host>) -> Vec<Effect> {
    if hosts.is_empty() {
        app.set_status(Level::Warn, "no host selected");
        return Vec::new();
    }
    // The policy first: a refused host gets no pane; its denial is shown and recorded.
    let mut out = Vec::new();
    let mut allowed = Vec::new();
    for host in hosts {
        let action = crate::actions::Action::Shell { host: host.clone() };
        match super::propose::refuse(app, &action) {
            Some(fx) => out.extend(fx),
            None => allowed.push(host),
        }
    }
    if allowed.is_empty() {
        return out;
    }
    let hosts = allowed;
    let scrollback = app.ssh_scrollback;
    let first = app.fleet.panes.list.len();
    let many = hosts.len() > 1;
    for host in hosts {
        // A pane is a job: it starts as the pane opens and ends with its close.
        let (job, _) = app
            .data
            .jobs
            .start(crate::actions::Action::Shell { host: host.clone() });
        let p = &mut app.fleet.panes;
        p.next_id += 1;
        app.fleet.pane_jobs.insert(p.next_id, job);
        let shared = PaneShared::new(24, 80, scrollback);
        out.push(Effect::OpenPane {
            id: p.next_id,
            host: host.clone(),
            shared: super::msg::SharedPane(shared.clone()),
        });
        p.list.push(Pane {
            id: p.next_id,
            host,
            shared,
            scroll: 0,
            select: None,
            search: None,
        });
    }
    let p = &mut app.fleet.panes;
    p.active = first;
    p.input = true;
    if many {
        // Several hosts at once: show them together, typing into all of them.
        p.visible = p.list.len().saturating_sub(first).min(4);
        p.broadcast = true;
    }
    p.visible = p.visible.max(1);
    app.show(Screen::Panes);
    out.extend(fit(app));
    out
}

/// A pane's session ended: its job finishes with the close outcome the dispatcher
/// recorded (the pane itself stays until the operator closes it).
pub fn ended(app: &mut App, id: usize, outcome: Option<crate::actions::TargetOutcome>) {
    let Some(job) = app.fleet.pane_jobs.remove(&id) else {
        return;
    };
    let report = crate::actions::Report {
        action: "shell".into(),
        job: String::new(),
        outcomes: outcome.into_iter().collect(),
    };
    app.data.jobs.finish(job, &Ok(report));
}

/// Removes the pane with `id` (closed, or refused by policy).
pub fn remove(app: &mut App, id: usize) {
    let p = &mut app.fleet.panes;
    p.list.retain(|x| x.id != id);
    p.active = p.active.min(p.list.len().saturating_sub(1));
    if p.list.is_empty() && app.screen == Screen::Panes {
        app.show(Screen::Hosts);
    }
}

fn is_prefix(app: &App, k: &KeyEvent) -> bool {
    let spec = super::keys::spec_of(k);
    match app.fleet.panes.prefix {
        Some(p) => spec == Some(p),
        None => {
            k.modifiers.contains(KeyModifiers::CONTROL)
                && matches!(k.code, KeyCode::Char('\\') | KeyCode::Char('4'))
        }
    }
}

/// Who typed input goes to: the focused pane, or every shown pane when broadcasting.
fn input_targets(app: &App) -> Vec<usize> {
    let p = &app.fleet.panes;
    if p.broadcast {
        p.shown()
            .filter_map(|i| p.list.get(i).map(|x| x.id))
            .collect()
    } else {
        p.focused().map(|x| x.id).into_iter().collect()
    }
}

pub fn on_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    if app.fleet.panes.list.is_empty() {
        app.show(Screen::Hosts);
        return Vec::new();
    }
    if app.fleet.panes.input {
        if is_prefix(app, &k) {
            app.fleet.panes.input = false;
            return Vec::new();
        }
        let app_cursor = app
            .fleet
            .panes
            .focused()
            .and_then(|p| {
                p.shared
                    .screen
                    .lock()
                    .ok()
                    .map(|s| s.screen().application_cursor())
            })
            .unwrap_or(false);
        let Some(bytes) = super::pane_keys::encode(&k, app_cursor) else {
            return Vec::new();
        };
        if let Some(p) = app.fleet.panes.focused_mut() {
            p.scroll = 0;
        }
        return input_targets(app)
            .into_iter()
            .map(|id| Effect::PaneInput {
                id,
                bytes: bytes.clone(),
            })
            .collect();
    }
    if app.fleet.panes.searching {
        return search_key(app, k);
    }
    super::pane_keys::command_key(app, k)
}

fn search_key(app: &mut App, k: KeyEvent) -> Vec<Effect> {
    let p = &mut app.fleet.panes;
    let Some(pane) = p.list.get_mut(p.active) else {
        return Vec::new();
    };
    let text = pane.search.get_or_insert_with(String::new);
    match k.code {
        KeyCode::Esc => {
            pane.search = None;
            p.searching = false;
        }
        KeyCode::Enter => {
            p.searching = false;
            find_next(app);
        }
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char(c) => text.push(c),
        _ => {}
    }
    Vec::new()
}

/// Scrolls the focused pane back to the next older line containing its search text.
pub fn find_next(app: &mut App) {
    let Some(pane) = app.fleet.panes.list.get_mut(app.fleet.panes.active) else {
        return;
    };
    let Some(needle) = pane.search.clone().filter(|s| !s.is_empty()) else {
        return;
    };
    let Ok(mut parser) = pane.shared.screen.lock() else {
        return;
    };
    let cols = parser.screen().size().1;
    let mut found = None;
    let mut off = pane.scroll + 1;
    loop {
        parser.screen_mut().set_scrollback(off);
        if parser.screen().scrollback() < off {
            break;
        }
        let top = parser.screen().rows(0, cols).next().unwrap_or_default();
        if top.contains(&needle) {
            found = Some(off);
            break;
        }
        off += 1;
    }
    parser.screen_mut().set_scrollback(0);
    drop(parser);
    match found {
        Some(o) => pane.scroll = o,
        None => app.set_status(Level::Warn, format!("`{needle}` not found above")),
    }
}
