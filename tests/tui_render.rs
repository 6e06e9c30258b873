//! The TUI without a terminal: `update()` on a fixture snapshot, and what `draw`
//! puts in a `TestBackend` buffer (insta snapshots at a large and a small size).

mod support;

use quarterdeck::actions::{Action, Sig};
use quarterdeck::model::Snapshot;
use quarterdeck::tui::app::{App, Popup};
use quarterdeck::tui::msg::{Effect, Msg};
use quarterdeck::tui::update::update;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use std::sync::Arc;
use support::tui::*;

fn pids(app: &App) -> Vec<i32> {
    app.screens
        .processes
        .table
        .state
        .rows
        .iter()
        .map(|r| app.data.snapshot.processes[r.idx].pid)
        .collect()
}

/// The sort column's name.
fn sorted(app: &App) -> &'static str {
    app.screens.processes.table.sort().col.map_or("", |c| {
        use quarterdeck::tui::table::Column;
        c.name()
    })
}

fn selected_pid(app: &App) -> i32 {
    app.screens
        .processes
        .selected_process(&app.data)
        .expect("selection")
        .pid
}

#[test]
fn sorts_by_cpu_by_default_and_by_any_column_on_keys() {
    let mut a = app(120, 40);
    assert_eq!(pids(&a)[..3], [2215, 1801, 1802], "cpu descending");
    keys(&mut a, "N");
    assert_eq!(pids(&a)[..3], [1, 412, 620], "pid ascending");
    keys(&mut a, "I");
    assert_eq!(pids(&a)[0], 5131, "inverted");
    keys(&mut a, "M");
    assert_eq!(pids(&a)[0], 2215, "largest rss first");
    keys(&mut a, ">");
    assert_eq!(sorted(&a), "time");
    keys(&mut a, "<<");
    assert_eq!(sorted(&a), "cpu");
}

#[test]
fn filter_is_fuzzy_negatable_and_esc_restores() {
    let mut a = app(120, 40);
    keys(&mut a, "/nginx\n");
    assert_eq!(pids(&a).len(), 3);
    assert!(pids(&a).iter().all(|p| [620, 621, 622].contains(p)));
    keys(&mut a, "/");
    press(&mut a, KeyCode::Char('u'), KeyModifiers::CONTROL);
    keys(&mut a, "!site_ !root");
    let shown = pids(&a);
    assert!(!shown.contains(&1801) && !shown.contains(&1), "{shown:?}");
    assert!(shown.contains(&700), "postgres stays: {shown:?}");
    keys(&mut a, "\x1b");
    assert_eq!(
        a.screens.processes.table.filter(),
        "nginx",
        "Esc restores the filter from before"
    );
    keys(&mut a, ":clear-filter\n");
    assert_eq!(pids(&a).len(), 19, "all but the kernel thread");
}

#[test]
fn user_filter_picks_from_the_users_present() {
    let mut a = app(120, 40);
    keys(&mut a, "u");
    let Some(Popup::UserMenu { items, .. }) = &a.popup else {
        panic!("user menu")
    };
    let pos = items
        .iter()
        .position(|(u, _)| u == "site_shop")
        .expect("site_shop listed");
    for _ in 0..pos {
        keys(&mut a, "j");
    }
    keys(&mut a, "\n");
    let mut shown = pids(&a);
    shown.sort();
    assert_eq!(shown, [1801, 1802, 4300]);
}

