//! Popups: confirmation (Cancel focused by default, exact targets listed), signal and
//! user menus, the nice prompt, per-target results and errors.

use super::layout::frame_box;
use crate::actions::{Action, Sig};
use crate::model::text::inert;
use crate::tui::app::{App, InputKind, Popup};
use crate::tui::theme::Theme;
use ratatui::Frame;

use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

fn sig_desc(s: Sig) -> &'static str {
    match s {
        Sig::Term => "terminate, let it clean up",
        Sig::Kill => "kill at once, no clean-up",
        Sig::Int => "interrupt, as Ctrl-C",
        Sig::Hup => "hang up; many daemons reload",
        Sig::Quit => "quit with a core dump",
        Sig::Stop => "pause (cannot be ignored)",
        Sig::Cont => "resume a paused process",
        Sig::Usr1 => "user signal 1",
        Sig::Usr2 => "user signal 2",
    }
}

fn list_lines<'a>(
    th: &Theme,
    items: impl Iterator<Item = String>,
    selected: usize,
) -> Vec<Line<'a>> {
    items
        .enumerate()
        .map(|(i, s)| {
            let st = if i == selected {
                th.selection
            } else {
                th.dialog
            };
            Line::from(Span::styled(s, st))
        })
        .collect()
}

fn confirm(f: &mut Frame, app: &App, action: &Action, ok_focused: bool) {
    let th = &app.theme;
    let targets = action.proc_targets();
    // The frame's warning colour is the action's own risk, never a guess here.
    let dangerous = action.risk(&app.data.sites) >= crate::actions::Risk::Destructive;
    let max_list = (f.area().height as usize).saturating_sub(10).clamp(1, 15);
    let mut lines = vec![
        Line::from(Span::styled(
            format!("{} — {}:", action.verb(), action.target_count()),
            th.header,
        )),
        Line::raw(""),
    ];
    for t in targets.iter().take(max_list) {
        lines.push(Line::from(vec![
            Span::styled(format!("{:>7} ", t.pid), th.dialog),
            Span::styled(format!("{:<9} ", inert(&t.user, 9)), th.dialog),
            Span::styled(inert(&t.name, 40).into_owned(), th.basename),
        ]));
        if let (Action::Restart { .. }, Some(u)) = (
            action,
            t.unit.as_deref().filter(|u| u.ends_with(".service")),
        ) {
            lines.push(Line::from(Span::styled(
                format!(
                    "        part of {}: will be refused, restart the unit",
                    inert(u, 40)
                ),
                th.warn,
            )));
        }
    }
    for u in action.units().iter().take(max_list) {
        lines.push(Line::from(vec![
            Span::styled(
                format!("  {:<22} ", inert(u.service.as_deref().unwrap_or("-"), 22)),
                th.basename,
            ),
            Span::styled(inert(&u.unit, 40).into_owned(), th.dialog),
        ]));
    }
    // An exec's hosts (a shell's too): the confirmation names where it runs.
    let hosts = action.hosts();
    for h in hosts.iter().take(max_list) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<14} ", inert(&h.name, 14)), th.basename),
            Span::styled(inert(&h.conn_key(), 44).into_owned(), th.dialog),
        ]));
    }
    if hosts.len() > max_list {
        lines.push(Line::from(Span::styled(
            format!("  … and {} more", hosts.len() - max_list),
            th.muted,
        )));
    }
    if let Action::Command { targets, .. } = action {
        for t in targets.iter().take(max_list) {
            lines.push(Line::from(Span::styled(
                format!("  {}", inert(&t.id(), 60)),
                th.basename,
            )));
        }
        lines.push(Line::from(Span::styled(
            "  as each site's user, output in :jobs",
            th.muted,
        )));
    }
    if action.units().len() > max_list {
        lines.push(Line::from(Span::styled(
            format!("  … and {} more", action.units().len() - max_list),
            th.muted,
        )));
    }
    if targets.len() > max_list {
        lines.push(Line::from(Span::styled(
            format!("        … and {} more", targets.len() - max_list),
            th.muted,
        )));
    }
    lines.push(Line::raw(""));
    let (cancel, ok) = if ok_focused {
        (th.button, th.button_focus)
    } else {
        (th.button_focus, th.button)
    };
    lines.push(Line::from(vec![
        Span::raw("   "),
        Span::styled("[ Cancel ]", cancel),
        Span::raw("   "),
        Span::styled("[  OK  ]", ok),
    ]));
    lines.push(Line::from(Span::styled(
        "y confirm · n/Esc cancel · ←/→ choose",
        th.muted,
    )));
    let h = lines.len() as u16 + 2;
    let inner = frame_box(f, th, 64, h, "Confirm", dangerous);
    f.render_widget(Paragraph::new(lines), inner);
}

