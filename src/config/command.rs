//! The command language shared by key bindings (`run = "signal KILL"`) and the `:`
//! command line. Every command is declared once, in the registry (`SPECS`, in
//! `registry.rs`): its name, aliases, arguments, doc and constructor. The parser, `?`
//! help and the `:` line read it, so every name a binding can use is also typeable and
//! an unknown name in the config is an error at load time.

use crate::model::export::ExportFormat;
use crate::model::signal::Sig;

pub use super::registry::{SPECS, Spec};

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
    /// Services: the selected unit's log.
    UnitLog,
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
    /// Hosts: a shell pane on each marked (or the selected) host.
    Shell,
    /// `:exec CMD`: a command on the marked or selected hosts (asks without one).
    Exec(Option<String>),
    /// Services view: edit the selected service's env file in $EDITOR.
    EditEnv,
    /// Tab: the next screen.
    NextView,
    /// Shift-Tab: the previous screen.
    PrevView,
    /// Esc outside popups: back to the view a jump came from.
    Back,
    /// Ports view: listening sockets only, or all.
    ToggleListening,
    /// Ports: jump to the selected socket's process.
    Owner,
    /// Sites: open the selected site (its services, processes and ports).
    OpenSite,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    ScrollLeft,
    ScrollRight,
    /// A column name (lower case), checked by the table on screen.
    Sort(String),
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
    /// `:export csv|json [PATH]` (`export!`: the marked rows only): the table on
    /// screen as shown (filter, sort, all columns); no path: the exports dir.
    Export {
        format: ExportFormat,
        path: Option<String>,
        marked_only: bool,
    },
    /// `None` opens the signal menu.
    Signal(Option<Sig>),
    /// `None` prompts for a value.
    Nice(Option<NiceArg>),
    Restart,
    /// The selected process's detail (old bindings: what Enter did in each view).
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
    /// The shell panes' own keys (after the prefix chord).
    Pane(PaneCommand),
    /// Jobs: open the selected job's targets and output.
    OpenJob,
    /// Jobs: cancel the selected (or open) running job.
    Cancel,
    /// Jobs: retry the failed targets of the selected (or open) job.
    Retry,
    /// Log pane: search its lines.
    LogSearch,
    /// The confirmation dialog's keys.
    Confirm(ConfirmCommand),
    /// A text prompt: clear what was typed.
    InputClear,
}

/// What a key does in the shell panes after the prefix chord.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneCommand {
    /// Back to typing into the pane.
    Type,
    Next,
    Prev,
    /// The N-th pane, from 1.
    Go(usize),
    /// Show one more pane side by side (1 to 4, then 1 again).
    Split,
    Broadcast,
    /// Back into the scrollback (or the selection's cursor up).
    ScrollUp(PaneScroll),
    /// Towards the live screen (or the selection's cursor down).
    ScrollDown(PaneScroll),
    Search,
    SearchNext,
    /// Start or drop a line selection.
    Select,
    /// Copy the selected lines (or the screen) to the terminal's clipboard.
    Copy,
    Close,
    /// Send the prefix chord itself to the pane.
    SendPrefix,
}

/// How far a pane scrolls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaneScroll {
    Lines(usize),
    Page,
    /// All the way: the oldest line (up) or the live screen (down).
    End,
}

/// What a key does in the confirmation dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmCommand {
    /// Confirm, whichever button is focused.
    Yes,
    /// Cancel.
    No,
    /// Move the focus between Cancel and OK.
    Toggle,
    /// The focused button (Cancel by default).
    Accept,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NiceArg {
    Set(i32),
    By(i32),
}

impl Command {
    /// Parses `signal KILL`, `sort cpu`, `q`... by the registry. Errors say what was
    /// expected.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let (name, arg) = match s.split_once(char::is_whitespace) {
            Some((n, a)) => (n, Some(a.trim()).filter(|a| !a.is_empty())),
            None => (s, None),
        };
        if name.is_empty() {
            return Err("empty command".into());
        }
        let Some(spec) = super::registry::find(name) else {
            return Err(format!("unknown command `{name}` (see `?` for the list)"));
        };
        match arg {
            Some(a) if spec.args.is_empty() => {
                Err(format!("`{name}` takes no argument (got `{a}`)"))
            }
            _ => (spec.make)(arg),
        }
    }

    /// The registry name of the command (for hints and help).
    pub fn name(&self) -> &'static str {
        super::registry::name_of(self)
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
        assert!(Command::parse("").is_err());
    }
}
