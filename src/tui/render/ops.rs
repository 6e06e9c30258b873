//! Drawing of the operations popups: the command menu and the typed confirmation.
//! Command names and service names are foreign text: made inert before they are drawn.

use super::layout::frame_box;
use crate::model::text::inert;
use crate::tui::app::{App, CmdItem, Popup};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn render(f: &mut Frame, app: &App) {
    match &app.popup {
        Some(Popup::CommandMenu {
            selected,
            items,
            targets,
        }) => {
            let title = match targets.as_slice() {
                [one] => format!("{} commands", one.id()),
                many => format!("commands of {} services", many.len()),
            };
            menu(f, &app.theme, &title, items, *selected);
        }
        Some(Popup::TypedConfirm {
            action,
            want,
            typed,
        }) => {
            let th = &app.theme;
            let lines = vec![
                Line::from(Span::styled(
                    format!("{} — {}", action.verb(), action.target_count()),
                    th.header,
                )),
                Line::raw(""),
                Line::from(Span::styled("This command is marked dangerous.", th.danger)),
                Line::from(format!("Type `{}` to run it:", inert(want, 40))),
                Line::from(Span::styled(
                    format!("> {}_", inert(typed, 40)),
                    th.selection,
                )),
                Line::raw(""),
                Line::from(Span::styled("Enter run · Esc cancel", th.muted)),
            ];
            let inner = frame_box(f, th, 60, lines.len() as u16 + 2, "Dangerous", true);
            f.render_widget(Paragraph::new(lines), inner);
        }
        _ => {}
    }
}

fn menu(f: &mut Frame, th: &Theme, title: &str, items: &[CmdItem], selected: usize) {
    let mut lines: Vec<Line> = items
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let st = if i == selected {
                th.selection
            } else {
                th.dialog
            };
            let mut flags = Vec::new();
            if c.requires_stop {
                flags.push("stops the service");
            }
            if c.dangerous {
                flags.push("dangerous");
            }
            Line::from(vec![
                Span::styled(format!(" {} {:<14} ", i + 1, inert(&c.name, 14)), st),
                Span::styled(format!("{:<26} ", inert(&c.display, 26)), st),
                Span::styled(
                    flags.join(", "),
                    if c.dangerous { th.danger } else { th.muted },
                ),
            ])
        })
        .collect();
    lines.push(Line::from(Span::styled(
        " Enter choose · 1-9 · Esc cancel",
        th.muted,
    )));
    let inner = frame_box(f, th, 66, lines.len() as u16 + 2, &inert(title, 50), false);
    f.render_widget(Paragraph::new(lines), inner);
}
