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
        Screen::Services => &[
            ("help", "help"),
            ("filter", "filter"),
            ("unit", "actions"),
            ("mark", "mark"),
            ("unit-log", "log"),
            ("site-logs", "site log"),
            ("all-units", "all units"),
            ("next-screen", "next"),
        ],
        Screen::Sites => &[
            ("help", "help"),
            ("open-site", "open site"),
            ("site-logs", "site log"),
            ("next-screen", "processes"),
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

pub fn render(buf: &mut Buffer, area: Rect, app: &App) {
    if area.height == 0 {
        return;
    }
    let th = &app.theme;
    let nav = app.active().nav();
    let mut right = format!(
        " {} · {} {}",
        app.active().name(),
        nav.sort.name(),
        if nav.descending { "▼" } else { "▲" }
    );
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
    let total = match app.home {
        Screen::Processes => app.data.snapshot.processes.len(),
        Screen::Ports => app.data.snapshot.ports.as_ref().map_or(0, |t| t.rows.len()),
        _ => crate::tui::svc_commands::total(app),
    };
    right.push_str(&format!(" · {}/{total} ", nav.rows.len()));
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
