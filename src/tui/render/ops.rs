//! Drawing of the operations popups: the command menu, the typed confirmation, the
//! jobs list and one job's targets and output, the audit log. Output and records are
//! foreign text: every string is made inert before it is drawn.

use super::dialogs::frame_box;
use crate::audit::Record;
use crate::model::format::duration_short;
use crate::model::text::inert;
use crate::tui::app::{App, CmdItem, Popup};
use crate::tui::jobs::Job;
use crate::tui::screen::Screen;
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

/// The jobs screen (a job's targets and output when one is open) and the audit screen.
pub fn screen(f: &mut Frame, app: &App) {
    let area = f.area();
    f.buffer_mut().set_style(area, app.theme.text);
    match app.screen {
        Screen::Jobs => {
            let v = &app.jobs_view;
            match v.open.and_then(|id| app.data.jobs.get(id)) {
                Some(job) => job_pane(f, &app.theme, job, v.scroll),
                None => job_list(f, app, v.selected),
            }
        }
        Screen::Audit => {
            let v = &app.audit;
            audit(
                f,
                &app.theme,
                &v.records,
                v.error.as_deref(),
                &v.filter,
                v.filtering,
                v.scroll,
                v.follow,
            )
        }
        _ => {}
    }
    // The status line, as on every screen (what an action did, why a key was refused).
    if let Some((level, text)) = &app.status {
        let th = &app.theme;
        let style = match level {
            crate::tui::app::Level::Error => th.danger,
            crate::tui::app::Level::Warn => th.warn,
            _ => th.status,
        };
        let y = area.y + area.height.saturating_sub(1);
        let line = Line::styled(inert(text, 400).into_owned(), style);
        f.render_widget(
            Paragraph::new(line),
            ratatui::layout::Rect::new(area.x, y, area.width, 1),
        );
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

fn full(f: &Frame) -> (u16, u16) {
    let a = f.area();
    (
        a.width.saturating_sub(4).max(20),
        a.height.saturating_sub(2).max(5),
    )
}

fn took(j: &Job) -> String {
    duration_short(j.took.unwrap_or_else(|| j.started.elapsed()))
}

fn job_list(f: &mut Frame, app: &App, selected: usize) {
    let th = &app.theme;
    let (w, h) = full(f);
    let inner = frame_box(f, th, w, h, "Jobs", false);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{:>4}  {:<28} {:<16} {:<14} {:>8}",
            "ID", "ACTION", "TARGETS", "STATE", "TIME"
        ),
        th.table_header,
    ))];
    if app.data.jobs.list.is_empty() {
        lines.push(Line::from(Span::styled(
            "no jobs yet: actions and commands of this session appear here",
            th.muted,
        )));
    }
    let body = inner.height.saturating_sub(2) as usize;
    let start = selected.saturating_sub(body.saturating_sub(1));
    for (i, j) in app.data.jobs.list.iter().enumerate().skip(start).take(body) {
        let st = if i == selected { th.selection } else { th.text };
        let state_st = if j.denied.is_some() || j.failed() > 0 {
            th.danger
        } else if j.running() {
            th.warn
        } else {
            th.ok
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{:>4}  {:<28} {:<16} ",
                    j.id,
                    inert(&j.action.verb(), 28),
                    j.action.target_count()
                ),
                st,
            ),
            Span::styled(format!("{:<14} ", j.state()), state_st),
            Span::styled(format!("{:>8}", took(j)), st),
        ]));
    }
    while lines.len() < inner.height.saturating_sub(1) as usize {
        lines.push(Line::raw(""));
    }
    lines.push(Line::from(Span::styled(
        "Enter open · x cancel · r retry failed · Esc close",
        th.muted,
    )));
    f.render_widget(Paragraph::new(lines), inner);
}

