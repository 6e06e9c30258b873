//! The ports table: one row per socket and holder. Public binds stand out; a socket
//! whose holder cannot be seen shows `?` (the footer says why when it is selected).

use super::table::{self, RowCells, TableSpec, cell};
use crate::model::port::{Exposure, Port, Scope};
use crate::model::text::inert;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use crate::tui::view::{Rows, View};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

fn remote(p: &Port) -> String {
    let r = &p.socket.remote;
    if r.port() == 0 && r.ip().is_unspecified() {
        "*".into()
    } else {
        r.to_string()
    }
}

fn cells<'a>(p: &'a Port, scope: Scope, marked: bool, th: &Theme) -> Vec<Line<'a>> {
    let s = &p.socket;
    let exposure_style = match p.exposure {
        Exposure::Public => th.warn,
        Exposure::Loopback => th.muted,
        Exposure::Specific => th.text,
    };
    let state_style = match s.state {
        "LISTEN" | "UNCONN" => th.ok,
        "ESTABLISHED" => th.text,
        _ => th.muted,
    };
    let (pid, process) = match (p.pid, &p.process) {
        (Some(pid), Some(name)) => (
            cell(pid.to_string(), th.text),
            cell(inert(name, 64).into_owned(), th.basename),
        ),
        (Some(pid), None) => (cell(pid.to_string(), th.text), cell("", th.text)),
        // TIME_WAIT and the like: the kernel holds them, no process does.
        _ if p.socket.inode == 0 => (cell("-", th.muted), cell("", th.muted)),
        // Never a guessed pid: the holder is not visible to this user.
        _ => (cell("?", th.warn), cell("? (not visible)", th.muted)),
    };
    let mut out = vec![
        cell(if marked { "*" } else { " " }, th.marked),
        cell(s.proto, th.text),
        cell(s.local.to_string(), th.text),
    ];
    if scope == Scope::All {
        out.push(cell(remote(p), th.text));
    }
    out.extend([
        cell(s.state, state_style),
        cell(p.exposure.name(), exposure_style),
        cell(
            p.connections.map(|n| n.to_string()).unwrap_or_default(),
            th.text,
        ),
        pid,
        cell(inert(&p.user, 9).into_owned(), th.text),
        cell(
            inert(p.unit.as_deref().unwrap_or("-"), 64).into_owned(),
            th.muted,
        ),
        cell(
            inert(p.site.as_deref().unwrap_or("-"), 32).into_owned(),
            th.muted,
        ),
        process,
    ]);
    out
}

pub fn render(buf: &mut Buffer, area: Rect, app: &App) {
    let th = &app.theme;
    let v = &app.ports;
    let snap = &app.data.snapshot;
    if area.height > 1 {
        if let Some(err) = snap.ports.as_ref().and_then(|t| t.error.as_deref()) {
            buf.set_string(area.x + 1, area.y + 1, inert(err, 200), th.danger);
        } else if v.waiting(snap) {
            buf.set_string(area.x + 1, area.y + 1, "reading sockets…", th.muted);
            return;
        }
    }
    let nav = &v.table.nav;
    let items = v.items(snap);
    let spec = TableSpec::of(View::columns(v), nav);
    table::render(buf, area, th, &spec, |i| {
        let p = &items[nav.rows[i].idx];
        let marked = v.table.is_marked(p);
        RowCells {
            cells: cells(p, v.scope, marked, th),
            marked,
        }
    });
}
