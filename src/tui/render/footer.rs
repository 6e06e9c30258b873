//! The bottom line of this host's tables: the filter or command being typed, the
//! action under way, the last message, or key hints; on the right the table's name
//! and own filters, its sort, follow, `/` filter and row count (from `TableOps` for
//! the tables that are `Component`s).

use crate::model::text::inert;
use crate::tui::app::{App, InputKind, Level, Popup};
use crate::tui::screen::Screen;
use crate::tui::screens::Component;
use crate::tui::screens::owners::unknown_owner_hint;
use crate::tui::table::ops::TableOps;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

/// The right end for a `Component`'s table: its title (name and own filters), then
/// what every table has.
fn table_state(app: &App, c: &dyn Component, t: &dyn TableOps) -> String {
    let mut right = format!(" {}", inert(&c.title(&app.data), 60));
    if let Some((name, descending)) = t.sorted() {
        right.push_str(&format!(" · {name} {}", if descending { "▼" } else { "▲" }));
    }
    if t.following() {
        right.push_str(" · follow");
    }
    if !t.filter().is_empty() {
        right.push_str(&format!(" · /{}", inert(t.filter(), 20)));
    }
    if let Some(s) = &app.data.site {
        right.push_str(&format!(" · site {}", inert(s, 16)));
    }
    if app.screen == Screen::Services
        && app
            .data
            .snapshot
            .services
            .as_ref()
            .is_some_and(|t| t.all_units)
    {
        right.push_str(" · all units");
    }
    let (shown, total) = t.counts(&app.data);
    right.push_str(&format!(" · {shown}/{total} "));
    right
}

/// The line being typed at the bottom (a filter, a `:` command, an exec's command),
/// with its cursor: on this host's tables and on every other screen alike.
pub fn prompt(app: &App) -> Option<Line<'static>> {
    let th = &app.theme;
    let Some(Popup::Input { kind, text, .. }) = &app.popup else {
        return None;
    };
    let p = match kind {
        InputKind::Filter => "/",
        InputKind::Command => ":",
        InputKind::Exec => "run on the hosts: ",
        // Drawn as a dialog of its own.
        InputKind::Nice => return None,
    };
    Some(Line::from(vec![
        Span::styled(p, th.accent),
        Span::styled(inert(text, 200).into_owned(), th.text),
        Span::styled("█", th.accent),
    ]))
}

pub fn render(buf: &mut Buffer, area: Rect, app: &App) {
    if area.height == 0 {
        return;
    }
    let th = &app.theme;
    let screen = app.screens.get(app.screen);
    let right = match screen.table() {
        Some(t) => table_state(app, screen, t),
        None => String::new(),
    };
    let left = match (prompt(app), &app.busy, &app.status) {
        (Some(line), _, _) => line,
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
        _ if app.screen == Screen::Ports && app.screens.ports.selected_unknown(&app.data) => {
            Line::from(Span::styled(
                unknown_owner_hint(app.data.operator.uid),
                th.warn,
            ))
        }
        _ => {
            let hints = hints(app, screen);
            Line::from(Span::styled(hints, th.muted))
        }
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

/// `KEY what` for each hint whose command has a key.
pub fn hints(app: &App, c: &dyn Component) -> String {
    c.hints()
        .iter()
        .filter_map(|(run, what)| {
            let keys = app.keymap.keys_for(app.screen.section(), run);
            keys.first().map(|k| format!("{k} {what}"))
        })
        .collect::<Vec<_>>()
        .join("  ")
}
