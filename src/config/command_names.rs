//! The command language's names with their arguments and what they do, as `?` help
//! lists them after the key bindings. Kept beside the parser in `command.rs`.

/// Every command name with its arguments, for help and error messages.
pub const NAMES: &[(&str, &str)] = &[
    ("quit", "leave qd (also :q)"),
    ("help", "show the key bindings"),
    ("procs / ports", "show the process view / the ports view"),
    (
        "next-view",
        "switch to the next view (processes, ports, services, sites)",
    ),
    ("svc / sites", "show the services view / the sites view"),
    (
        "site [NAME]",
        "show only one site's services, processes and ports (empty: all)",
    ),
    (
        "all-units",
        "services view: every service unit, or only the sites' ones",
    ),
    (
        "unit [start|stop|restart|reload|enable|disable|reset-failed]",
        "act on the marked or selected units (menu without a verb)",
    ),
    (
        "site-logs",
        "the merged log of the selected site's services",
    ),
    ("daemon-reload", "make systemd re-read its unit files"),
    (
        "run [COMMAND]",
        "services view: a custom command on the marked or selected services (menu without a name; also c)",
    ),
    (
        "jobs / audit",
        "the session's jobs (output, cancel x, retry r) / the audit log (following)",
    ),
    (
        "hosts / panes",
        "the fleet (Enter shell, Space mark, x exec) / the open shell panes (prefix ctrl-\\ for qd keys)",
    ),
    ("host NAME", "a shell pane on that host"),
    (
        "exec [CMD]",
        "a command on the marked or selected hosts, results per host",
    ),
    (
        "edit-env",
        "edit the selected service's env file in $EDITOR, then restart it",
    ),
    ("back", "return to the view a jump came from"),
    (
        "toggle-listening",
        "ports view: listening sockets only, or all; services view: the unit's log",
    ),
    (
        "up / down / page-up / page-down / top / bottom",
        "move the selection",
    ),
    ("left / right", "scroll the table sideways"),
    (
        "sort COLUMN",
        "sort by pid, user, nice, state, cpu, mem, time, start, command",
    ),
    (
        "sort-next / sort-prev / sort-invert",
        "change the sort column or order",
    ),
    (
        "filter [TEXT]",
        "filter rows: substring or fuzzy; !TEXT negates (ports: port, address, process)",
    ),
    (
        "filter-user [NAME]",
        "show one user's processes (empty clears)",
    ),
    ("clear-filter", "remove all filters"),
    ("tree / collapse", "tree view; fold the selected subtree"),
    (
        "pause / follow",
        "freeze refreshes; keep the selection on a process",
    ),
    ("mark / mark-range / clear-marks", "mark rows for actions"),
    ("signal [SIG]", "send a signal (menu without SIG)"),
    ("nice [N]", "set the nice value (prompt without N)"),
    (
        "nice-by STEP",
        "change the nice value by STEP (+1 lowers priority)",
    ),
    ("restart", "stop and relaunch the process"),
    ("detail", "open the detail pane"),
    ("command-line", "open the : command line"),
    (
        "refresh MS / refresh-faster / refresh-slower",
        "change the refresh interval",
    ),
    ("theme NAME", "switch theme"),
    ("readonly", "switch to readonly for the rest of the session"),
    ("kernel-threads", "show or hide kernel threads"),
    (
        "redraw / suspend",
        "repaint the screen; suspend qd (Ctrl-Z)",
    ),
];
