//! The detail pane of one process: everything the table has no room for, each field
//! made inert, unreadable fields saying why.

use super::layout::centered;
use crate::model::format::human_bytes;
use crate::model::text::inert;
use crate::sources::detail::{Field, ProcDetail};
use crate::tui::app::App;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

fn kv<'a>(th: &Theme, k: &str, v: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{k:<12}"), th.header),
        Span::styled(v, th.dialog),
    ])
}

/// A start time as the START column's clock is: UTC, to the second.
fn started(unix: u64) -> String {
    let day = unix % 86400;
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        crate::model::format::date(unix),
        day / 3600,
        (day % 3600) / 60,
        day % 60
    )
}

/// /proc/PID/cgroup has a line per hierarchy (several under cgroup v1): one row each,
/// not one row with the newlines shown as `\n`.
fn cgroup_lines<'a>(th: &Theme, f: &Field<String>) -> Vec<Line<'a>> {
    let Ok(text) = f else {
        return vec![kv(th, "Cgroup", field(f, String::clone))];
    };
    let mut out: Vec<Line> = text
        .lines()
        .filter(|l| !l.is_empty())
        .enumerate()
        .map(|(i, l)| {
            kv(
                th,
                if i == 0 { "Cgroup" } else { "" },
                inert(l, 300).into_owned(),
            )
        })
        .collect();
    if out.is_empty() {
        out.push(kv(th, "Cgroup", "-".into()));
    }
    out
}

fn field<T>(f: &Field<T>, show: impl Fn(&T) -> String) -> String {
    match f {
        Ok(v) => show(v),
        Err(e) => format!("({e})"),
    }
}

fn section<'a>(th: &Theme, title: &str) -> Line<'a> {
    Line::from(Span::styled(title.to_string(), th.accent))
}

/// A titled list of text lines (limits, environment), or why it is missing.
fn text_section(
    l: &mut Vec<Line<'_>>,
    th: &Theme,
    title: &str,
    f: &Field<Vec<String>>,
    max: usize,
) {
    l.push(Line::raw(""));
    l.push(section(th, title));
    match f {
        Ok(v) => l.extend(
            v.iter()
                .map(|s| Line::from(Span::styled(format!("  {}", inert(s, max)), th.dialog))),
        ),
        Err(e) => l.push(Line::from(Span::styled(format!("  ({e})"), th.muted))),
    }
}

