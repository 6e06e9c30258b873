//! The services screen's popups: the unit action menu and the log pane (the tables
//! are the screens' own, `tui::screens::services` and `sites`).

use crate::model::text::inert;
use crate::systemd::jobs::UnitOp;
use crate::tui::app::{App, Popup};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn op_desc(op: UnitOp) -> &'static str {
    match op {
        UnitOp::Start => "start the unit",
        UnitOp::Stop => "stop the unit",
        UnitOp::Restart => "stop, then start",
        UnitOp::Reload => "reload its configuration",
        UnitOp::Enable => "start at boot",
        UnitOp::Disable => "do not start at boot",
        UnitOp::Kill(0, _) => "send a signal to its processes…",
        UnitOp::Kill(..) => "to every process of the unit",
        UnitOp::ResetFailed => "clear the failed state",
    }
}

fn boxed(f: &mut Frame, th: &Theme, w: u16, h: u16, title: &str) -> Rect {
    super::layout::frame_box(f, th, w, h, title, false)
}

pub fn render_popup(f: &mut Frame, app: &App) {
    let th = &app.theme;
    match &app.popup {
        Some(Popup::UnitMenu {
            selected,
            items,
            targets,
        }) => {
            let mut lines: Vec<Line> = items
                .iter()
                .enumerate()
                .map(|(i, op)| {
                    let st = if i == *selected {
                        th.selection
                    } else {
                        th.dialog
                    };
                    Line::from(Span::styled(
                        format!(" {} {:<13} {}", i + 1, op.verb(), op_desc(*op)),
                        st,
                    ))
                })
                .collect();
            lines.push(Line::from(Span::styled(
                " Enter choose · 1-9 · Esc cancel",
                th.muted,
            )));
            let title = match targets.as_slice() {
                [one] => inert(one.service.as_deref().unwrap_or(&one.unit), 40).into_owned(),
                many => format!("{} units", many.len()),
            };
            let inner = boxed(f, th, 52, lines.len() as u16 + 2, &title);
            f.render_widget(Paragraph::new(lines), inner);
        }
        Some(Popup::Log {
            title,
            lines,
            scroll,
            search,
            searching,
            error,
        }) => {
            let area = f.area();
            let (w, h) = (
                area.width.saturating_sub(4).max(20),
                area.height.saturating_sub(2).max(5),
            );
            let state = if *scroll == 0 { "following" } else { "paused" };
            let inner = boxed(f, th, w, h, &format!("{} · {state}", inert(title, 60)));
            let body = inner.height.saturating_sub(1) as usize;
            let shown: Vec<&String> = lines
                .iter()
                .filter(|l| search.is_empty() || l.contains(search.as_str()))
                .collect();
            let end = shown.len().saturating_sub(*scroll);
            let start = end.saturating_sub(body);
            let mut out: Vec<Line> = Vec::with_capacity(body + 1);
            if let Some(e) = error {
                out.push(Line::from(Span::styled(
                    inert(e, 400).into_owned(),
                    th.danger,
                )));
            }
            for l in &shown[start..end] {
                out.push(Line::from(Span::styled(
                    inert(l, 1000).into_owned(),
                    th.text,
                )));
            }
            while out.len() < body {
                out.push(Line::raw(""));
            }
            out.truncate(body);
            let hint = if *searching {
                format!("/{}█  Enter keep · Esc clear", inert(search, 60))
            } else {
                format!(
                    "{} lines{} · ↑/↓ PgUp/PgDn scroll (pauses) · G/F follow · / search · Esc close",
                    lines.len(),
                    if search.is_empty() {
                        String::new()
                    } else {
                        format!(", {} match /{}", shown.len(), inert(search, 30))
                    }
                )
            };
            out.push(Line::from(Span::styled(hint, th.muted)));
            f.render_widget(Paragraph::new(out), inner);
        }
        _ => {}
    }
}
