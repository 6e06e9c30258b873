//! The process table as a screen of the one table: the `/` filter (substring over the
//! command, fuzzy over pid, user and program name, `!` excludes), sort and invert on
//! keys and on a header click, marks kept on their processes when a refresh reorders
//! the snapshot, `?` listing the screen's keys, an export of the filtered and sorted
//! table (CSV as shown, JSON typed like `qd snapshot --json`), and insta snapshots at
//! 80x24 and 160x40.

mod support;

use quarterdeck::actions::Action;
use quarterdeck::model::Snapshot;
use quarterdeck::tui::app::{App, Popup};
use quarterdeck::tui::msg::{Effect, Msg};
use quarterdeck::tui::update::update;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use std::sync::Arc;
use support::tui::*;

fn pids(a: &App) -> Vec<i32> {
    let procs = &a.data.snapshot.processes;
    a.screens
        .processes
        .table
        .state
        .rows
        .iter()
        .map(|r| procs[r.idx].pid)
        .collect()
}

/// Types `text` as the whole `/` filter.
fn filter(a: &mut App, text: &str) -> Vec<i32> {
    keys(a, "/");
    press(a, KeyCode::Char('u'), KeyModifiers::CONTROL);
    keys(a, text);
    keys(a, "\n");
    let mut p = pids(a);
    p.sort();
    p
}

fn select_pid(a: &mut App, pid: i32) {
    let pos = pids(a)
        .iter()
        .position(|p| *p == pid)
        .unwrap_or_else(|| panic!("{pid} not shown"));
    a.screens.processes.table.select(&a.data, pos);
}

/// The one action the effects dispatch.
fn dispatched(fx: &[Effect]) -> &Action {
    match fx {
        [Effect::Dispatch { action, .. }] => action,
        _ => panic!("one dispatch expected: {fx:?}"),
    }
}

#[test]
fn filter_is_substring_fuzzy_and_negatable() {
    let mut a = app(120, 40);
    assert_eq!(filter(&mut a, "gunicorn"), [1950]);
    assert_eq!(filter(&mut a, "10011"), [1801], "a substring of the argv");
    assert_eq!(
        filter(&mut a, "rdssrv"),
        [4300],
        "fuzzy on the program name"
    );
    assert_eq!(filter(&mut a, "site_shop node"), [1801, 1802], "every word");
    assert_eq!(filter(&mut a, "node !10011"), [1802], "! excludes");
    assert!(filter(&mut a, "Gunicorn").is_empty(), "smart case");
    assert_eq!(filter(&mut a, "").len(), 19, "all but the kernel thread");
    // The footer says what is shown.
    filter(&mut a, "nginx");
    let s = text(&screen(&a));
    assert!(s.contains("/nginx · 3/20"), "{s}");
}

#[test]
fn sorts_on_a_column_inverts_and_a_header_click_sorts() {
    let mut a = app(120, 40);
    keys(&mut a, ":sort mem\n");
    let procs = a.data.snapshot.processes.clone();
    let rss = |pid: i32| {
        procs
            .iter()
            .find(|p| p.pid == pid)
            .map(|p| p.rss_bytes)
            .unwrap_or_default()
    };
    let by_mem = pids(&a);
    assert!(
        by_mem.windows(2).all(|w| rss(w[0]) >= rss(w[1])),
        "largest first: {by_mem:?}"
    );
    keys(&mut a, "I");
    let inverted = pids(&a);
    assert_eq!(
        inverted,
        by_mem.iter().rev().copied().collect::<Vec<_>>(),
        "the same order backwards"
    );
    // A click on the PID header sorts by pid, ascending; a second click inverts.
    let t = quarterdeck::tui::render::layout::areas(120, 40, &a).table;
    let click = |a: &mut App| {
        update(
            a,
            Msg::Term(Event::Mouse(MouseEvent {
                kind: MouseEventKind::Down(MouseButton::Left),
                column: t.x + 5,
                row: t.y,
                modifiers: KeyModifiers::NONE,
            })),
        )
    };
    click(&mut a);
    let p = pids(&a);
    assert!(p.windows(2).all(|w| w[0] < w[1]), "{p:?}");
    click(&mut a);
    let p = pids(&a);
    assert!(p.windows(2).all(|w| w[0] > w[1]), "{p:?}");
    keys(&mut a, ":sort frobs\n");
    let (_, msg) = a.status.clone().expect("status");
    assert!(
        msg.contains("no column `frobs`") && msg.contains("pid"),
        "{msg}"
    );
}

