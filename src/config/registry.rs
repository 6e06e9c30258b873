//! The command registry: every command of the keymap and the `:` line declared once,
//! with its name, aliases, argument syntax, one-line doc and constructor. `Command::
//! parse` looks names up here, `?` help lists it, the `:` line completes from it.
//! The order is help's order. Constructors taking an argument are in `command_args`.

use super::command::{Command, ConfirmCommand, NiceArg, PaneCommand};
use super::command_args as arg;
use Command as C;
use ConfirmCommand as Cf;
use PaneCommand as P;
/// One command. `args` is the syntax as help shows it (`[SIG]`: optional, `MS`:
/// required, empty: none, which `Command::parse` enforces); `make` builds the command
/// from the argument text.
pub struct Spec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub args: &'static str,
    pub doc: &'static str,
    pub make: fn(Option<&str>) -> Result<Command, String>,
}

impl Spec {
    /// `name args`, as help shows it.
    pub fn usage(&self) -> String {
        if self.args.is_empty() {
            self.name.to_string()
        } else {
            format!("{} {}", self.name, self.args)
        }
    }
}

impl std::fmt::Debug for Spec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spec").field("name", &self.name).finish()
    }
}

/// A command without an argument.
macro_rules! plain {
    ($name:literal, [$($alias:literal),*], $doc:literal, $cmd:expr) => {
        Spec { name: $name, aliases: &[$($alias),*], args: "", doc: $doc, make: |_| Ok($cmd) }
    };
}

/// A command with an argument, built by `make`.
macro_rules! with {
    ($name:literal, [$($alias:literal),*], $args:literal, $doc:literal, $make:expr) => {
        Spec { name: $name, aliases: &[$($alias),*], args: $args, doc: $doc, make: $make }
    };
}

