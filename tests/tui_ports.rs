//! The ports view without a terminal: switching to it, the listening/all toggle,
//! filter and sort, Enter to the owner and Esc back, marks acting on owners through
//! the same confirmation, unknown owners, and insta snapshots at two sizes.

mod support;

use quarterdeck::actions::{Action, Sig};
use quarterdeck::model::port::Scope;
use quarterdeck::sources::Control;
use quarterdeck::tui::app::{App, Popup};
use quarterdeck::tui::msg::Effect;
use quarterdeck::tui::screen::Screen;
use support::tui::*;

fn ports_app(w: u16, h: u16) -> App {
    let mut a = app(w, h);
    let fx = keys(&mut a, "\t");
    assert_eq!(
        fx,
        vec![Effect::Collector(Control::Ports(Some(Scope::Listening)))],
        "the view asks the collector for sockets"
    );
    assert_eq!(a.screen, Screen::Ports);
    a
}

/// (local, pid) of the rows shown, in order.
fn rows(a: &App) -> Vec<(String, Option<i32>)> {
    let items = a
        .data
        .snapshot
        .ports
        .as_ref()
        .expect("ports")
        .rows
        .as_slice();
    a.screens
        .ports
        .table
        .state
        .rows
        .iter()
        .map(|r| (items[r.idx].socket.local.to_string(), items[r.idx].pid))
        .collect()
}

fn select_local(a: &mut App, local: &str) {
    let pos = rows(a)
        .iter()
        .position(|(l, _)| l == local)
        .unwrap_or_else(|| panic!("{local} not shown"));
    a.screens.ports.table.select(&a.data, pos);
}

#[test]
fn listening_by_port_by_default_and_l_shows_all() {
    let mut a = ports_app(120, 40);
    let r = rows(&a);
    let ports: Vec<u16> = r
        .iter()
        .map(|(l, _)| l.parse::<std::net::SocketAddr>().expect("addr").port())
        .collect();
    let mut sorted = ports.clone();
    sorted.sort();
    assert_eq!(ports, sorted, "sorted by port");
    assert_eq!(
        r.iter().filter(|(l, _)| l == "0.0.0.0:80").count(),
        3,
        "shared by nginx master and two workers"
    );
    assert!(
        r.iter().all(|(l, _)| l != "10.0.0.5:22"),
        "connections hidden"
    );
    let fx = keys(&mut a, "l");
    assert_eq!(
        fx,
        vec![Effect::Collector(Control::Ports(Some(Scope::All)))]
    );
    assert!(rows(&a).iter().any(|(l, _)| l == "10.0.0.5:22"));
    keys(&mut a, "l");
    assert!(rows(&a).iter().all(|(l, _)| l != "10.0.0.5:22"));
    // Back to processes: the collector may stop reading sockets.
    let fx = keys(&mut a, ":procs\n");
    assert_eq!(fx, vec![Effect::Collector(Control::Ports(None))]);
    assert_eq!(a.screen, Screen::Processes);
}

#[test]
fn filter_by_port_and_sort_by_any_column() {
    let mut a = ports_app(120, 40);
    keys(&mut a, "/5432\n");
    assert_eq!(rows(&a), vec![("127.0.0.1:5432".to_string(), Some(700))]);
    keys(&mut a, "/\x1b");
    keys(&mut a, ":filter !public\n");
    assert!(
        rows(&a)
            .iter()
            .all(|(l, _)| !l.starts_with("0.0.0.0") && !l.starts_with("[::]"))
    );
    keys(&mut a, ":clear-filter\n");
    keys(&mut a, ":sort pid\n");
    let pids: Vec<Option<i32>> = rows(&a).into_iter().map(|(_, p)| p).collect();
    assert_eq!(pids.first(), Some(&Some(412)));
    assert_eq!(pids.last(), Some(&None), "unknown owners last");
    keys(&mut a, ":sort cpu\n");
    assert!(
        a.status
            .as_ref()
            .is_some_and(|(_, s)| s.contains("no column `cpu`")),
        "{:?}",
        a.status
    );
}

