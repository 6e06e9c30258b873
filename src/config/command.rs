//! The command language shared by key bindings (`run = "signal KILL"`) and the `:`
//! command line. One parser, so every name a binding can use is also typeable, `?`
//! help lists them, and an unknown name in the config is an error at load time.

use crate::model::signal::Sig;

pub use super::command_names::NAMES;

/// Columns that can be sorted on, across all views (each view says which it has).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortKey {
    Pid,
    User,
    Nice,
    State,
    Cpu,
    Mem,
    Time,
    Start,
    /// The process table's COMMAND, the ports table's PROCESS.
    Command,
    Proto,
    /// Port number first, then address.
    Local,
    Remote,
    Exposure,
    Conns,
    Unit,
    Site,
    Service,
    Restarts,
    Health,
}

impl SortKey {
    pub const ALL: [SortKey; 19] = [
        SortKey::Pid,
        SortKey::User,
        SortKey::Nice,
        SortKey::State,
        SortKey::Cpu,
        SortKey::Mem,
        SortKey::Time,
        SortKey::Start,
        SortKey::Command,
        SortKey::Proto,
        SortKey::Local,
        SortKey::Remote,
        SortKey::Exposure,
        SortKey::Conns,
        SortKey::Unit,
        SortKey::Site,
        SortKey::Service,
        SortKey::Restarts,
        SortKey::Health,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SortKey::Pid => "pid",
            SortKey::User => "user",
            SortKey::Nice => "nice",
            SortKey::State => "state",
            SortKey::Cpu => "cpu",
            SortKey::Mem => "mem",
            SortKey::Time => "time",
            SortKey::Start => "start",
            SortKey::Command => "command",
            SortKey::Proto => "proto",
            SortKey::Local => "local",
            SortKey::Remote => "remote",
            SortKey::Exposure => "exposure",
            SortKey::Conns => "conns",
            SortKey::Unit => "unit",
            SortKey::Site => "site",
            SortKey::Service => "service",
            SortKey::Restarts => "restarts",
            SortKey::Health => "health",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let s = s.to_ascii_lowercase();
        let alias = match s.as_str() {
            "ni" => "nice",
            "s" => "state",
            "cpu%" => "cpu",
            "rss" | "memory" => "mem",
            "time+" => "time",
            "cmd" | "process" | "name" => "command",
            "port" => "local",
            "connections" => "conns",
            "active" => "state",
            "main-pid" => "pid",
            "since" => "start",
            other => other,
        };
        Self::ALL.into_iter().find(|k| k.name() == alias)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Quit,
    Help,
    ShowProcs,
    ShowPorts,
    ShowServices,
    ShowSites,
    /// `:site NAME`: the services, processes and ports of one site; empty: all sites.
    FocusSite(String),
    /// Services view: every service unit, or only the sites' ones.
    ToggleAllUnits,
    /// The merged log of the selected row's site.
    SiteLogs,
    /// A unit action on the marked or selected services; `None` opens the menu.
    UnitAction(Option<crate::systemd::jobs::UnitOp>),
    DaemonReload,
    /// Services view: a custom command on the marked or selected services; `None`
    /// opens the menu of the commands they have in common.
    RunCommand(Option<String>),
    /// `:jobs`: the session's jobs, their targets and output.
    ShowJobs,
    /// `:audit`: the audit log, following.
    ShowAudit,
    /// `:hosts`: the fleet, its connections, exec and shell panes.
    ShowHosts,
    /// `:panes`: the open shell panes.
    ShowPanes,
    /// `:host NAME`: a shell pane on that host.
    OpenHost(String),
    /// `:exec CMD`: a command on the marked or selected hosts (asks without one).
    Exec(Option<String>),
    /// Services view: edit the selected service's env file in $EDITOR.
    EditEnv,
    /// Tab: the next view.
    NextView,
    /// Shift-Tab: the previous view.
    PrevView,
    /// Esc outside popups: back to the view a jump came from.
    Back,
    /// Ports view: listening sockets only, or all.
    ToggleListening,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    ScrollLeft,
    ScrollRight,
    Sort(SortKey),
    SortNext,
    SortPrev,
    SortInvert,
    /// `None` opens the filter prompt.
    Filter(Option<String>),
    /// `None` opens the user prompt; `Some("")` clears the user filter.
    FilterUser(Option<String>),
    ClearFilter,
    Tree,
    Collapse,
    Pause,
    Follow,
    Mark,
    MarkRange,
    ClearMarks,
    /// `None` opens the signal menu.
    Signal(Option<Sig>),
    /// `None` prompts for a value.
    Nice(Option<NiceArg>),
    Restart,
    Detail,
    CommandLine,
    RefreshFaster,
    RefreshSlower,
    Refresh(u64),
    Theme(String),
    Readonly,
    KernelThreads,
    Redraw,
    Suspend,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NiceArg {
    Set(i32),
    By(i32),
}

fn nice_value(s: &str) -> Result<i32, String> {
    s.parse()
        .map_err(|_| format!("`{s}` is not a number (nice values run from -20 to 19)"))
}

impl Command {
    /// Parses `signal KILL`, `sort cpu`, `q`... Errors say what was expected.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (name, arg) = match s.split_once(char::is_whitespace) {
            Some((n, a)) => (n, Some(a.trim()).filter(|a| !a.is_empty())),
            None => (s, None),
        };
        let no_arg = |c: Command| match arg {
            None => Ok(c),
            Some(a) => Err(format!("`{name}` takes no argument (got `{a}`)")),
        };
        match name {
            "quit" | "q" | "q!" => no_arg(Command::Quit),
            "help" | "?" => no_arg(Command::Help),
            "procs" | "processes" | "ps" => no_arg(Command::ShowProcs),
            "ports" | "sockets" => no_arg(Command::ShowPorts),
            "next-view" => no_arg(Command::NextView),
            "prev-view" => no_arg(Command::PrevView),
            "svc" | "services" | "units" => no_arg(Command::ShowServices),
            "sites" => no_arg(Command::ShowSites),
            "site" => Ok(Command::FocusSite(arg.unwrap_or("").to_string())),
            "all-units" => no_arg(Command::ToggleAllUnits),
            "site-logs" | "site-log" => no_arg(Command::SiteLogs),
            "daemon-reload" => no_arg(Command::DaemonReload),
            "run" | "cmd" => Ok(Command::RunCommand(arg.map(str::to_string))),
            "jobs" => no_arg(Command::ShowJobs),
            "audit" => no_arg(Command::ShowAudit),
            "hosts" | "fleet" => no_arg(Command::ShowHosts),
            "panes" => no_arg(Command::ShowPanes),
            "host" | "ssh" => match arg {
                Some(h) => Ok(Command::OpenHost(h.to_string())),
                None => Err("`host` needs a host name: host web1".into()),
            },
            "exec" => Ok(Command::Exec(arg.map(str::to_string))),
            "edit-env" | "env" => no_arg(Command::EditEnv),
            "unit" => match arg {
                None => Ok(Command::UnitAction(None)),
                Some(a) => crate::systemd::jobs::UnitOp::parse(a)
                    .map(|op| Command::UnitAction(Some(op)))
                    .ok_or_else(|| format!("`unit {a}`: use start, stop, restart, reload, enable, disable or reset-failed")),
            },
            "back" => no_arg(Command::Back),
            "toggle-listening" | "listening" => no_arg(Command::ToggleListening),
            "up" => no_arg(Command::Up),
            "down" => no_arg(Command::Down),
            "page-up" => no_arg(Command::PageUp),
            "page-down" => no_arg(Command::PageDown),
            "top" => no_arg(Command::Top),
            "bottom" => no_arg(Command::Bottom),
            "left" => no_arg(Command::ScrollLeft),
            "right" => no_arg(Command::ScrollRight),
            "sort" => match arg {
                Some(a) => SortKey::parse(a).map(Command::Sort).ok_or_else(|| {
                    {
                    let names: Vec<&str> = SortKey::ALL.iter().map(|k| k.name()).collect();
                    format!("unknown column `{a}`: use one of {}", names.join(", "))
                }
                }),
                None => Err("sort needs a column: sort cpu".into()),
            },
            "sort-next" => no_arg(Command::SortNext),
            "sort-prev" => no_arg(Command::SortPrev),
            "sort-invert" | "invert" => no_arg(Command::SortInvert),
            "filter" => Ok(Command::Filter(arg.map(str::to_string))),
            "filter-user" | "user" => Ok(Command::FilterUser(arg.map(str::to_string))),
            "clear-filter" => no_arg(Command::ClearFilter),
            "tree" => no_arg(Command::Tree),
            "collapse" => no_arg(Command::Collapse),
            "pause" => no_arg(Command::Pause),
            "follow" => no_arg(Command::Follow),
            "mark" => no_arg(Command::Mark),
            "mark-range" => no_arg(Command::MarkRange),
            "clear-marks" => no_arg(Command::ClearMarks),
            "signal" | "kill" => match arg {
                Some(a) => Sig::parse(a)
                    .map(|g| Command::Signal(Some(g)))
                    .ok_or_else(|| format!("unknown signal `{a}`: use TERM, KILL, INT, HUP, QUIT, STOP, CONT, USR1, USR2")),
                None => Ok(Command::Signal(None)),
            },
            "nice" | "renice" => match arg {
                Some(a) => nice_value(a).map(|n| Command::Nice(Some(NiceArg::Set(n)))),
                None => Ok(Command::Nice(None)),
            },
            "nice-by" => match arg {
                Some(a) => nice_value(a).map(|n| Command::Nice(Some(NiceArg::By(n)))),
                None => Err("nice-by needs a signed step: nice-by +1".into()),
            },
            "restart" => no_arg(Command::Restart),
            "detail" => no_arg(Command::Detail),
            "command-line" => no_arg(Command::CommandLine),
            "refresh-faster" => no_arg(Command::RefreshFaster),
            "refresh-slower" => no_arg(Command::RefreshSlower),
            "refresh" => match arg.map(str::parse::<u64>) {
                Some(Ok(ms)) if ms >= 100 => Ok(Command::Refresh(ms)),
                _ => Err("refresh needs milliseconds, at least 100: refresh 2000".into()),
            },
            "theme" => match arg {
                Some(a) => Ok(Command::Theme(a.to_string())),
                None => Err("theme needs a name: theme light".into()),
            },
            "readonly" => no_arg(Command::Readonly),
            "kernel-threads" => no_arg(Command::KernelThreads),
            "redraw" => no_arg(Command::Redraw),
            "suspend" => no_arg(Command::Suspend),
            "" => Err("empty command".into()),
            other => Err(format!("unknown command `{other}` (see `?` for the list)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn parses_commands() {
        assert_eq!(
            Command::parse("signal KILL"),
            Ok(Command::Signal(Some(Sig::Kill)))
        );
        assert_eq!(Command::parse("signal"), Ok(Command::Signal(None)));
        assert_eq!(
            Command::parse("sort  cpu "),
            Ok(Command::Sort(SortKey::Cpu))
        );
        assert_eq!(
            Command::parse("nice-by +1"),
            Ok(Command::Nice(Some(NiceArg::By(1))))
        );
        assert_eq!(
            Command::parse("nice-by -1"),
            Ok(Command::Nice(Some(NiceArg::By(-1))))
        );
        assert_eq!(
            Command::parse("nice 10"),
            Ok(Command::Nice(Some(NiceArg::Set(10))))
        );
        assert_eq!(
            Command::parse("nice -15"),
            Ok(Command::Nice(Some(NiceArg::Set(-15))))
        );
        assert!(Command::parse("nice-by").is_err());
        assert_eq!(
            Command::parse("filter !sshd"),
            Ok(Command::Filter(Some("!sshd".into())))
        );
        assert!(Command::parse("sigkill").is_err());
        assert!(Command::parse("quit now").is_err());
        assert!(Command::parse("refresh 5").is_err());
    }
}
