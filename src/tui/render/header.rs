//! The header: host, uptime, load, processes, refresh, marks, operator; then CPU bars
//! per core with the networks, disks and temperature under them (`devices`), memory,
//! swap and a CPU history sparkline.

use crate::model::format::human_bytes;
use crate::model::text::inert;
use crate::tui::app::App;
use crate::tui::geometry::cpu_grid;
use crate::tui::screen::Screen;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Sparkline, Widget};

fn uptime(secs: u64) -> String {
    let (d, h, m) = (secs / 86400, (secs % 86400) / 3600, (secs % 3600) / 60);
    if d > 0 {
        format!("{d}d {h:02}:{m:02}")
    } else {
        format!("{h:02}:{m:02}")
    }
}

fn level(th: &Theme, pct: f32) -> Style {
    match pct {
        p if p >= 90.0 => th.danger,
        p if p >= 60.0 => th.warn,
        _ => th.ok,
    }
}

/// `label[|||||     text]` in `width` cells.
fn bar<'a>(th: &Theme, label: String, pct: f32, text: String, width: u16) -> Line<'a> {
    let inner = (width as usize).saturating_sub(label.chars().count() + 2);
    let filled = ((pct.clamp(0.0, 100.0) / 100.0) * inner as f32).round() as usize;
    let text_len = text.chars().count().min(inner);
    let bars = filled.min(inner - text_len);
    let gap = inner - bars - text_len;
    Line::from(vec![
        Span::styled(label, th.header),
        Span::styled("[", th.border),
        Span::styled("|".repeat(bars), level(th, pct)),
        Span::raw(" ".repeat(gap)),
        Span::styled(text, th.muted),
        Span::styled("]", th.border),
    ])
}

fn title_line(app: &App) -> Line<'_> {
    let th = &app.theme;
    let s = &app.data.snapshot.stats;
    let procs = &app.data.snapshot.processes;
    let running = procs.iter().filter(|p| p.state == 'R').count();
    let mut spans = vec![
        Span::styled("qd ", th.accent),
        Span::styled(inert(&s.hostname, 40).into_owned(), th.header),
        Span::styled(format!("  up {}", uptime(s.uptime_secs)), th.text),
        Span::styled(
            format!("  load {:.2} {:.2} {:.2}", s.load[0], s.load[1], s.load[2]),
            th.text,
        ),
        Span::styled(
            format!("  tasks {} ({running} run)", app.data.snapshot.task_count()),
            th.text,
        ),
    ];
    if app.paused {
        spans.push(Span::styled("  PAUSED", th.warn));
    } else {
        spans.push(Span::styled(
            format!("  every {:.1}s", app.refresh.as_secs_f32()),
            th.muted,
        ));
    }
    Line::from(spans)
}

/// The right end of the title line, which must never be cut: marks and who acts.
fn identity_line(app: &App) -> Line<'_> {
    let th = &app.theme;
    let mut spans = Vec::new();
    let (n, cpu, mem) = app.screens.processes.marked_totals(&app.data);
    let sockets = app.screens.ports.table.marked();
    if app.home == Screen::Ports && sockets > 0 {
        spans.push(Span::styled(
            format!(" marked {sockets} socket(s) "),
            th.marked,
        ));
    } else if n > 0 {
        spans.push(Span::styled(
            format!(" marked {n}: {cpu:.1}% {} ", human_bytes(mem)),
            th.marked,
        ));
    }
    let who = format!(
        " {} ({})",
        inert(&app.data.operator.name, 24),
        app.data.operator.role.name()
    );
    spans.push(Span::styled(who, th.header));
    if app.data.readonly {
        spans.push(Span::styled(" READONLY", th.readonly));
    }
    Line::from(spans)
}

pub fn render(buf: &mut Buffer, area: Rect, app: &App) {
    if area.height == 0 {
        return;
    }
    let th = &app.theme;
    let s = &app.data.snapshot.stats;
    let right = identity_line(app);
    let rw = (right.width() as u16).min(area.width);
    buf.set_line(area.x, area.y, &title_line(app), area.width - rw);
    buf.set_line(area.x + area.width - rw, area.y, &right, rw);
    if area.height < 2 {
        return;
    }
    let mem_text = format!("{}/{}", human_bytes(s.mem_used()), human_bytes(s.mem_total));
    let mem_pct = if s.mem_total > 0 {
        s.mem_used() as f32 * 100.0 / s.mem_total as f32
    } else {
        0.0
    };
    if area.height < 3 {
        // Tiny terminal: one line of totals.
        let line = Line::from(vec![
            Span::styled(format!("CPU {:.1}%", s.cpu_total), level(th, s.cpu_total)),
            Span::styled(format!("  Mem {mem_text}"), level(th, mem_pct)),
        ]);
        buf.set_line(area.x, area.y + 1, &line, area.width);
        return;
    }
    let lines = area.height - 1;
    let right_w = (area.width / 3).max(20).min(area.width);
    let left_w = area.width - right_w;
    let (cols, _) = cpu_grid(area.width, s.cpu_per_core.len());
    let col_w = left_w / cols as u16;
    for (i, pct) in s.cpu_per_core.iter().enumerate() {
        let (line, col) = (i / cols, i % cols);
        if line >= lines as usize {
            break;
        }
        let b = bar(
            th,
            format!("{i:>2}"),
            *pct,
            format!("{pct:.1}%"),
            col_w.saturating_sub(1),
        );
        buf.set_line(
            area.x + col as u16 * col_w,
            area.y + 1 + line as u16,
            &b,
            col_w,
        );
    }
    // Under the CPU bars: the networks, then the disks and the hottest sensor.
    let cpu_lines = s.cpu_per_core.len().div_ceil(cols) as u16;
    let device_lines = [
        super::devices::networks_line(s, th, left_w.saturating_sub(1)),
        super::devices::disks_line(s, th, left_w.saturating_sub(1)),
    ];
    for (k, line) in device_lines.iter().enumerate() {
        let row = cpu_lines + k as u16;
        if row >= lines {
            break;
        }
        buf.set_line(area.x, area.y + 1 + row, line, left_w.saturating_sub(1));
    }
    let rx = area.x + left_w;
    let swap_pct = if s.swap_total > 0 {
        s.swap_used() as f32 * 100.0 / s.swap_total as f32
    } else {
        0.0
    };
    let swap_text = format!(
        "{}/{}",
        human_bytes(s.swap_used()),
        human_bytes(s.swap_total)
    );
    buf.set_line(
        rx,
        area.y + 1,
        &bar(th, "Mem".into(), mem_pct, mem_text, right_w),
        right_w,
    );
    buf.set_line(
        rx,
        area.y + 2,
        &bar(th, "Swp".into(), swap_pct, swap_text, right_w),
        right_w,
    );
    if lines >= 3 {
        let label = format!("CPU {:>5.1}% ", s.cpu_total);
        let lw = label.chars().count() as u16;
        buf.set_string(rx, area.y + 3, &label, level(th, s.cpu_total));
        let spark_w = right_w.saturating_sub(lw) as usize;
        let data: Vec<u64> = app
            .cpu_history
            .iter()
            .rev()
            .take(spark_w)
            .rev()
            .map(|v| v.round() as u64)
            .collect();
        let spark_h = lines.saturating_sub(2).max(1);
        Sparkline::default()
            .data(&data)
            .max(100)
            .style(th.ok)
            .render(Rect::new(rx + lw, area.y + 3, spark_w as u16, spark_h), buf);
    }
}
