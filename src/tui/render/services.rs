//! The services and sites tables, the unit action menu and the log pane.
//! State colours say what matters at a glance: failed in red, running in green,
//! health failing in red with how long it has been failing.

use super::table::{self, RowCells, TableSpec, cell};
use crate::model::format::{human_bytes, start_time};
use crate::model::services::{ServiceRow, SiteRow};
use crate::model::text::inert;
use crate::systemd::jobs::UnitOp;
use crate::tui::app::{App, Popup};
use crate::tui::theme::Theme;
use crate::tui::view::{Rows, View};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn state_style(th: &Theme, active: &str) -> Style {
    match active {
        "active" | "reloading" => th.ok,
        "failed" => th.danger,
        "activating" | "deactivating" => th.warn,
        _ => th.muted,
    }
}

/// `ok`, `failing 3m`, `-`.
fn health(th: &Theme, h: Option<&str>, since: u64, now: u64) -> (String, Style) {
    match h {
        Some("ok") => ("ok".into(), th.ok),
        Some("failing") if since > 0 => {
            let d = now.saturating_sub(since);
            let ago = match d {
                0..60 => format!("{d}s"),
                60..3600 => format!("{}m", d / 60),
                _ => format!("{}h", d / 3600),
            };
            (format!("failing {ago}"), th.danger)
        }
        Some(other) => (other.to_string(), th.danger),
        None => ("-".into(), th.muted),
    }
}

fn svc_cells<'a>(r: &'a ServiceRow, marked: bool, th: &Theme, now: u64) -> Vec<Line<'a>> {
    let u = &r.unit;
    let (h, hs) = health(th, u.health.as_deref(), u.health_since, now);
    let port = match (u.port, u.listening) {
        (Some(p), Some(false)) => cell(format!("{p} ✗"), th.danger),
        (Some(p), _) => cell(p.to_string(), th.text),
        (None, _) => cell("-", th.muted),
    };
    vec![
        cell(if marked { "*" } else { " " }, th.marked),
        cell(
            inert(u.site.as_deref().unwrap_or("-"), 32).into_owned(),
            th.text,
        ),
        cell(
            inert(u.service.as_deref().unwrap_or("-"), 32).into_owned(),
            th.basename,
        ),
        cell(
            u.load_state.clone(),
            if u.load_state == "loaded" {
                th.muted
            } else {
                th.warn
            },
        ),
        cell(u.active_state.clone(), state_style(th, &u.active_state)),
        cell(u.sub_state.clone(), th.muted),
        cell(
            if u.main_pid == 0 {
                "-".into()
            } else {
                u.main_pid.to_string()
            },
            th.text,
        ),
        cell(
            if r.procs == 0 {
                "-".into()
            } else {
                human_bytes(r.rss_bytes)
            },
            th.text,
        ),
        cell(
            if r.procs == 0 {
                "-".into()
            } else {
                format!("{:.1}", r.cpu_percent)
            },
            th.text,
        ),
        cell(r.procs.to_string(), th.muted),
        cell(
            u.restarts.to_string(),
            if u.restarts > 0 { th.warn } else { th.muted },
        ),
        cell(
            if u.active_since_us == 0 || u.active_state != "active" {
                "-".into()
            } else {
                start_time(u.active_since_us / 1_000_000, now)
            },
            th.muted,
        ),
        port,
        cell(h, hs),
        cell(inert(&u.unit, 128).into_owned(), th.muted),
    ]
}

fn site_cells<'a>(s: &'a SiteRow, marked: bool, th: &Theme) -> Vec<Line<'a>> {
    let up_style = if s.up == s.services { th.ok } else { th.warn };
    let health = if s.failing > 0 {
        cell(
            format!("{} failing, {} ok", s.failing, s.healthy),
            th.danger,
        )
    } else if s.healthy > 0 {
        cell(format!("{} ok", s.healthy), th.ok)
    } else {
        cell("-", th.muted)
    };
    vec![
        cell(if marked { "*" } else { " " }, th.marked),
        cell(inert(&s.name, 32).into_owned(), th.basename),
        cell(inert(&s.user, 32).into_owned(), th.text),
        cell(format!("{}/{}", s.up, s.services), up_style),
        cell(
            s.failed.to_string(),
            if s.failed > 0 { th.danger } else { th.muted },
        ),
        cell(s.procs.to_string(), th.text),
        cell(format!("{:.1}", s.cpu_percent), th.text),
        cell(human_bytes(s.rss_bytes), th.text),
        cell(
            s.ports.map(|p| p.to_string()).unwrap_or_else(|| "-".into()),
            th.text,
        ),
        health,
    ]
}

/// The line shown instead of rows: not listed yet, systemd unreachable, no sites.
fn notice(buf: &mut Buffer, area: Rect, app: &App, empty: bool, what: &str) -> bool {
    let th = &app.theme;
    let Some(t) = app.data.snapshot.services.as_ref() else {
        return false;
    };
    if area.height < 2 {
        return false;
    }
    let (x, y) = (area.x + 1, area.y + 1);
    if let Some(e) = &t.error {
        // Last known rows stay below; the reason comes first.
        buf.set_string(x, area.y + area.height - 1, inert(e, 300), th.danger);
    }
    if !t.loaded {
        buf.set_string(x, y, "asking systemd…", th.muted);
        return true;
    }
    if empty && t.error.is_none() {
        buf.set_string(x, y, what, th.muted);
        return true;
    }
    false
}

pub fn render_services(buf: &mut Buffer, area: Rect, app: &App) {
    let th = &app.theme;
    let v = &app.svc;
    let snap = &app.data.snapshot;
    let now = snap.taken_at_ms / 1000;
    let items = v.items(snap);
    let empty_msg = if app.data.site_names.is_empty() {
        "no units listed (no sites in the config: `a` lists every service unit)"
    } else {
        "no units listed"
    };
    if notice(buf, area, app, items.is_empty(), empty_msg) {
        return;
    }
    let nav = &v.table.nav;
    let spec = TableSpec::of(View::columns(v), nav);
    table::render(buf, area, th, &spec, |i| {
        let r = &items[nav.rows[i].idx];
        let marked = v.table.is_marked(r);
        RowCells {
            cells: svc_cells(r, marked, th, now),
            marked,
        }
    });
}

pub fn render_sites(buf: &mut Buffer, area: Rect, app: &App) {
    let th = &app.theme;
    let v = &app.sites;
    let snap = &app.data.snapshot;
    let items = v.items(snap);
    if notice(
        buf,
        area,
        app,
        items.is_empty(),
        "no sites: add [[site]] tables to the config (config.example.toml)",
    ) {
        return;
    }
    let nav = &v.table.nav;
    let spec = TableSpec::of(View::columns(v), nav);
    table::render(buf, area, th, &spec, |i| {
        let s = &items[nav.rows[i].idx];
        let marked = v.table.is_marked(s);
        RowCells {
            cells: site_cells(s, marked, th),
            marked,
        }
    });
}

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
    super::dialogs::frame_box(f, th, w, h, title, false)
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