#[test]
fn enter_jumps_to_the_owner_and_esc_comes_back() {
    let mut a = ports_app(120, 40);
    select_local(&mut a, "127.0.0.1:10011");
    keys(&mut a, "\n");
    assert_eq!(a.screen, Screen::Processes);
    let p = a
        .screens
        .processes
        .selected_process(&a.data)
        .expect("selected");
    assert_eq!(p.pid, 1801);
    keys(&mut a, "\x1b");
    assert_eq!(a.screen, Screen::Ports);
    let sel = a
        .screens
        .ports
        .selected_port(&a.data)
        .expect("selected port");
    assert_eq!(
        sel.socket.local.to_string(),
        "127.0.0.1:10011",
        "selection kept"
    );
    // A filtered process view is cleared so the owner can be shown.
    keys(&mut a, ":procs\n/zzzz\n:ports\n");
    select_local(&mut a, "127.0.0.1:5432");
    keys(&mut a, "\n");
    assert_eq!(
        a.screens.processes.selected_process(&a.data).map(|p| p.pid),
        Some(700)
    );
}

#[test]
fn unknown_owners_show_a_question_mark_and_a_hint_never_a_pid() {
    let mut a = ports_app(120, 40);
    select_local(&mut a, "0.0.0.0:25");
    let screen = text(&screen(&a));
    let line = screen
        .lines()
        .find(|l| l.contains("0.0.0.0:25 "))
        .expect("row drawn");
    assert!(line.contains(" ? "), "{line}");
    assert!(
        screen.contains("run qd with sudo"),
        "hint in the footer:\n{screen}"
    );
    // Root sees every user's processes: an invisible holder is in another namespace.
    a.data.operator.uid = 0;
    let screen_root = text(&support::tui::screen(&a));
    assert!(
        screen_root.contains("another PID namespace"),
        "{screen_root}"
    );
    a.data.operator.uid = 1000;
    keys(&mut a, "\n");
    assert_eq!(a.screen, Screen::Ports, "nowhere to jump");
    keys(&mut a, "k");
    assert!(a.popup.is_none(), "no action without an owner");
}

#[test]
fn marked_sockets_act_on_their_owners_once_each() {
    let mut a = ports_app(120, 40);
    // The three rows of :80 (nginx master + 2 workers), then :443 (the same three).
    select_local(&mut a, "0.0.0.0:80");
    keys(&mut a, "   ");
    select_local(&mut a, "[::]:443");
    keys(&mut a, " ");
    select_local(&mut a, "0.0.0.0:25");
    keys(&mut a, " ");
    assert_eq!(a.screens.ports.table.marked(), 5);
    keys(&mut a, ":signal TERM\n");
    let Some(Popup::Confirm { action, .. }) = &a.popup else {
        panic!("confirm expected, got {:?}", a.popup)
    };
    let Action::Signal { targets, sig } = action else {
        panic!("{action:?}")
    };
    assert_eq!(*sig, Sig::Term);
    let mut pids: Vec<i32> = targets.iter().map(|t| t.pid).collect();
    pids.sort();
    assert_eq!(
        pids,
        vec![620, 621, 622],
        "each owner once, the unknown one left out"
    );
    assert!(
        a.status
            .as_ref()
            .is_some_and(|(_, s)| s.contains("no visible owner")),
        "{:?}",
        a.status
    );
}

#[test]
fn snapshot_ports_large() {
    let a = ports_app(140, 30);
    insta::assert_snapshot!(text(&screen(&a)));
}

#[test]
fn snapshot_ports_all_small() {
    let mut a = ports_app(80, 24);
    keys(&mut a, "l");
    insta::assert_snapshot!(text(&screen(&a)));
}

#[test]
fn hostile_socket_holders_render_inert() {
    let a = ports_app(160, 40);
    let s = text(&screen(&a));
    assert!(!s.chars().any(|c| c.is_control() && c != '\n'), "{s:?}");
    assert!(s.contains("10.0.0.5:8080"));
}

/// Types `text` as the whole `/` filter; the locals shown.
fn filter(a: &mut App, t: &str) -> Vec<String> {
    keys(a, "/");
    press(
        a,
        ratatui::crossterm::event::KeyCode::Char('u'),
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    );
    keys(a, t);
    keys(a, "\n");
    rows(a).into_iter().map(|(l, _)| l).collect()
}

#[test]
fn filter_is_substring_fuzzy_and_negatable() {
    let mut a = ports_app(120, 40);
    assert_eq!(filter(&mut a, ":5432"), ["127.0.0.1:5432"], "a substring");
    assert_eq!(
        filter(&mut a, "rdssrv"),
        ["127.0.0.1:6379"],
        "fuzzy on the process name"
    );
    assert_eq!(
        filter(&mut a, "loopback !postgres !site_shop"),
        ["127.0.0.53:53"],
        "every word; ! excludes"
    );
    assert_eq!(filter(&mut a, "nginx").len(), 6);
}

