//! The bottom line: the filter or command being typed, the action under way, the last
//! message, or key hints; on the right the view's sort, filters and row count.

use crate::model::port::Scope;
use crate::model::text::inert;
use crate::tui::app::{App, InputKind, Level, Popup};
use crate::tui::portview::unknown_owner_hint;
use crate::tui::screen::Screen;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

fn hints(app: &App) -> String {
    if let Some(c) = app.screens.get(app.screen) {
        return super::frame::hints(app, c);
    }
    let k = &app.keymap;
    let mut parts = Vec::new();
    let hints: &[(&str, &str)] = match app.home {
        Screen::Processes => &[
            ("help", "help"),
            ("filter", "filter"),
            ("signal", "signal"),
            ("mark", "mark"),
            ("detail", "detail"),
            ("tree", "tree"),
            ("next-screen", "ports"),
            ("quit", "quit"),
        ],
        Screen::Ports => &[
            ("help", "help"),
            ("filter", "filter"),
            ("listening", "listening/all"),
            ("owner", "owner"),
            ("signal", "signal owner"),
            ("next-screen", "processes"),
            ("quit", "quit"),
        ],
        // The other screens draw their own footers.
        _ => &[],
    };
    for &(name, what) in hints {
        if let Some(first) = k.keys_for(app.home.section(), name).first() {
            parts.push(format!("{first} {what}"));
        }
    }
    parts.join("  ")
}

/// What the right end says of the table on screen: its name, sort, follow, filter,
/// rows shown and items.
struct Shown {
    name: &'static str,
    sort: Option<(&'static str, bool)>,
    follow: bool,
    filter: String,
    rows: usize,
    total: usize,
}

fn shown(app: &App) -> Shown {
    if let Some(t) = app.screens.get(app.screen).and_then(|c| c.table()) {
        let (rows, total) = t.counts(&app.data);
        return Shown {
            name: t.name(),
            sort: t.sorted(),
            follow: t.following(),
            filter: t.filter().to_string(),
            rows,
            total,
        };
    }
    let nav = app.active().nav();
    Shown {
        name: app.active().name(),
        sort: Some((nav.sort.name(), nav.descending)),
        follow: nav.follow,
        filter: nav.filter.clone(),
        rows: nav.rows.len(),
        total: match app.home {
            Screen::Processes => app.data.snapshot.processes.len(),
            Screen::Ports => app.data.snapshot.ports.as_ref().map_or(0, |t| t.rows.len()),
            _ => nav.rows.len(),
        },
    }
}

pub fn render(buf: &mut Buffer, area: Rect, app: &App) {
    if area.height == 0 {
        return;
    }
    let th = &app.theme;
    let nav = shown(app);
    let mut right = format!(" {}", nav.name);
    if let Some((col, desc)) = nav.sort {
        right.push_str(&format!(" · {col} {}", if desc { "▼" } else { "▲" }));
    }
    if app.home == Screen::Processes && app.view.tree {
        right.push_str(" · tree");
    }
    if app.home == Screen::Ports && app.ports.scope == Scope::All {
        right.push_str(" · all sockets");
    }
    if nav.follow {
        right.push_str(" · follow");
    }
    if !nav.filter.is_empty() {
        right.push_str(&format!(" · /{}", inert(&nav.filter, 20)));
    }
    if let (Screen::Processes, Some(u)) = (app.home, &app.view.user) {
        right.push_str(&format!(" · user {}", inert(u, 16)));
    }
    if let Some(s) = &app.data.site {
        right.push_str(&format!(" · site {}", inert(s, 16)));
    }
    if app.home == Screen::Services
        && app
            .data
            .snapshot
            .services
            .as_ref()
            .is_some_and(|t| t.all_units)
    {
        right.push_str(" · all units");
    }
    right.push_str(&format!(" · {}/{} ", nav.rows, nav.total));
    let left = match (&app.popup, &app.busy, &app.status) {
        (
            Some(Popup::Input {
                kind: kind @ (InputKind::Filter | InputKind::Command),
                text,
                ..
            }),
            _,
            _,
        ) => {
            let p = if *kind == InputKind::Filter { "/" } else { ":" };
            Line::from(vec![
                Span::styled(p, th.accent),
                Span::styled(inert(text, 200).into_owned(), th.text),
                Span::styled("█", th.accent),
            ])
        }
        (_, Some(busy), _) => {
            let mut text = format!("{} {busy}", SPINNER[app.spinner % 4]);
            // A bulk job counts its targets as they finish.
            if let Some(last) = app.finished.last() {
                let failed = app.finished.iter().filter(|o| !o.ok()).count();
                text.push_str(&format!(
                    " · {} done, {failed} failed, last {}: {}",
                    app.finished.len(),
                    inert(&last.label(), 40),
                    if last.ok() { "ok" } else { "FAILED" }
                ));
            }
            Line::from(Span::styled(text, th.warn))
        }
        (_, _, Some((level, text))) => {
            let st = match level {
                Level::Info => th.text,
                Level::Ok => th.ok,
                Level::Warn => th.warn,
                Level::Error => th.danger,
            };
            Line::from(Span::styled(inert(text, 300).into_owned(), st))
        }
        _ if app.home == Screen::Ports
            && app
                .ports
                .selected_port(&app.data.snapshot)
                .is_some_and(|p| p.pid.is_none() && p.socket.inode != 0) =>
        {
            Line::from(Span::styled(
                unknown_owner_hint(app.data.operator.uid),
                th.warn,
            ))
        }
        _ => Line::from(Span::styled(hints(app), th.muted)),
    };
    buf.set_style(area, th.text);
    let rw = (right.chars().count() as u16).min(area.width / 2);
    buf.set_line(area.x, area.y, &left, area.width.saturating_sub(rw));
    buf.set_stringn(
        area.x + area.width - rw,
        area.y,
        &right,
        rw as usize,
        th.status,
    );
}
