//! The audit screen without a terminal: records arrive as `Msg::AuditLoaded` (what the
//! event loop reads for `Effect::LoadAudit`) and sit on the one table: filter
//! (substring, fuzzy, `!`), sort and invert, marks kept on the same record when a
//! reload reorders the rows (a new record, an old day dropping off), following the
//! newest record while the selection is on it, `?`, snapshots at 80x24 and 160x40,
//! and an export of the filtered, sorted table whose CSV is exactly those rows.

mod support;

use quarterdeck::actions::Action;
use quarterdeck::audit::Record;
use quarterdeck::tui::app::{App, Popup};
use quarterdeck::tui::msg::{Effect, Msg};
use quarterdeck::tui::screen::Screen;
use quarterdeck::tui::update::update;
use support::tui::*;

fn records() -> Vec<Record> {
    vec![
        audit_record(0, "alice", "started", ""),
        audit_record(1, "alice", "ok", "exited with status 0 (3.1s)"),
        audit_record(
            2,
            "bob",
            "denied",
            "run migrate refused: operator bob has the readonly role",
        ),
        audit_record(3, "carol", "failed", "=HYPERLINK(\"http://x\",\"y\")"),
        audit_record(4, "mallory\u{1b}[2J", "denied", "evil\u{1b}]0;x\u{7}"),
    ]
}

/// The audit screen on `records()`.
fn audit_app(w: u16, h: u16) -> App {
    let mut a = app(w, h);
    assert_eq!(keys(&mut a, ":audit\n"), vec![Effect::LoadAudit]);
    assert_eq!(a.screen, Screen::Audit);
    update(&mut a, Msg::AuditLoaded(Ok(records())));
    a
}

/// The operators of the rows in view order.
fn rows(a: &App) -> Vec<String> {
    let t = a.screens.audit.table();
    t.state
        .rows
        .iter()
        .map(|r| a.data.audit[r.idx].operator.clone())
        .collect()
}

fn selected(a: &App) -> String {
    let i = a.screens.audit.table().selected(&a.data).expect("a row");
    a.data.audit[i].operator.clone()
}

#[test]
fn the_audit_table_filters_and_sorts_newest_last() {
    let mut a = audit_app(120, 24);
    assert_eq!(rows(&a)[4], "mallory\u{1b}[2J", "newest last");
    assert_eq!(selected(&a), "mallory\u{1b}[2J", "the newest is selected");
    keys(&mut a, ":filter bob\n");
    assert_eq!(rows(&a), ["bob"], "substring");
    keys(&mut a, ":filter crl\n");
    assert_eq!(rows(&a), ["carol"], "fuzzy on the operator");
    keys(&mut a, ":filter !denied !started\n");
    assert_eq!(rows(&a), ["alice", "carol"], "! excludes");
    keys(&mut a, ":clear-filter\n");
    keys(&mut a, ":sort outcome\n");
    assert_eq!(rows(&a)[..2], ["bob", "mallory\u{1b}[2J"], "denied first");
    keys(&mut a, ":sort time\n");
    assert_eq!(rows(&a)[0], "mallory\u{1b}[2J", "time sorts newest first");
    keys(&mut a, "I");
    assert_eq!(rows(&a)[0], "alice", "inverted");
    // The generic `/` reads into the same filter.
    keys(&mut a, "/carol\n");
    assert_eq!(rows(&a), ["carol"]);
}

#[test]
fn marks_stay_on_their_records_when_a_reload_reorders_them() {
    let mut a = audit_app(120, 24);
    keys(&mut a, ":sort time\n");
    // Newest first: mallory carol bob alice alice. Mark bob (the third row).
    keys(&mut a, "gjj ");
    assert_eq!(a.screens.audit.table().marked(), 1);
    // The next read: the oldest record has left the 7 days, two are new.
    let mut next = records()[1..].to_vec();
    next.push(audit_record(5, "dave", "ok", ""));
    next.push(audit_record(6, "erin", "ok", ""));
    update(&mut a, Msg::AuditLoaded(Ok(next)));
    assert_eq!(rows(&a)[..2], ["erin", "dave"]);
    let marked: Vec<&str> = a
        .screens
        .audit
        .table()
        .targets(&a.data)
        .into_iter()
        .map(|i| a.data.audit[i].operator.as_str())
        .collect();
    assert_eq!(marked, ["bob"]);
    let t = text(&screen(&a));
    let star: Vec<&str> = t.lines().filter(|l| l.starts_with('*')).collect();
    assert_eq!(star.len(), 1, "{t}");
    assert!(star[0].contains(" bob "), "{t}");
}