fn lines_for<'a>(app: &App, d: &ProcDetail, revealed: Option<&[String]>) -> Vec<Line<'a>> {
    let th = &app.theme;
    let snap_proc = app
        .data
        .snapshot
        .processes
        .iter()
        .find(|p| p.pid == d.pid && p.starttime_ticks == d.starttime);
    let mut l = vec![kv(
        th,
        "PID",
        format!("{}  ({})", d.pid, inert(&d.name, 32)),
    )];
    if let Some(p) = snap_proc {
        l.push(kv(th, "User", inert(&p.user, 32).into_owned()));
        l.push(kv(
            th,
            "State",
            format!(
                "{} ({})  nice {}  priority {}",
                p.state,
                p.state_name(),
                p.nice,
                p.priority
            ),
        ));
        l.push(kv(
            th,
            "Memory",
            format!(
                "rss {}  virt {}",
                human_bytes(p.rss_bytes),
                human_bytes(p.vsize_bytes)
            ),
        ));
        l.push(kv(
            th,
            "Started",
            format!(
                "{} ({:.2} CPU s used)",
                started(p.start_time),
                p.cpu_seconds
            ),
        ));
    }
    l.extend([
        kv(
            th,
            "Executable",
            field(&d.exe, |s| inert(s, 500).into_owned()),
        ),
        kv(
            th,
            "Working dir",
            field(&d.cwd, |s| inert(s, 500).into_owned()),
        ),
        kv(th, "Uid r/e/s/f", field(&d.uids, |s| s.clone())),
        kv(th, "Gid r/e/s/f", field(&d.gids, |s| s.clone())),
        kv(
            th,
            "Groups",
            field(
                &d.groups,
                |s| if s.is_empty() { "-".into() } else { s.clone() },
            ),
        ),
        kv(th, "Threads", d.threads.to_string()),
        kv(
            th,
            "I/O",
            field(&d.io, |io| {
                format!(
                    "read {} written {} (storage); {} / {} through calls",
                    human_bytes(io.read_bytes),
                    human_bytes(io.write_bytes),
                    human_bytes(io.rchar),
                    human_bytes(io.wchar)
                )
            }),
        ),
        kv(th, "Open files", field(&d.open_files, |n| n.to_string())),
        kv(
            th,
            "Unit",
            d.unit
                .as_deref()
                .map(|u| inert(u, 200).into_owned())
                .unwrap_or_else(|| "-".into()),
        ),
    ]);
    l.extend(cgroup_lines(th, &d.cgroup));
    l.extend([Line::raw(""), section(th, "Command")]);
    match &d.cmdline {
        Ok(args) if args.is_empty() => l.push(Line::from(Span::styled(
            "  (none: kernel thread or zombie)",
            th.muted,
        ))),
        Ok(args) => {
            // One argument per line: long argv stay readable and nothing is ambiguous.
            for (i, a) in args.iter().enumerate() {
                l.push(Line::from(vec![
                    Span::styled(format!("  {i:>3} "), th.muted),
                    Span::styled(
                        inert(a, 2000).into_owned(),
                        if i == 0 { th.basename } else { th.dialog },
                    ),
                ]));
            }
        }
        Err(e) => l.push(Line::from(Span::styled(format!("  ({e})"), th.muted))),
    }
    l.push(Line::raw(""));
    l.push(section(th, "Sockets"));
    match &d.sockets {
        Ok(s) if s.is_empty() => l.push(Line::from(Span::styled("  none (TCP/UDP)", th.muted))),
        Ok(s) => {
            for e in s {
                l.push(Line::from(Span::styled(
                    format!(
                        "  {:<5} {:<24} {:<24} {}",
                        e.proto, e.local, e.remote, e.state
                    ),
                    th.dialog,
                )));
            }
        }
        Err(e) => l.push(Line::from(Span::styled(format!("  ({e})"), th.muted))),
    }
    text_section(&mut l, th, "Limits", &d.limits, 200);
    match revealed {
        Some(v) => text_section(
            &mut l,
            th,
            "Environment (revealed, recorded)",
            &Ok(v.to_vec()),
            2000,
        ),
        None if d.environ_masked => text_section(
            &mut l,
            th,
            "Environment (values masked — v reveals)",
            &d.environ,
            2000,
        ),
        None => text_section(&mut l, th, "Environment", &d.environ, 2000),
    }
    l
}

pub fn render(
    f: &mut Frame,
    app: &App,
    data: Option<&Result<ProcDetail, String>>,
    pid: i32,
    scroll: usize,
    revealed: Option<&[String]>,
) {
    let th = &app.theme;
    let masked =
        revealed.is_none() && matches!(data, Some(Ok(d)) if d.environ_masked && d.environ.is_ok());
    let lines = match data {
        None => vec![Line::from(Span::styled("reading…", th.muted))],
        Some(Err(e)) => vec![Line::from(Span::styled(
            inert(e, 300).into_owned(),
            th.danger,
        ))],
        Some(Ok(d)) => lines_for(app, d, revealed),
    };
    let full = f.area();
    let area = centered(
        full,
        full.width.saturating_sub(4).max(20),
        full.height.saturating_sub(2).max(3),
    );
    f.render_widget(Clear, area);
    let block = Block::bordered()
        .title(Span::styled(
            format!(
                " Process {pid} — Esc closes, j/k scroll{} ",
                if masked {
                    ", v reveals the environment"
                } else {
                    ""
                }
            ),
            th.accent,
        ))
        .border_style(th.border)
        .style(th.dialog);
    let inner_h = block.inner(area).height as usize;
    let max = lines.len().saturating_sub(inner_h);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(max) as u16, 0)),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn a_start_time_reads_as_a_clock_not_unix_seconds() {
        assert_eq!(started(1_700_000_000), "2023-11-14 22:13:20 UTC");
    }

    #[test]
    fn every_cgroup_hierarchy_is_a_row_of_its_own() {
        let th = Theme::default();
        let v1 = "9:name=systemd:/app.slice/a.service\n0::/app.slice/a.service\n".to_string();
        let rows: Vec<String> = cgroup_lines(&th, &Ok(v1)).iter().map(text).collect();
        assert_eq!(
            rows,
            [
                "Cgroup      9:name=systemd:/app.slice/a.service",
                "            0::/app.slice/a.service"
            ]
        );
        let err: Vec<String> = cgroup_lines(&th, &Err("permission denied".into()))
            .iter()
            .map(text)
            .collect();
        assert_eq!(err, ["Cgroup      (permission denied)"]);
    }
}