#[test]
fn marks_stay_on_their_processes_when_a_refresh_reorders_the_rows() {
    let mut a = app(120, 40);
    select_pid(&mut a, 1801);
    keys(&mut a, " ");
    select_pid(&mut a, 4300);
    keys(&mut a, " ");
    // The next snapshot lists the processes backwards, with other CPU figures: every
    // index and the sorted order change.
    let mut next: Snapshot = (*a.data.snapshot).clone();
    next.processes.reverse();
    for (i, p) in next.processes.iter_mut().enumerate() {
        p.cpu_percent = i as f32;
    }
    let before = pids(&a);
    update(&mut a, Msg::Snapshot(Arc::new(next)));
    assert_ne!(pids(&a), before, "the rows were reordered");
    assert_eq!(a.screens.processes.table.marked(), 2);
    keys(&mut a, "k");
    let Some(Popup::SignalMenu { targets, .. }) = &a.popup else {
        panic!("signal menu: {:?}", a.popup)
    };
    let mut got: Vec<i32> = targets.iter().map(|t| t.pid).collect();
    got.sort();
    assert_eq!(got, [1801, 4300]);
    // A process that exits loses its mark; the other keeps it.
    let mut gone: Snapshot = (*a.data.snapshot).clone();
    gone.processes.retain(|p| p.pid != 1801);
    update(&mut a, Msg::Snapshot(Arc::new(gone)));
    assert_eq!(a.screens.processes.table.marked(), 1);
}

#[test]
fn help_lists_the_process_keys_then_the_global_ones() {
    let mut a = app(160, 40);
    keys(&mut a, "?");
    let s = text(&screen(&a));
    for want in [
        "Keys: processes",
        "Signal menu",
        "Show one user's processes",
        "Tree view",
        "Show or hide kernel threads",
        "Keys: everywhere",
        "Quit",
    ] {
        assert!(s.contains(want), "{want} missing:\n{s}");
    }
    let own = s.find("Keys: processes").unwrap_or(usize::MAX);
    let global = s.find("Keys: everywhere").unwrap_or(0);
    assert!(own < global, "the screen's keys first");
}

#[test]
fn export_writes_the_filtered_sorted_rows_in_order() {
    let mut a = app(120, 40);
    filter(&mut a, "site_");
    keys(&mut a, ":sort mem\n");
    let shown = pids(&a);
    assert!(shown.len() >= 3, "{shown:?}");
    let fx = keys(&mut a, ":export csv /tmp/qd-procs.csv\n");
    let Action::Export {
        table,
        path,
        content,
        rows,
        ..
    } = dispatched(&fx)
    else {
        panic!("{fx:?}")
    };
    assert_eq!(table, "processes");
    assert_eq!(path.to_str(), Some("/tmp/qd-procs.csv"));
    assert_eq!(*rows, shown.len());
    let csv = String::from_utf8(content.clone()).expect("utf-8");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "PID,USER,NI,S,CPU%,MEM,TIME+,START,COMMAND");
    let csv_pids: Vec<i32> = lines[1..]
        .iter()
        .map(|l| {
            l.split(',')
                .next()
                .and_then(|p| p.parse().ok())
                .expect("pid")
        })
        .collect();
    assert_eq!(csv_pids, shown, "exactly the rows shown, in their order");
    assert!(lines[1..].iter().all(|l| l.contains("site_")), "{csv}");

    let fx = keys(&mut a, ":export json /tmp/qd-procs.json\n");
    let Action::Export { content, .. } = dispatched(&fx) else {
        panic!("{fx:?}")
    };
    let v: serde_json::Value = serde_json::from_slice(content).expect("JSON");
    let rows = v["processes"].as_array().expect("an array named processes");
    let json_pids: Vec<i64> = rows
        .iter()
        .map(|r| r["pid"].as_i64().expect("pid is a number"))
        .collect();
    assert_eq!(
        json_pids,
        shown.iter().map(|p| *p as i64).collect::<Vec<_>>()
    );
    let rss: Vec<u64> = rows
        .iter()
        .map(|r| r["rss_bytes"].as_u64().expect("bytes are a number"))
        .collect();
    assert!(rss.windows(2).all(|w| w[0] >= w[1]), "{rss:?}");
    assert!(
        rows[0]["cmdline"].is_array(),
        "argv as in qd snapshot --json"
    );

    // export! writes the marked rows only.
    keys(&mut a, "g  ");
    let fx = keys(&mut a, ":export! csv /tmp/qd-marked.csv\n");
    let Action::Export { rows, .. } = dispatched(&fx) else {
        panic!("{fx:?}")
    };
    assert_eq!(*rows, 2);
}

#[test]
fn snapshot_processes_80x24() {
    let a = app(80, 24);
    insta::assert_snapshot!(text(&screen(&a)));
}

#[test]
fn a_filtered_tree_keeps_the_ancestors_of_what_it_shows() {
    let mut a = app(160, 40);
    keys(&mut a, "t");
    assert_eq!(filter(&mut a, "node"), [1, 1801, 1802], "pid 1 as context");
    let s = text(&screen(&a));
    assert!(
        s.contains(" /sbin/init") && s.contains("├─/usr/bin/node"),
        "{s}"
    );
    // Without the tree, the filter alone decides.
    keys(&mut a, "t");
    assert_eq!(pids(&a).len(), 2);
}

#[test]
fn snapshot_processes_160x40_tree_with_marks() {
    let mut a = app(160, 40);
    keys(&mut a, "t");
    select_pid(&mut a, 620);
    keys(&mut a, "  ");
    insta::assert_snapshot!(text(&screen(&a)));
}