#[test]
fn marks_sum_up_and_actions_target_the_marked_rows() {
    let mut a = app(120, 40);
    keys(&mut a, "  "); // mark rows 0 and 1, moving down
    let (n, cpu, mem) = a.screens.processes.marked_totals(&a.data);
    assert_eq!(n, 2);
    assert!((cpu - (198.5 + 23.4)).abs() < 0.01);
    assert_eq!(mem, (1450 + 180) * 1024 * 1024);
    keys(&mut a, "j");
    press(&mut a, KeyCode::Char(' '), KeyModifiers::CONTROL);
    assert_eq!(
        a.screens.processes.table.marked(),
        4,
        "ctrl-space marks the range to the selection"
    );
    keys(&mut a, "k");
    let Some(Popup::SignalMenu { targets, .. }) = &a.popup else {
        panic!("signal menu")
    };
    assert_eq!(targets.len(), 4);
    keys(&mut a, "2\n"); // KILL, then Enter on the default button
    assert!(
        a.popup.is_none(),
        "Enter on the default (Cancel) closes without acting"
    );
    keys(&mut a, "k2");
    let effects = keys(&mut a, "y");
    let Some(Effect::Dispatch {
        action: Action::Signal { targets, sig },
        ..
    }) = effects.first()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(*sig, Sig::Kill);
    let mut got: Vec<i32> = targets.iter().map(|t| t.pid).collect();
    got.sort();
    assert_eq!(got, [1801, 1802, 2210, 2215]);
    press(&mut a, KeyCode::Char('\\'), KeyModifiers::CONTROL);
    assert!((a.screens.processes.table.marked() == 0));
}

#[test]
fn confirm_ok_needs_moving_focus_first() {
    let mut a = app(120, 40);
    keys(&mut a, "R");
    assert!(matches!(
        a.popup,
        Some(Popup::Confirm {
            ok_focused: false,
            ..
        })
    ));
    let effects = press(&mut a, KeyCode::Right, KeyModifiers::NONE);
    assert!(effects.is_empty());
    let effects = keys(&mut a, "\n");
    assert!(
        matches!(
            effects.first(),
            Some(Effect::Dispatch {
                action: Action::Restart { .. },
                ..
            })
        ),
        "{effects:?}"
    );
    assert!(a.busy.is_some(), "a spinner runs until the result arrives");
}

#[test]
fn selection_follows_the_process_across_refreshes() {
    let mut a = app(120, 40);
    keys(&mut a, "jjj");
    let pid = selected_pid(&a);
    // The next snapshot: cpu figures change so the order changes.
    let mut next: Snapshot = (*a.data.snapshot).clone();
    for p in &mut next.processes {
        p.cpu_percent = if p.pid == pid {
            0.0
        } else {
            p.cpu_percent + 50.0
        };
    }
    update(&mut a, Msg::Snapshot(Arc::new(next.clone())));
    assert_eq!(selected_pid(&a), pid);
    keys(&mut a, "F");
    assert!(a.screens.processes.table.state.follow);
    // The followed process exits: follow stops, the selection stays in place.
    next.processes.retain(|p| p.pid != pid);
    update(&mut a, Msg::Snapshot(Arc::new(next)));
    assert!(!a.screens.processes.table.state.follow);
    assert_ne!(selected_pid(&a), pid);
}

#[test]
fn tree_view_nests_children_and_collapses() {
    let mut a = app(120, 40);
    keys(&mut a, "tN");
    let order = pids(&a);
    let pos = |p: i32| order.iter().position(|x| *x == p).expect("in tree");
    assert!(
        pos(412) < pos(5120)
            && pos(5120) < pos(5131)
            && pos(5131) < pos(2210)
            && pos(2210) < pos(2215)
    );
    let row = &a.screens.processes.table.state.rows[pos(2215)];
    assert!(row.prefix.ends_with("└─"), "{:?}", row.prefix);
    keys(&mut a, "g");
    for _ in 0..pos(5120) {
        keys(&mut a, "j");
    }
    assert_eq!(selected_pid(&a), 5120);
    keys(&mut a, "c");
    assert!(!pids(&a).contains(&2215), "collapsed subtree hidden");
    keys(&mut a, "c");
    assert!(pids(&a).contains(&2215));
}