#[rustfmt::skip]
pub static SPECS: &[Spec] = &[
    // The application and its screens.
    plain!("quit", ["q", "q!"], "leave qd", C::Quit),
    plain!("help", ["?"], "the keys of the screen and these commands", C::Help),
    plain!("command-line", [], "open the : command line", C::CommandLine),
    plain!("procs", ["processes", "ps"], "the processes", C::ShowProcs),
    plain!("ports", ["sockets"], "the sockets and their processes", C::ShowPorts),
    plain!("svc", ["services", "units"], "the services", C::ShowServices),
    plain!("sites", [], "the sites", C::ShowSites),
    plain!("hosts", ["fleet"], "the fleet: connections, shells, exec", C::ShowHosts),
    plain!("panes", [], "the open shell panes", C::ShowPanes),
    plain!("jobs", [], "the session's jobs: targets, output, cancel, retry", C::ShowJobs),
    plain!("audit", [], "the audit log, following", C::ShowAudit),
    plain!("next-screen", ["next-view"], "the next screen (processes, ports, services, sites)", C::NextView),
    plain!("prev-screen", ["prev-view"], "the previous screen", C::PrevView),
    plain!("back", [], "back to where a jump came from; close the screen", C::Back),
    with!("site", [], "[NAME]", "only one site's services, processes and ports (empty: all)",
        |a| Ok(C::FocusSite(a.unwrap_or("").to_string()))),
    with!("host", ["ssh"], "NAME", "a shell pane on that host", arg::host),
    // Moving in a table.
    plain!("up", [], "move the selection up", C::Up),
    plain!("down", [], "move the selection down", C::Down),
    plain!("page-up", [], "a page up", C::PageUp),
    plain!("page-down", [], "a page down", C::PageDown),
    plain!("top", [], "the first row", C::Top),
    plain!("bottom", [], "the last row", C::Bottom),
    plain!("left", [], "scroll the table left", C::ScrollLeft),
    plain!("right", [], "scroll the table right", C::ScrollRight),
    // Any table.
    with!("sort", [], "COLUMN", "sort by a column of the table on screen (again: invert)", arg::sort),
    plain!("sort-next", [], "sort by the next column", C::SortNext),
    plain!("sort-prev", [], "sort by the previous column", C::SortPrev),
    plain!("sort-invert", ["invert"], "invert the sort order", C::SortInvert),
    with!("filter", [], "[TEXT]", "filter rows: substring or fuzzy, !TEXT negates (prompt without TEXT)",
        |a| Ok(C::Filter(a.map(str::to_string)))),
    plain!("clear-filter", [], "remove all filters", C::ClearFilter),
    plain!("mark", [], "mark the row and move down", C::Mark),
    plain!("mark-range", [], "mark from the last mark to the row", C::MarkRange),
    plain!("clear-marks", [], "clear all marks", C::ClearMarks),
    with!("export", [], "csv|json [PATH]", "write the table as shown to PATH (default: the exports dir)",
        |a| arg::export(a, false)),
    with!("export!", [], "csv|json [PATH]", "export the marked rows only", |a| arg::export(a, true)),
    // Processes (and the processes behind ports and services).
    plain!("detail", [], "the selected process's detail", C::Detail),
    with!("filter-user", ["user"], "[NAME]", "one user's processes (menu without NAME; empty clears)",
        |a| Ok(C::FilterUser(a.map(str::to_string)))),
    plain!("tree", [], "tree view on or off", C::Tree),
    plain!("collapse", [], "tree view: fold the selected subtree", C::Collapse),
    plain!("kernel-threads", [], "show or hide kernel threads", C::KernelThreads),
    plain!("pause", [], "pause or resume refreshing", C::Pause),
    plain!("follow", [], "keep the selection on its row wherever it sorts; logs: follow the end", C::Follow),
    with!("signal", ["kill"], "[SIG]", "signal the marked or selected processes (menu without SIG)",
        arg::signal),
    with!("nice", ["renice"], "[N]", "set the nice value (prompt without N)", arg::nice),
    with!("nice-by", [], "STEP", "change the nice value by STEP (+1 lowers priority)", arg::nice_by),
    plain!("restart", [], "stop and relaunch the process (a unit's: restart the unit)", C::Restart),
    // Ports.
    plain!("owner", [], "ports: jump to the socket's process (Esc comes back)", C::Owner),
    plain!("listening", ["toggle-listening"], "ports: listening sockets only, or all", C::ToggleListening),
    // Services and sites.
    with!("unit", [], "[start|stop|restart|reload|enable|disable|reset-failed]",
        "act on the marked or selected units (menu without a verb)", arg::unit),
    plain!("unit-log", [], "services: the unit's log, following", C::UnitLog),
    plain!("site-logs", ["site-log"], "the merged log of the selected site's services", C::SiteLogs),
    plain!("all-units", [], "services: every service unit, or only the sites' ones", C::ToggleAllUnits),
    plain!("daemon-reload", [], "make systemd re-read its unit files", C::DaemonReload),
    with!("run", ["cmd"], "[COMMAND]", "services: a custom command on the marked or selected services (menu)",
        |a| Ok(C::RunCommand(a.map(str::to_string)))),
    plain!("edit-env", ["env"], "services: edit the env file in $EDITOR, then offer a restart", C::EditEnv),
    plain!("open-site", [], "sites: open the site (its services, processes, ports)", C::OpenSite),
    // Hosts.
    plain!("shell", [], "hosts: a shell pane on each marked (or the selected) host", C::Shell),
    with!("exec", [], "[CMD]", "a command on the marked or selected hosts, results per host",
        |a| Ok(C::Exec(a.map(str::to_string)))),
    // Shell panes, after the prefix chord.
    plain!("pane-type", [], "panes: type into the pane again", C::Pane(P::Type)),
    plain!("pane-next", [], "panes: the next pane", C::Pane(P::Next)),
    plain!("pane-prev", [], "panes: the previous pane", C::Pane(P::Prev)),
    with!("pane-go", [], "N", "panes: the N-th pane", arg::pane_go),
    plain!("pane-split", [], "panes: show 1 to 4 panes side by side", C::Pane(P::Split)),
    plain!("pane-broadcast", [], "panes: typing goes to every pane on screen, or not", C::Pane(P::Broadcast)),
    with!("pane-scroll-up", [], "[N|page|end]", "panes: back into the scrollback (a selection: its cursor)",
        |a| Ok(C::Pane(P::ScrollUp(arg::pane_scroll(a)?)))),
    with!("pane-scroll-down", [], "[N|page|end]", "panes: towards the live screen (end: back to it)",
        |a| Ok(C::Pane(P::ScrollDown(arg::pane_scroll(a)?)))),
    plain!("pane-search", [], "panes: search the scrollback", C::Pane(P::Search)),
    plain!("pane-search-next", [], "panes: the next match", C::Pane(P::SearchNext)),
    plain!("pane-select", [], "panes: start or drop a selection of lines", C::Pane(P::Select)),
    plain!("pane-copy", [], "panes: copy the selection (or the screen) to the clipboard", C::Pane(P::Copy)),
    plain!("pane-close", [], "panes: close the pane", C::Pane(P::Close)),
    plain!("pane-send-prefix", [], "panes: send the prefix key itself to the pane", C::Pane(P::SendPrefix)),
    // Jobs, logs, dialogs, prompts.
    plain!("open-job", [], "jobs: the job's targets and output", C::OpenJob),
    plain!("cancel", [], "jobs: cancel a running job", C::Cancel),
    plain!("retry", [], "jobs: retry only the failed targets", C::Retry),
    plain!("log-search", [], "log: search its lines", C::LogSearch),
    plain!("confirm-yes", [], "dialog: confirm", C::Confirm(Cf::Yes)),
    plain!("confirm-no", [], "dialog: cancel", C::Confirm(Cf::No)),
    plain!("confirm-toggle", [], "dialog: move between Cancel and OK", C::Confirm(Cf::Toggle)),
    plain!("confirm-accept", [], "dialog: the focused button (Cancel first)", C::Confirm(Cf::Accept)),
    plain!("input-clear", [], "a prompt: clear what was typed", C::InputClear),
    // The session.
    with!("refresh", [], "MS", "refresh every MS milliseconds (at least 100)", arg::refresh),
    plain!("refresh-faster", [], "refresh faster", C::RefreshFaster),
    plain!("refresh-slower", [], "refresh slower", C::RefreshSlower),
    with!("theme", [], "NAME", "switch theme", arg::theme),
    plain!("readonly", [], "readonly for the rest of the session", C::Readonly),
    plain!("redraw", [], "repaint the screen", C::Redraw),
    plain!("suspend", [], "suspend qd (resume with fg)", C::Suspend),
];

