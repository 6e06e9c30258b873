//! The bottom line: the filter or command being typed, the action under way, the last
//! message, or key hints; on the right the view's sort, filters and row count.

use crate::model::text::inert;
use crate::tui::app::{App, InputKind, Level, Popup};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

const SPINNER: [&str; 4] = ["|", "/", "-", "\\"];

fn hints(app: &App) -> String {
    let k = &app.keymap;
    let mut parts = Vec::new();
    for (run, what) in [
        ("help", "help"),
        ("filter", "filter"),
        ("signal", "signal"),
        ("mark", "mark"),
        ("detail", "detail"),
        ("tree", "tree"),
        ("quit", "quit"),
    ] {
        if let Some(first) = k.keys_for(run).first() {
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
    let v = &app.view;
    let mut right = format!(
        " {} {}",
        v.sort.name(),
        if v.descending { "▼" } else { "▲" }
    );
    if v.tree {
        right.push_str(" · tree");
    }
    if v.follow {
        right.push_str(" · follow");
    }
    if !v.filter.is_empty() {
        right.push_str(&format!(" · /{}", inert(&v.filter, 20)));
    }
    if let Some(u) = &v.user {
        right.push_str(&format!(" · user {}", inert(u, 16)));
    }
    right.push_str(&format!(
        " · {}/{} ",
        v.rows.len(),
        app.snapshot.processes.len()
    ));
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
        (_, Some(busy), _) => Line::from(Span::styled(
            format!("{} {busy}", SPINNER[app.spinner % 4]),
            th.warn,
        )),
        (_, _, Some((level, text))) => {
            let st = match level {
                Level::Info => th.text,
                Level::Ok => th.ok,
                Level::Warn => th.warn,
                Level::Error => th.danger,
            };
            Line::from(Span::styled(inert(text, 300).into_owned(), st))
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