#[test]
fn sort_and_invert_on_any_column() {
    let mut a = ports_app(120, 40);
    keys(&mut a, ":sort process\n");
    let names = |a: &App| -> Vec<String> {
        let items = &a.data.snapshot.ports.as_ref().expect("ports").rows;
        a.screens
            .ports
            .table
            .state
            .rows
            .iter()
            .map(|r| items[r.idx].process.as_deref().unwrap_or("").to_string())
            .collect()
    };
    let asc = names(&a);
    let mut sorted = asc.clone();
    sorted.sort();
    assert_eq!(asc, sorted);
    let before = rows(&a);
    keys(&mut a, "I");
    let mut inverted = rows(&a);
    inverted.reverse();
    assert_eq!(inverted, before, "the same order backwards");
    // The all-sockets set has its own columns: the sort follows to them.
    keys(&mut a, "l");
    assert_eq!(
        a.screens.ports.table.sort().col.map(|c| c.all),
        Some(true),
        "the process column of the every-socket set"
    );
    keys(&mut a, ":sort remote\nl");
    let s = text(&screen(&a));
    assert!(s.contains("LOCAL▲"), "back to listening: by port\n{s}");
}

#[test]
fn marks_stay_on_their_sockets_when_a_refresh_reorders_the_rows() {
    let mut a = ports_app(120, 40);
    select_local(&mut a, "127.0.0.1:5432");
    keys(&mut a, " ");
    select_local(&mut a, "127.0.0.1:6379");
    keys(&mut a, " ");
    let mut next: quarterdeck::model::Snapshot = (*a.data.snapshot).clone();
    if let Some(t) = next.ports.as_mut() {
        t.rows.reverse();
    }
    quarterdeck::tui::update::update(
        &mut a,
        quarterdeck::tui::msg::Msg::Snapshot(std::sync::Arc::new(next)),
    );
    assert_eq!(a.screens.ports.table.marked(), 2);
    keys(&mut a, "k");
    let Some(Popup::SignalMenu { targets, .. }) = &a.popup else {
        panic!("signal menu: {:?}", a.popup)
    };
    let mut pids: Vec<i32> = targets.iter().map(|t| t.pid).collect();
    pids.sort();
    assert_eq!(pids, [700, 4300], "the same sockets' owners");
}

#[test]
fn help_lists_the_ports_keys_then_the_global_ones() {
    let mut a = ports_app(160, 40);
    keys(&mut a, "?");
    let s = text(&screen(&a));
    for want in [
        "Keys: ports",
        "Jump to the socket's process",
        "Listening sockets only / all sockets",
        "Keys: everywhere",
        "Quit",
    ] {
        assert!(s.contains(want), "{want} missing:\n{s}");
    }
}

#[test]
fn export_writes_the_filtered_sorted_sockets() {
    let mut a = ports_app(120, 40);
    filter(&mut a, "loopback");
    keys(&mut a, ":sort pid\n");
    let shown = rows(&a);
    let fx = keys(&mut a, ":export csv /tmp/qd-ports.csv\n");
    let [
        Effect::Dispatch {
            action: Action::Export { table, content, .. },
            ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(table, "ports");
    let csv = String::from_utf8(content.clone()).expect("utf-8");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "PROTO,LOCAL,STATE,EXPOSURE,CONNS,PID,USER,UNIT,SITE,PROCESS"
    );
    let got: Vec<(String, Option<i32>)> = lines[1..]
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].to_string(), f[5].parse().ok())
        })
        .collect();
    assert_eq!(got, shown, "the rows shown, in their order");
    let fx = keys(&mut a, ":export json /tmp/qd-ports.json\n");
    let [
        Effect::Dispatch {
            action: Action::Export { content, .. },
            ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    let v: serde_json::Value = serde_json::from_slice(content).expect("JSON");
    let first = &v["ports"][0];
    assert!(
        first["inode"].is_u64() && first["local"].is_string(),
        "{first}"
    );
}

#[test]
fn snapshot_ports_80x24() {
    let a = ports_app(80, 24);
    insta::assert_snapshot!(text(&screen(&a)));
}

#[test]
fn snapshot_ports_160x40_all_with_marks() {
    let mut a = ports_app(160, 40);
    keys(&mut a, "l");
    select_local(&mut a, "0.0.0.0:80");
    keys(&mut a, "  ");
    insta::assert_snapshot!(text(&screen(&a)));
}