#[test]
fn following_reloads_and_keeps_the_newest_selected_until_scrolled_back() {
    let mut a = audit_app(120, 24);
    let snap = a.data.snapshot.clone();
    assert_eq!(
        update(&mut a, Msg::Snapshot(snap.clone())),
        vec![Effect::LoadAudit],
        "following: every refresh reads again"
    );
    let mut next = records();
    next.push(audit_record(5, "dave", "ok", ""));
    update(&mut a, Msg::AuditLoaded(Ok(next.clone())));
    assert_eq!(selected(&a), "dave", "the new newest");
    // Scrolled back, a new record does not pull the selection down.
    keys(&mut a, "k");
    next.push(audit_record(6, "erin", "ok", ""));
    update(&mut a, Msg::AuditLoaded(Ok(next)));
    assert_eq!(selected(&a), "mallory\u{1b}[2J");
    // f pauses: no more reads; f again follows from the newest.
    keys(&mut a, "f");
    assert!(
        update(&mut a, Msg::Snapshot(snap.clone())).is_empty(),
        "paused"
    );
    assert!(text(&screen(&a)).contains("paused"));
    let fx = keys(&mut a, "F");
    assert_eq!(fx, vec![Effect::LoadAudit]);
    assert_eq!(selected(&a), "erin");
    // A read that fails says why, under the records it had.
    update(
        &mut a,
        Msg::AuditLoaded(Err("cannot read the audit dir /x: denied".into())),
    );
    let t = text(&screen(&a));
    assert!(
        t.contains("cannot read the audit dir /x") && t.contains("erin"),
        "{t}"
    );
    // Esc leaves for the host table.
    keys(&mut a, "\x1b");
    assert_eq!(a.screen, Screen::Processes);
}

#[test]
fn help_on_the_audit_screen_lists_its_keys_and_the_global_ones() {
    let mut a = audit_app(110, 50);
    keys(&mut a, "?");
    assert!(matches!(a.popup, Some(Popup::Help { .. })), "{:?}", a.popup);
    let t = text(&screen(&a));
    for want in [
        "Keys: audit",
        "Follow new records, or pause",
        "Close the audit log",
        "Keys: everywhere",
        "Command line",
    ] {
        assert!(t.contains(want), "{want}: {t}");
    }
}

#[test]
fn snapshots_of_the_audit_log_are_inert() {
    for (w, h) in [(80, 24), (160, 40)] {
        let a = audit_app(w, h);
        let t = text(&screen(&a));
        assert!(!t.contains('\u{1b}') && t.contains("mallory\\e["), "{t}");
        insta::assert_snapshot!(format!("audit_{w}x{h}"), t);
    }
}

#[test]
fn an_export_of_the_audit_table_is_exactly_the_rows_shown_in_their_order() {
    let mut a = audit_app(120, 24);
    keys(&mut a, ":filter !started !mallory\n:sort operator\nI");
    assert_eq!(rows(&a), ["carol", "bob", "alice"]);
    let fx = keys(&mut a, ":export csv /tmp/qd-test-audit.csv\n");
    let [
        Effect::Dispatch {
            action:
                Action::Export {
                    table,
                    path,
                    content,
                    rows,
                    ..
                },
            ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?} {:?}", a.status)
    };
    assert_eq!(
        (table.as_str(), path.to_str(), *rows),
        ("audit", Some("/tmp/qd-test-audit.csv"), 3)
    );
    let want = [
        "TIME,OPERATOR,HOST,SITE,ACTION,TARGET,OUTCOME,MESSAGE",
        // A formula cell is prefixed, a cell with quotes and commas quoted.
        "2026-11-21 22:29:43,carol,web1,shop,run migrate,shop/api (qd-shop-api.service),failed (0),\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
        "2026-11-21 22:28:42,bob,web1,shop,run migrate,shop/api (qd-shop-api.service),denied,run migrate refused: operator bob has the readonly role",
        "2026-11-21 22:27:41,alice,web1,shop,run migrate,shop/api (qd-shop-api.service),ok (0),exited with status 0 (3.1s)",
    ];
    let got = String::from_utf8(content.clone()).expect("utf-8");
    assert_eq!(got, want.map(|l| format!("{l}\r\n")).concat());
    // JSON: the records as `qd audit --json` has them, typed.
    let fx = keys(&mut a, ":export json /tmp/qd-test-audit.json\n");
    let [
        Effect::Dispatch {
            action: Action::Export { content, .. },
            ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    let v: serde_json::Value = serde_json::from_slice(content).expect("json");
    let recs = v["audit"].as_array().expect("array");
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0]["operator"], "carol");
    assert_eq!(recs[0]["unix_ms"], 1_795_300_000_000u64 + 3 * 61_000);
    assert_eq!(recs[2]["exit_status"], 0);
}