/// The spec of a name or alias.
pub fn find(name: &str) -> Option<&'static Spec> {
    SPECS
        .iter()
        .find(|s| s.name == name || s.aliases.contains(&name))
}

/// Names and aliases starting with `prefix`, in registry order, for the `:` line.
pub fn complete(prefix: &str) -> Vec<&'static str> {
    SPECS
        .iter()
        .flat_map(|s| std::iter::once(s.name).chain(s.aliases.iter().copied()))
        .filter(|n| n.starts_with(prefix))
        .collect()
}

/// The registry name of a command (`Command::name`).
pub fn name_of(c: &Command) -> &'static str {
    match c {
        C::Quit => "quit",
        C::Help => "help",
        C::CommandLine => "command-line",
        C::ShowProcs => "procs",
        C::ShowPorts => "ports",
        C::ShowServices => "svc",
        C::ShowSites => "sites",
        C::ShowHosts => "hosts",
        C::ShowPanes => "panes",
        C::ShowJobs => "jobs",
        C::ShowAudit => "audit",
        C::NextView => "next-screen",
        C::PrevView => "prev-screen",
        C::Back => "back",
        C::FocusSite(_) => "site",
        C::OpenHost(_) => "host",
        C::Up => "up",
        C::Down => "down",
        C::PageUp => "page-up",
        C::PageDown => "page-down",
        C::Top => "top",
        C::Bottom => "bottom",
        C::ScrollLeft => "left",
        C::ScrollRight => "right",
        C::Sort(_) => "sort",
        C::SortNext => "sort-next",
        C::SortPrev => "sort-prev",
        C::SortInvert => "sort-invert",
        C::Filter(_) => "filter",
        C::ClearFilter => "clear-filter",
        C::Mark => "mark",
        C::MarkRange => "mark-range",
        C::ClearMarks => "clear-marks",
        C::Export {
            marked_only: false, ..
        } => "export",
        C::Export {
            marked_only: true, ..
        } => "export!",
        C::Detail => "detail",
        C::FilterUser(_) => "filter-user",
        C::Tree => "tree",
        C::Collapse => "collapse",
        C::KernelThreads => "kernel-threads",
        C::Pause => "pause",
        C::Follow => "follow",
        C::Signal(_) => "signal",
        C::Nice(Some(NiceArg::By(_))) => "nice-by",
        C::Nice(_) => "nice",
        C::Restart => "restart",
        C::Owner => "owner",
        C::ToggleListening => "listening",
        C::UnitAction(_) => "unit",
        C::UnitLog => "unit-log",
        C::SiteLogs => "site-logs",
        C::ToggleAllUnits => "all-units",
        C::DaemonReload => "daemon-reload",
        C::RunCommand(_) => "run",
        C::EditEnv => "edit-env",
        C::OpenSite => "open-site",
        C::Shell => "shell",
        C::Exec(_) => "exec",
        C::Pane(p) => match p {
            P::Type => "pane-type",
            P::Next => "pane-next",
            P::Prev => "pane-prev",
            P::Go(_) => "pane-go",
            P::Split => "pane-split",
            P::Broadcast => "pane-broadcast",
            P::ScrollUp(_) => "pane-scroll-up",
            P::ScrollDown(_) => "pane-scroll-down",
            P::Search => "pane-search",
            P::SearchNext => "pane-search-next",
            P::Select => "pane-select",
            P::Copy => "pane-copy",
            P::Close => "pane-close",
            P::SendPrefix => "pane-send-prefix",
        },
        C::OpenJob => "open-job",
        C::Cancel => "cancel",
        C::Retry => "retry",
        C::LogSearch => "log-search",
        C::Confirm(c) => match c {
            Cf::Yes => "confirm-yes",
            Cf::No => "confirm-no",
            Cf::Toggle => "confirm-toggle",
            Cf::Accept => "confirm-accept",
        },
        C::InputClear => "input-clear",
        C::Refresh(_) => "refresh",
        C::RefreshFaster => "refresh-faster",
        C::RefreshSlower => "refresh-slower",
        C::Theme(_) => "theme",
        C::Readonly => "readonly",
        C::Redraw => "redraw",
        C::Suspend => "suspend",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An argument `args` accepts: the first of `a|b`, a sample for a placeholder.
    fn sample(args: &str) -> String {
        args.split_whitespace()
            .map(|t| {
                let t = t.trim_matches(|c| c == '[' || c == ']');
                let t = t.split('|').next().unwrap_or(t);
                match t {
                    "SIG" => "KILL",
                    "N" => "2",
                    "STEP" => "+1",
                    "MS" => "2000",
                    "COLUMN" => "cpu",
                    "NAME" => "dark",
                    "TEXT" | "CMD" | "COMMAND" => "x",
                    "PATH" => "/tmp/out",
                    other => other,
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn every_command_parses_with_its_args_and_names_itself() {
        for s in SPECS {
            let line = format!("{} {}", s.name, sample(s.args));
            let c = Command::parse(&line).unwrap_or_else(|e| panic!("`{line}`: {e}"));
            assert_eq!(c.name(), s.name, "`{line}` parses as {c:?}");
            if s.args.is_empty() {
                assert!(
                    Command::parse(&format!("{} extra", s.name)).is_err(),
                    "{} takes no argument",
                    s.name
                );
            }
            if s.args.starts_with('[') || s.args.is_empty() {
                let c = Command::parse(s.name).unwrap_or_else(|e| panic!("`{}`: {e}", s.name));
                assert_eq!(c.name(), s.name);
            } else {
                assert!(Command::parse(s.name).is_err(), "{} needs its args", s.name);
            }
            assert!(!s.doc.is_empty(), "{} has a doc", s.name);
        }
    }

    #[test]
    fn aliases_parse_as_their_command_and_no_name_is_declared_twice() {
        let mut seen = std::collections::HashSet::new();
        for s in SPECS {
            for n in std::iter::once(&s.name).chain(s.aliases) {
                assert!(seen.insert(*n), "`{n}` declared twice");
            }
            for a in s.aliases {
                let line = format!("{a} {}", sample(s.args));
                let c = Command::parse(&line).unwrap_or_else(|e| panic!("`{line}`: {e}"));
                assert_eq!(c.name(), s.name, "alias `{a}`");
            }
        }
        // The old names of bindings users may have written.
        for (old, now) in [
            ("detail", "detail"),
            ("collapse", "collapse"),
            ("toggle-listening", "listening"),
            ("next-view", "next-screen"),
            ("prev-view", "prev-screen"),
            ("cmd", "run"),
            ("q!", "quit"),
        ] {
            assert_eq!(Command::parse(old).map(|c| c.name()), Ok(now), "{old}");
        }
    }

    #[test]
    fn completion_reads_the_registry() {
        let c = complete("pane-s");
        assert_eq!(
            c,
            [
                "pane-split",
                "pane-scroll-up",
                "pane-scroll-down",
                "pane-search",
                "pane-search-next",
                "pane-select",
                "pane-send-prefix"
            ]
        );
        assert!(complete("export").contains(&"export!"));
        assert!(complete("zz").is_empty());
    }
}