pub fn render(f: &mut Frame, app: &App) {
    let th = &app.theme;
    match &app.popup {
        None
        | Some(
            Popup::Help { .. } | Popup::Detail { .. } | Popup::UnitMenu { .. } | Popup::Log { .. },
        ) => {}
        Some(Popup::Confirm { action, ok_focused }) => confirm(f, app, action, *ok_focused),
        Some(Popup::SignalMenu { selected, targets }) => {
            let items = Sig::ALL
                .iter()
                .enumerate()
                .map(|(i, s)| format!(" {} {:<5} {}", i + 1, s.name(), sig_desc(*s)));
            let mut lines = list_lines(th, items, *selected);
            lines.push(Line::from(Span::styled(
                " Enter choose · 1-9 · Esc cancel",
                th.muted,
            )));
            let title = format!(
                "Signal {} process{}",
                targets.len(),
                if targets.len() == 1 { "" } else { "es" }
            );
            let inner = frame_box(f, th, 44, lines.len() as u16 + 2, &title, false);
            f.render_widget(Paragraph::new(lines), inner);
        }
        Some(Popup::UserMenu { items, selected }) => {
            let h = (items.len() as u16 + 2).min(f.area().height.saturating_sub(2));
            let visible = h.saturating_sub(2) as usize;
            let skip = selected.saturating_sub(visible.saturating_sub(1));
            let lines = list_lines(
                th,
                items
                    .iter()
                    .map(|(n, c)| format!(" {:<20} {c:>5}", inert(n, 20))),
                *selected,
            )
            .into_iter()
            .skip(skip)
            .collect::<Vec<_>>();
            let inner = frame_box(f, th, 32, h, "User", false);
            f.render_widget(Paragraph::new(lines), inner);
        }
        Some(Popup::Input {
            kind: InputKind::Nice,
            text,
            error,
            ..
        }) => {
            let mut lines = vec![
                Line::from(Span::styled(
                    "Nice value, -20 (first) to 19 (last):",
                    th.dialog,
                )),
                Line::from(vec![
                    Span::styled(inert(text, 10).into_owned(), th.accent),
                    Span::styled("█", th.accent),
                ]),
            ];
            if let Some(e) = error {
                lines.push(Line::from(Span::styled(e.clone(), th.danger)));
            }
            let inner = frame_box(f, th, 44, lines.len() as u16 + 2, "Nice", false);
            f.render_widget(Paragraph::new(lines), inner);
        }
        Some(Popup::Input { .. }) => {}
        Some(Popup::CommandMenu { .. } | Popup::TypedConfirm { .. }) => super::ops::render(f, app),
        Some(Popup::Results { report, scroll }) => {
            let mut lines: Vec<Line> = report
                .outcomes
                .iter()
                .map(|o| {
                    let (mark, st) = if o.ok() {
                        ("ok    ", th.ok)
                    } else {
                        ("FAILED", th.danger)
                    };
                    Line::from(vec![
                        Span::styled(format!("{mark} "), st),
                        Span::styled(format!("{:<24} ", inert(&o.label(), 24)), th.basename),
                        Span::styled(inert(&o.message, 200).into_owned(), st),
                    ])
                })
                .collect();
            lines.push(Line::from(Span::styled("Esc close · j/k scroll", th.muted)));
            let h = (lines.len() as u16 + 2).min(f.area().height.saturating_sub(2));
            let failed = report.failed();
            let title = format!(
                "{}: {} ok, {failed} failed",
                report.action,
                report.outcomes.len() - failed
            );
            let inner = frame_box(f, th, 90, h, &title, failed > 0);
            let max = lines.len().saturating_sub(inner.height as usize);
            f.render_widget(
                Paragraph::new(lines).scroll(((*scroll).min(max) as u16, 0)),
                inner,
            );
        }
        Some(Popup::Ask {
            question, typed, ..
        }) => {
            let (title, text, warn) = crate::tui::ask::lines(question, typed);
            let lines: Vec<Line> = text
                .iter()
                .map(|l| Line::from(Span::styled(inert(l, 300).into_owned(), th.dialog)))
                .collect();
            let inner = frame_box(f, th, 78, lines.len() as u16 + 4, &title, warn);
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        Some(Popup::Error { title, message }) => {
            let lines = vec![
                Line::from(Span::styled(inert(message, 500).into_owned(), th.danger)),
                Line::raw(""),
                Line::from(Span::styled("Esc close", th.muted)),
            ];
            let inner = frame_box(f, th, 70, 7, title, true);
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
    }
}
