//! The constructors of the commands that take an argument (`signal KILL`, `sort cpu`,
//! `export csv PATH`, `pane-go 2`...), as the registry (`registry.rs`) names them.
//! Each says what it expected when the argument does not fit.

use super::command::{Command, NiceArg, PaneCommand, PaneScroll};
use crate::model::export::ExportFormat;
use crate::model::signal::Sig;
use crate::systemd::jobs::UnitOp;

type Made = Result<Command, String>;

fn nice_value(s: &str) -> Result<i32, String> {
    s.parse()
        .map_err(|_| format!("`{s}` is not a number (nice values run from -20 to 19)"))
}

pub fn host(a: Option<&str>) -> Made {
    match a {
        Some(h) => Ok(Command::OpenHost(h.to_string())),
        None => Err("`host` needs a host name: host web1".into()),
    }
}

/// The column is checked by the table on screen, which knows its columns.
pub fn sort(a: Option<&str>) -> Made {
    match a {
        Some(c) if !c.contains(char::is_whitespace) => Ok(Command::Sort(c.to_ascii_lowercase())),
        Some(c) => Err(format!("sort takes one column name (got `{c}`)")),
        None => Err("sort needs a column: sort cpu".into()),
    }
}

/// `csv|json [PATH]`; the path is the rest of the line (it may hold spaces).
pub fn export(a: Option<&str>, marked_only: bool) -> Made {
    let usage = "export csv [PATH] or export json [PATH]";
    let Some(a) = a else {
        return Err(format!("export needs a format: {usage}"));
    };
    let (fmt, path) = match a.split_once(char::is_whitespace) {
        Some((f, p)) => (f, Some(p.trim().to_string())),
        None => (a, None),
    };
    let format =
        ExportFormat::parse(fmt).ok_or_else(|| format!("unknown format `{fmt}`: {usage}"))?;
    Ok(Command::Export {
        format,
        path,
        marked_only,
    })
}

pub fn signal(a: Option<&str>) -> Made {
    match a {
        Some(a) => Sig::parse(a)
            .map(|g| Command::Signal(Some(g)))
            .ok_or_else(|| {
                format!(
                    "unknown signal `{a}`: use TERM, KILL, INT, HUP, QUIT, STOP, CONT, USR1, USR2"
                )
            }),
        None => Ok(Command::Signal(None)),
    }
}

pub fn nice(a: Option<&str>) -> Made {
    match a {
        Some(a) => nice_value(a).map(|n| Command::Nice(Some(NiceArg::Set(n)))),
        None => Ok(Command::Nice(None)),
    }
}

pub fn nice_by(a: Option<&str>) -> Made {
    match a {
        Some(a) => nice_value(a).map(|n| Command::Nice(Some(NiceArg::By(n)))),
        None => Err("nice-by needs a signed step: nice-by +1".into()),
    }
}

pub fn unit(a: Option<&str>) -> Made {
    match a {
        None => Ok(Command::UnitAction(None)),
        Some(a) => UnitOp::parse(a)
            .map(|op| Command::UnitAction(Some(op)))
            .ok_or_else(|| {
                format!(
                    "`unit {a}`: use start, stop, restart, reload, enable, disable or reset-failed"
                )
            }),
    }
}

pub fn refresh(a: Option<&str>) -> Made {
    match a.map(str::parse::<u64>) {
        Some(Ok(ms)) if ms >= 100 => Ok(Command::Refresh(ms)),
        _ => Err("refresh needs milliseconds, at least 100: refresh 2000".into()),
    }
}

pub fn theme(a: Option<&str>) -> Made {
    match a {
        Some(a) => Ok(Command::Theme(a.to_string())),
        None => Err("theme needs a name: theme light".into()),
    }
}

pub fn pane_go(a: Option<&str>) -> Made {
    match a.map(str::parse::<usize>) {
        Some(Ok(n)) if n > 0 => Ok(Command::Pane(PaneCommand::Go(n))),
        _ => Err("pane-go needs a pane number from 1: pane-go 2".into()),
    }
}

/// `[N|page|end]`, one line without an argument.
pub fn pane_scroll(a: Option<&str>) -> Result<PaneScroll, String> {
    match a {
        None => Ok(PaneScroll::Lines(1)),
        Some("page") => Ok(PaneScroll::Page),
        Some("end") => Ok(PaneScroll::End),
        Some(n) => match n.parse::<usize>() {
            Ok(n) if n > 0 => Ok(PaneScroll::Lines(n)),
            _ => Err(format!("`{n}`: use a number of lines, page or end")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_export() {
        assert_eq!(
            Command::parse("export csv"),
            Ok(Command::Export {
                format: ExportFormat::Csv,
                path: None,
                marked_only: false
            })
        );
        assert_eq!(
            Command::parse("export! JSON /tmp/my hosts.json"),
            Ok(Command::Export {
                format: ExportFormat::Json,
                path: Some("/tmp/my hosts.json".into()),
                marked_only: true
            })
        );
        let e = Command::parse("export xlsx").expect_err("unknown format");
        assert!(e.contains("csv") && e.contains("json"), "{e}");
        assert!(Command::parse("export").is_err());
    }

    #[test]
    fn parses_pane_commands() {
        assert_eq!(
            Command::parse("pane-go 3"),
            Ok(Command::Pane(PaneCommand::Go(3)))
        );
        assert!(Command::parse("pane-go 0").is_err());
        assert!(Command::parse("pane-go").is_err());
        assert_eq!(
            Command::parse("pane-scroll-up"),
            Ok(Command::Pane(PaneCommand::ScrollUp(PaneScroll::Lines(1))))
        );
        assert_eq!(
            Command::parse("pane-scroll-down end"),
            Ok(Command::Pane(PaneCommand::ScrollDown(PaneScroll::End)))
        );
        assert_eq!(
            Command::parse("pane-scroll-up page"),
            Ok(Command::Pane(PaneCommand::ScrollUp(PaneScroll::Page)))
        );
        assert!(Command::parse("pane-scroll-up lots").is_err());
    }

    #[test]
    fn sort_takes_one_column_and_lowers_it() {
        assert_eq!(
            Command::parse("sort  CPU "),
            Ok(Command::Sort("cpu".into()))
        );
        assert!(Command::parse("sort").is_err());
        assert!(Command::parse("sort cpu mem").is_err());
    }
}