fn job_pane(f: &mut Frame, th: &Theme, j: &Job, scroll: usize) {
    let (w, h) = full(f);
    let follow = if scroll == 0 { "following" } else { "paused" };
    let title = format!(
        "job {} · {} · {} · {} · {follow}",
        j.id,
        inert(&j.action.verb(), 30),
        j.state(),
        took(j)
    );
    let inner = frame_box(f, th, w, h, &title, j.failed() > 0 || j.denied.is_some());
    let mut lines: Vec<Line> = Vec::new();
    if let Some(d) = &j.denied {
        lines.push(Line::from(Span::styled(
            inert(d, 400).into_owned(),
            th.danger,
        )));
    }
    // One line per target: its state and message.
    let max_targets = (inner.height as usize / 3).max(1);
    for (label, o) in j.targets.iter().take(max_targets) {
        let (mark, st, msg) = match o {
            None => ("…", th.warn, "running".to_string()),
            Some(o) if o.ok() => ("✓", th.ok, o.message.clone()),
            Some(o) => ("✗", th.danger, o.message.clone()),
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark} {:<24} ", inert(label, 24)), st),
            Span::styled(inert(&msg, 300).into_owned(), th.text),
        ]));
    }
    if j.targets.len() > max_targets {
        lines.push(Line::from(Span::styled(
            format!("  … and {} more targets", j.targets.len() - max_targets),
            th.muted,
        )));
    }
    lines.push(Line::from(Span::styled(
        if j.dropped > 0 {
            format!("── output ({} earlier lines dropped)", j.dropped)
        } else {
            "── output".to_string()
        },
        th.muted,
    )));
    let body = (inner.height as usize).saturating_sub(lines.len() + 1);
    let many = j.targets.len() > 1;
    let end = j.output.len().saturating_sub(scroll);
    let start = end.saturating_sub(body);
    for (t, l) in j.output.range(start..end) {
        let text = if many {
            format!("[{}] {}", inert(t, 30), inert(l, 2000))
        } else {
            inert(l, 2000).into_owned()
        };
        lines.push(Line::from(Span::styled(
            text,
            if l.starts_with("──") {
                th.accent
            } else {
                th.text
            },
        )));
    }
    while lines.len() < inner.height.saturating_sub(1) as usize {
        lines.push(Line::raw(""));
    }
    lines.push(Line::from(Span::styled(
        "↑/↓ scroll · G follow · x cancel · r retry failed · Esc back",
        th.muted,
    )));
    f.render_widget(Paragraph::new(lines), inner);
}

#[allow(clippy::too_many_arguments)]
fn audit(
    f: &mut Frame,
    th: &Theme,
    records: &[Record],
    error: Option<&str>,
    filter: &str,
    filtering: bool,
    scroll: usize,
    follow: bool,
) {
    let (w, h) = full(f);
    let state = if follow { "following" } else { "paused" };
    let inner = frame_box(
        f,
        th,
        w,
        h,
        &format!("Audit log · last 7 days · {state}"),
        false,
    );
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(Record::columns)
        .filter(|r| filter.is_empty() || r.iter().any(|c| c.contains(filter)))
        .collect();
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{:<19} {:<10} {:<8} {:<28} {:<16} {:<12} {}",
            "TIME", "OPERATOR", "SITE", "TARGET", "ACTION", "OUTCOME", "MESSAGE"
        ),
        th.table_header,
    ))];
    if let Some(e) = error {
        lines.push(Line::from(Span::styled(
            inert(e, 300).into_owned(),
            th.danger,
        )));
    } else if rows.is_empty() {
        lines.push(Line::from(Span::styled("no records", th.muted)));
    }
    let body = (inner.height as usize).saturating_sub(lines.len() + 1);
    let end = rows.len().saturating_sub(scroll);
    let start = end.saturating_sub(body);
    for r in &rows[start..end] {
        let outcome_st = match r[5].split(' ').next().unwrap_or("") {
            "ok" => th.ok,
            "started" => th.muted,
            _ => th.danger,
        };
        let time = r[0].get(..19).unwrap_or(&r[0]);
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{:<19} {:<10} {:<8} {:<28} {:<16} ",
                    time,
                    inert(&r[1], 10),
                    inert(&r[2], 8),
                    inert(&r[3], 28),
                    inert(&r[4], 16)
                ),
                th.text,
            ),
            Span::styled(format!("{:<12} ", inert(&r[5], 12)), outcome_st),
            Span::styled(inert(&r[6], 300).into_owned(), th.text),
        ]));
    }
    while lines.len() < inner.height.saturating_sub(1) as usize {
        lines.push(Line::raw(""));
    }
    let foot = if filtering {
        format!("/{}_  (Enter done)", inert(filter, 40))
    } else if !filter.is_empty() {
        format!(
            "filter: {} · / change · f follow · ↑/↓ · Esc close",
            inert(filter, 40)
        )
    } else {
        "/ filter · f follow/pause · ↑/↓ scroll · Esc close".to_string()
    };
    lines.push(Line::from(Span::styled(foot, th.muted)));
    f.render_widget(Paragraph::new(lines), inner);
}
