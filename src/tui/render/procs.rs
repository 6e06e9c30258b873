//! The process table: one row of cells per visible process.

use super::layout::PROC_COLUMNS;
use super::table::{self, RowCells, TableSpec, cell};
use crate::model::Process;
use crate::model::format::{cpu_time, human_bytes, start_time};
use crate::model::text::inert;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// Longest command text built per row: the screen shows at most this much anyway,
/// and a multi-MB argv must not cost a multi-MB string per frame.
const MAX_COMMAND: usize = 2048;

fn command<'a>(p: &'a Process, prefix: &'a str, th: &Theme) -> Line<'a> {
    let mut spans = Vec::with_capacity(4);
    if !prefix.is_empty() {
        spans.push(Span::styled(prefix, th.muted));
    }
    match p.cmdline.first() {
        Some(a0) if !a0.is_empty() => {
            // argv[0] may be a whole process title ("nginx: worker process"): the
            // program is its first word, and that word's basename is highlighted.
            let (first, title_rest) = a0.split_at(a0.find(' ').unwrap_or(a0.len()));
            let (dir, base) = match first.rfind('/') {
                Some(i) if i + 1 < first.len() => first.split_at(i + 1),
                _ => ("", first),
            };
            if !dir.is_empty() {
                spans.push(Span::styled(inert(dir, MAX_COMMAND), th.text));
            }
            spans.push(Span::styled(inert(base, MAX_COMMAND), th.basename));
            if !title_rest.is_empty() {
                spans.push(Span::styled(inert(title_rest, MAX_COMMAND), th.text));
            }
            let mut rest = String::new();
            for a in p.cmdline.iter().skip(1) {
                if rest.len() > MAX_COMMAND {
                    break;
                }
                rest.push(' ');
                rest.push_str(a);
            }
            if !rest.is_empty() {
                spans.push(Span::styled(
                    inert(&rest, MAX_COMMAND).into_owned(),
                    th.text,
                ));
            }
        }
        _ => spans.push(Span::styled(format!("[{}]", inert(&p.name, 64)), th.muted)),
    }
    Line::from(spans)
}

pub fn render(buf: &mut Buffer, area: Rect, app: &App) {
    let th = &app.theme;
    if app.data.snapshot.taken_at_ms == 0 && area.height > 1 {
        // The collector's first full scan is still running.
        buf.set_string(area.x + 1, area.y + 1, "reading processes…", th.muted);
    }
    let v = &app.view;
    let nav = &v.table.nav;
    let snap = &app.data.snapshot;
    let now = snap.taken_at_ms / 1000;
    let spec = TableSpec::of(&PROC_COLUMNS, nav);
    table::render(buf, area, th, &spec, |i| {
        let row = &nav.rows[i];
        let p = &snap.processes[row.idx];
        let marked = v.table.is_marked(p);
        let nice_style = match p.nice {
            n if n < 0 => th.warn,
            n if n > 0 => th.muted,
            _ => th.text,
        };
        let state_style = match p.state {
            'R' => th.ok,
            'D' | 'T' | 't' => th.warn,
            'Z' => th.danger,
            _ => th.muted,
        };
        let cpu_style = match p.cpu_percent {
            c if c >= 90.0 => th.danger,
            c if c >= 50.0 => th.warn,
            c if c < 0.05 => th.muted,
            _ => th.text,
        };
        let tree_mark = if row.has_children && v.collapsed.contains(&p.key()) {
            "+"
        } else {
            ""
        };
        let prefix: &str = if tree_mark.is_empty() {
            &row.prefix
        } else {
            ""
        };
        let mut cmd = command(p, prefix, th);
        if !tree_mark.is_empty() {
            cmd.spans
                .insert(0, Span::styled(format!("{}+", row.prefix), th.accent));
        }
        RowCells {
            cells: vec![
                cell(if marked { "*" } else { " " }, th.marked),
                cell(p.pid.to_string(), th.text),
                cell(inert(&p.user, 9), th.text),
                cell(p.nice.to_string(), nice_style),
                cell(p.state.to_string(), state_style),
                cell(format!("{:.1}", p.cpu_percent), cpu_style),
                cell(human_bytes(p.rss_bytes), th.text),
                cell(cpu_time(p.cpu_seconds), th.text),
                cell(start_time(p.start_time, now), th.muted),
                cmd,
            ],
            marked,
        }
    });
}