#[test]
fn readonly_refuses_before_any_dialog_and_cannot_be_undone() {
    let mut a = app(120, 40);
    let effects = press(&mut a, KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert_eq!(effects, vec![Effect::SetReadonly]);
    keys(&mut a, "k");
    assert!(a.popup.is_none());
    assert!(
        a.status
            .as_ref()
            .is_some_and(|(_, s)| s.contains("readonly"))
    );
    let effects = keys(&mut a, ":readonly\n");
    assert_eq!(
        effects,
        vec![Effect::SetReadonly],
        "only ever towards readonly"
    );
    assert!(a.data.readonly);
}

#[test]
fn refresh_and_pause_reach_the_collector() {
    use quarterdeck::sources::Control;
    use std::time::Duration;
    let mut a = app(120, 40);
    assert_eq!(
        keys(&mut a, "+"),
        vec![Effect::Collector(Control::Interval(Duration::from_millis(
            500
        )))]
    );
    assert_eq!(
        keys(&mut a, "--"),
        vec![
            Effect::Collector(Control::Interval(Duration::from_millis(1000))),
            Effect::Collector(Control::Interval(Duration::from_millis(2000)))
        ]
    );
    assert_eq!(
        keys(&mut a, "Z"),
        vec![Effect::Collector(Control::Pause(true))]
    );
    assert!(text(&screen(&a)).contains("PAUSED"));
}

#[test]
fn unknown_command_line_input_says_so() {
    let mut a = app(120, 40);
    keys(&mut a, ":frobnicate\n");
    let (_, msg) = a.status.clone().expect("status");
    assert!(msg.contains("unknown command `frobnicate`"), "{msg}");
}

#[test]
fn hostile_process_text_renders_with_no_control_characters() {
    let mut a = app(200, 40);
    keys(&mut a, "/mallory\n");
    keys(&mut a, "\n"); // the detail pane would draw more of it; the table is what's tested here
    a.popup = None;
    let t = screen(&a);
    let buf = t.backend().buffer();
    for cell in &buf.content {
        for c in cell.symbol().chars() {
            assert!(
                !c.is_control()
                    && !('\u{202a}'..='\u{202e}').contains(&c)
                    && !('\u{2066}'..='\u{2069}').contains(&c),
                "control {c:?} in buffer"
            );
        }
    }
    let s = text(&t);
    assert!(
        s.contains("\\e]0;pwned\\x07\\e[2Jevil\\u{202e}txt.exe line1\\nline2"),
        "{s}"
    );
}

#[test]
fn snapshot_large() {
    let a = app(120, 40);
    insta::assert_snapshot!(text(&screen(&a)));
}

#[test]
fn snapshot_small_with_marks_and_tree() {
    let mut a = app(80, 24);
    keys(&mut a, "tN jj ");
    insta::assert_snapshot!(text(&screen(&a)));
}

#[test]
fn snapshot_confirm_dialog_small() {
    let mut a = app(80, 24);
    keys(&mut a, "  k1");
    insta::assert_snapshot!(text(&screen(&a)));
}

#[test]
fn snapshot_help_large() {
    let mut a = app(120, 40);
    keys(&mut a, "?");
    insta::assert_snapshot!(text(&screen(&a)));
}

#[test]
fn tiny_terminals_do_not_panic() {
    for (w, h) in [(1, 1), (10, 3), (20, 5), (40, 10), (79, 23)] {
        let mut a = app(w, h);
        for k in ["?", "\x1b", "k", "\x1b", "t", "\n"] {
            keys(&mut a, k);
            let t = screen(&a);
            assert_eq!(t.backend().buffer().area.width, w);
        }
    }
}

#[test]
fn marks_stay_after_a_partial_failure_and_clear_after_success() {
    use quarterdeck::actions::{Report, TargetOutcome};
    let mut a = app(120, 40);
    keys(&mut a, "  ");
    let outcome = |pid: i32, ok: bool| {
        TargetOutcome::new(
            quarterdeck::actions::Target::local(quarterdeck::actions::TargetKind::Process {
                pid,
                starttime: 0,
                name: "x".into(),
            }),
            if ok {
                Ok(String::new())
            } else {
                Err(String::new())
            },
        )
    };
    let partial = Report {
        job: "1".into(),
        action: "signal TERM".into(),
        outcomes: vec![outcome(2215, true), outcome(1801, false)],
    };
    update(&mut a, Msg::ActionDone(0, Ok(partial)));
    assert_eq!(a.screens.processes.table.marked(), 2);
    assert!(
        matches!(a.popup, Some(Popup::Results { .. })),
        "per-target results are shown"
    );
    let done = Report {
        job: "1".into(),
        action: "signal TERM".into(),
        outcomes: vec![outcome(2215, true), outcome(1801, true)],
    };
    update(&mut a, Msg::ActionDone(0, Ok(done)));
    assert!((a.screens.processes.table.marked() == 0));
}
