//! Does what handlers ask (`Act`s) in order: opens popups, sets the status, switches
//! screens, and sends every action through `propose` (policy, then its confirmation,
//! then the dispatcher). Screens and popups return `Act`s; this is the only place that
//! turns them into state and effects, so no handler calls another or the dispatcher.

use super::app::App;
use super::data::Data;
use super::msg::{Act, Effect};
use super::table::ops::TableOps;

pub fn apply(app: &mut App, acts: Vec<Act>) -> Vec<Effect> {
    let mut out = Vec::new();
    // Shells proposed in a row open together (side by side, typing into all).
    let mut shells = Vec::new();
    for act in acts {
        if let Act::Propose(crate::actions::Action::Shell { host }) = act {
            shells.push(host);
            continue;
        }
        if !shells.is_empty() {
            out.extend(super::fleet::open_shells(app, std::mem::take(&mut shells)));
        }
        match act {
            Act::Effect(e) => out.push(e),
            Act::Popup(p) => app.popup = Some(p),
            Act::Status(level, text) => app.set_status(level, text),
            Act::Show(s) => out.extend(super::commands::show(app, s)),
            Act::Leave => app.leave(),
            Act::Propose(a) => out.extend(super::propose::propose(app, a)),
            Act::Dispatch(a) => out.extend(super::propose::dispatch(app, a)),
            Act::Reveal { pid, starttime } => {
                out.extend(super::propose::reveal_environ(app, pid, starttime))
            }
            Act::Run(cmd) => out.extend(command(app, cmd)),
            Act::Check(a) => {
                if let Some(fx) = super::propose::refuse(app, &a) {
                    out.extend(fx);
                    break;
                }
            }
            Act::ShowProcess(key) => show_process(app, key),
        }
    }
    if !shells.is_empty() {
        out.extend(super::fleet::open_shells(app, shells));
    }
    out
}

/// Enter on a socket: its process, selected on the processes screen; Esc returns.
fn show_process(app: &mut App, key: crate::model::ProcKey) {
    use super::popup::Level;
    use super::screen::Screen;
    if !app.screens.processes.reveal(&app.data, key) {
        app.set_status(Level::Warn, format!("process {} has exited", key.pid));
        return;
    }
    let from = app.screen;
    app.show(Screen::Processes);
    // No collector change: the table left is kept up to date for the way back.
    app.back = Some(from);
    app.scroll_into_view();
    app.set_status(
        Level::Info,
        format!("Esc: back to the {} view", from.name()),
    );
}

/// A command from the keymap or the `:` line: the screen on top first, then the
/// generic commands of its table, then the global ones (`commands::apply`).
pub fn command(app: &mut App, cmd: crate::config::Command) -> Vec<Effect> {
    let c = app.screens.get_mut(app.screen);
    if let Some(acts) = c.run(&cmd, &app.data) {
        return apply(app, acts);
    }
    if let Some(t) = c.table_mut()
        && let Some(acts) = table_command(t, &cmd, &app.data)
    {
        let fx = apply(app, acts);
        app.scroll_into_view();
        return fx;
    }
    // Global commands a screen answers for, whichever screen is on top.
    match &cmd {
        // Within a site, the processes and ports screens' `L`: the site's log.
        crate::config::Command::SiteLogs => {
            let acts = super::screens::units::site_log(&app.data, app.data.site.as_deref());
            return apply(app, acts);
        }
        // The hosts screen's targets, whichever screen `:exec` was typed on.
        crate::config::Command::Exec(c) => {
            let acts = app.screens.hosts.exec(c.clone(), &app.data);
            return apply(app, acts);
        }
        _ => {}
    }
    super::commands::apply(app, cmd)
}

/// What every table does with the same commands: moves, marks, sort, filter, export.
pub fn table_command(
    t: &mut dyn TableOps,
    cmd: &crate::config::Command,
    data: &Data,
) -> Option<Vec<Act>> {
    use crate::config::Command as C;
    match cmd {
        C::Up => t.move_by(data, -1),
        C::Down => t.move_by(data, 1),
        C::PageUp => t.page(data, -1),
        C::PageDown => t.page(data, 1),
        C::Top => t.top(data),
        C::Bottom => t.bottom(data),
        C::ScrollLeft => t.scroll_sideways(-8),
        C::ScrollRight => t.scroll_sideways(8),
        C::Mark => t.toggle_mark(data),
        C::MarkRange => t.mark_range(data),
        C::ClearMarks => t.clear_marks(),
        C::Sort(name) => {
            if let Err(e) = t.sort_named(data, name) {
                return Some(vec![Act::info(e)]);
            }
        }
        C::SortNext => t.sort_step(data, 1),
        C::SortPrev => t.sort_step(data, -1),
        C::SortInvert => t.invert(data),
        C::Filter(Some(text)) => t.set_filter(data, text),
        C::Filter(None) => {
            let text = t.filter().to_string();
            return Some(vec![Act::Popup(super::popup::Popup::Input {
                kind: super::popup::InputKind::Filter,
                text: text.clone(),
                previous: text,
                error: None,
            })]);
        }
        C::ClearFilter => t.set_filter(data, ""),
        C::Follow => {
            let f = t.follow();
            *f = !*f;
            let on = *f;
            return Some(vec![Act::info(if on {
                "following the selected row"
            } else {
                "follow off"
            })]);
        }
        C::Export {
            format,
            path,
            marked_only,
        } => {
            return Some(vec![export(
                t,
                data,
                *format,
                path.as_deref(),
                *marked_only,
            )]);
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// `:export csv|json [PATH]`: what the table shows, in its order, every column (the
/// marked rows only with `export!`), written by the dispatcher as the operator.
fn export(
    t: &dyn TableOps,
    data: &Data,
    format: crate::model::export::ExportFormat,
    path: Option<&str>,
    marked_only: bool,
) -> Act {
    use crate::model::export::ExportFormat;
    if marked_only && t.marked() == 0 {
        return Act::info("export! writes the marked rows: mark some first (Space)");
    }
    let (headers, rows, json) = t.export(data, marked_only);
    let table = t.name();
    let path = match path {
        Some(p) if std::path::Path::new(p).is_absolute() => std::path::PathBuf::from(p),
        Some(p) => match &data.cwd {
            Some(cwd) => cwd.join(p),
            None => return Act::error(format!("{p}: give an absolute path")),
        },
        None => match &data.exports_dir {
            Some(dir) => dir.join(crate::config::paths::export_file_name(
                table,
                format,
                std::time::SystemTime::now(),
            )),
            None => {
                return Act::error(
                    "no exports directory (no home for the operator): give a path, :export csv /tmp/x.csv",
                );
            }
        },
    };
    let count = rows.len();
    let content = match format {
        ExportFormat::Csv => super::export::csv(&headers, &rows),
        ExportFormat::Json => super::export::json(table, json),
    };
    Act::Propose(crate::actions::Action::Export {
        table: table.to_string(),
        format,
        path,
        content: content.into_bytes(),
        rows: count,
    })
}
