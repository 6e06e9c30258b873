//! The services and sites screens on the one table, over the fixture (shop: api,
//! web running, worker failed; blog: php stopped; nginx outside any site): the `/`
//! filter (substring, fuzzy, `!`), sort on a column and its inversion, marks kept on
//! the same units or sites when a refresh reorders the rows, `?` listing each
//! screen's keys, signals to the services' main processes as listed, an export of
//! the filtered and sorted services table that is exactly those rows, and insta
//! snapshots of both screens at 80x24 and 160x40.

mod support;

use quarterdeck::actions::Action;
use quarterdeck::model::Snapshot;
use quarterdeck::model::fixture;
use quarterdeck::model::services::ServiceTable;
use quarterdeck::tui::app::{App, Env, Popup};
use quarterdeck::tui::msg::{Effect, Msg};
use quarterdeck::tui::screen::Screen;
use quarterdeck::tui::table::Column;
use quarterdeck::tui::update::update;
use std::sync::Arc;
use support::tui::*;

fn svc_app(w: u16, h: u16) -> App {
    let mut env = Env::for_tests();
    env.sites = Arc::new(fixture::services::web_sites());
    let mut a = App::new(env, Arc::new(fixture::web_host()), (w, h));
    keys(&mut a, "S");
    assert_eq!(a.screen, Screen::Services);
    a
}

fn sites_app(w: u16, h: u16) -> App {
    let mut a = svc_app(w, h);
    keys(&mut a, ":sites\n");
    assert_eq!(a.screen, Screen::Sites);
    a
}

/// The units shown, in view order.
fn units(a: &App) -> Vec<String> {
    let rows = &a.data.snapshot.services.as_ref().expect("services").rows;
    let t = &a.screens.services.table;
    t.state
        .rows
        .iter()
        .map(|r| rows[r.idx].unit.unit.clone())
        .collect()
}

/// The sites shown, in view order.
fn sites(a: &App) -> Vec<String> {
    let rows = &a.data.snapshot.services.as_ref().expect("services").sites;
    let t = &a.screens.sites.table;
    t.state
        .rows
        .iter()
        .map(|r| rows[r.idx].name.to_string())
        .collect()
}

fn select_unit(a: &mut App, unit: &str) {
    let pos = units(a).iter().position(|u| u == unit).expect("shown");
    a.screens.services.table.select(&a.data, pos);
}

fn filter(a: &mut App, text: &str) {
    keys(a, &format!(":filter {text}\n"));
}

/// A refresh whose services and sites arrive in reverse order.
fn reversed(a: &App) -> Arc<Snapshot> {
    let mut snap = (*a.data.snapshot).clone();
    let mut t: ServiceTable = (**snap.services.as_ref().expect("services")).clone();
    t.rows.reverse();
    t.sites.reverse();
    snap.services = Some(Arc::new(t));
    Arc::new(snap)
}

#[test]
fn the_services_filter_takes_substrings_fuzzy_names_and_negations() {
    let mut a = svc_app(160, 40);
    filter(&mut a, "failed");
    assert_eq!(units(&a), ["qd-shop-worker.service"], "the ACTIVE state");
    filter(&mut a, ":10011");
    assert_eq!(units(&a), ["qd-shop-api.service"], "a declared port");
    filter(&mut a, "shpwrk");
    assert_eq!(
        units(&a),
        ["qd-shop-worker.service"],
        "fuzzy over the names"
    );
    filter(&mut a, "!shop");
    assert_eq!(units(&a), ["qd-blog-php.service", "nginx.service"]);
    filter(&mut a, "shop !running");
    assert_eq!(units(&a), ["qd-shop-worker.service"]);
    keys(&mut a, ":clear-filter\n");
    assert_eq!(units(&a).len(), 5, "an empty filter shows everything");
}

#[test]
fn the_services_sort_on_any_column_and_invert() {
    let mut a = svc_app(160, 40);
    keys(&mut a, "M");
    let mem: Vec<String> = units(&a);
    assert_eq!(
        &mem[..2],
        ["qd-shop-web.service", "qd-shop-api.service"],
        "memory sorts largest first"
    );
    assert_eq!(
        a.screens.services.table.sort().col.map(|c| c.name()),
        Some("mem")
    );
    keys(&mut a, "I");
    let inverted = units(&a);
    assert_eq!(inverted, mem.iter().rev().cloned().collect::<Vec<_>>());
    keys(&mut a, ":sort restarts\n");
    assert_eq!(units(&a)[0], "qd-shop-worker.service", "5 restarts first");
    keys(&mut a, ":sort unit\n");
    assert_eq!(units(&a)[0], "nginx.service", "names alphabetically");
    keys(&mut a, ":sort state\n");
    assert_eq!(
        a.screens.services.table.sort().col.map(|c| c.name()),
        Some("active"),
        "the old name of the ACTIVE column still sorts"
    );
    keys(&mut a, ":sort nosuch\n");
    let status = a.status.as_ref().map(|s| s.1.clone()).unwrap_or_default();
    assert!(status.contains("sort by site, service"), "{status}");
}

#[test]
fn marked_services_stay_marked_when_a_refresh_reorders_them() {
    let mut a = svc_app(160, 40);
    select_unit(&mut a, "qd-shop-api.service");
    keys(&mut a, " ");
    select_unit(&mut a, "qd-blog-php.service");
    keys(&mut a, " ");
    select_unit(&mut a, "qd-shop-worker.service");
    let before = a.screens.services.unit_targets(&a.data);
    let snap = reversed(&a);
    update(&mut a, Msg::Snapshot(snap));
    // Sorted on SITE, the reversed rows now show blog's php before shop's.
    assert_eq!(units(&a)[0], "qd-blog-php.service");
    let after = a.screens.services.unit_targets(&a.data);
    let names = |t: &[quarterdeck::actions::UnitTarget]| {
        let mut v: Vec<String> = t.iter().map(|t| t.unit.clone()).collect();
        v.sort();
        v
    };
    assert_eq!(names(&after), names(&before));
    assert_eq!(
        names(&after),
        ["qd-blog-php.service", "qd-shop-api.service"]
    );
    let sel = a.screens.services.selected(&a.data).expect("a selection");
    assert_eq!(sel.unit.unit, "qd-shop-worker.service", "the selection too");
}

#[test]
fn the_sites_table_filters_sorts_and_keeps_marks_by_name() {
    let mut a = sites_app(160, 40);
    assert_eq!(sites(&a), ["shop", "blog"], "the config's order");
    filter(&mut a, "site_blog");
    assert_eq!(sites(&a), ["blog"], "the user");
    filter(&mut a, "sshp");
    assert_eq!(sites(&a), ["shop"], "fuzzy");
    filter(&mut a, "!shop");
    assert_eq!(sites(&a), ["blog"]);
    keys(&mut a, ":clear-filter\n");
    keys(&mut a, "M");
    assert_eq!(sites(&a), ["shop", "blog"], "memory, largest first");
    keys(&mut a, "I");
    assert_eq!(sites(&a), ["blog", "shop"]);
    keys(&mut a, ":sort health\n");
    assert_eq!(sites(&a), ["blog", "shop"], "failing checks first");
    // Mark blog (the first row now), then a refresh in the other order.
    keys(&mut a, "g ");
    let snap = reversed(&a);
    update(&mut a, Msg::Snapshot(snap));
    let t = &a.screens.sites.table;
    let marked: Vec<String> = t
        .targets(&a.data)
        .into_iter()
        .map(|i| {
            a.data.snapshot.services.as_ref().expect("t").sites[i]
                .name
                .to_string()
        })
        .collect();
    assert_eq!(marked, ["blog"]);
}

#[test]
fn enter_on_a_site_focuses_it_and_l_opens_its_log() {
    let mut a = sites_app(160, 40);
    let fx = keys(&mut a, "l");
    let Some(Effect::OpenLog(followed)) = fx.first() else {
        panic!("{fx:?}")
    };
    let tags: Vec<&str> = followed.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(tags, ["api", "web", "worker"]);
    keys(&mut a, "\x1b");
    keys(&mut a, "j\n");
    assert_eq!(a.screen, Screen::Services);
    assert_eq!(a.data.site.as_deref(), Some("blog"));
    assert_eq!(units(&a), ["qd-blog-php.service"]);
}

#[test]
fn signals_go_to_the_main_processes_as_listed() {
    let mut a = svc_app(160, 40);
    // api's main process is in the snapshot; nginx's (pid 1000) is not visible.
    select_unit(&mut a, "qd-shop-api.service");
    keys(&mut a, " ");
    select_unit(&mut a, "nginx.service");
    keys(&mut a, " k");
    let Some(Popup::SignalMenu { targets, .. }) = &a.popup else {
        panic!("{:?}", a.popup)
    };
    let p = a.data.snapshot.find(1801).expect("api's main process");
    assert_eq!(targets.len(), 1);
    assert_eq!(
        (targets[0].pid, targets[0].starttime),
        (1801, p.starttime_ticks),
        "the process as listed, so a reused pid is refused"
    );
    let status = a.status.as_ref().map(|s| s.1.clone()).unwrap_or_default();
    assert!(
        status.contains("1 service(s) without a visible main process"),
        "{status}"
    );
    // R restarts the units themselves, the stopped ones too.
    keys(&mut a, "\x1b");
    a.screens.services.table.clear_marks();
    select_unit(&mut a, "qd-blog-php.service");
    keys(&mut a, "R");
    let Some(Popup::Confirm {
        action: Action::Unit { op, targets },
        ..
    }) = &a.popup
    else {
        panic!("{:?}", a.popup)
    };
    assert_eq!(op.verb(), "restart");
    assert_eq!(targets[0].unit, "qd-blog-php.service");
}

#[test]
fn help_lists_each_screens_keys_and_the_global_ones() {
    for (app, own, desc) in [
        (
            svc_app(120, 60),
            "Keys: services",
            "Unit actions for the marked",
        ),
        (sites_app(120, 60), "Keys: sites", "Open the site"),
    ] {
        let mut a = app;
        keys(&mut a, "?");
        assert!(matches!(a.popup, Some(Popup::Help { .. })), "{:?}", a.popup);
        let t = text(&screen(&a));
        assert!(t.contains(own) && t.contains(desc), "{t}");
        assert!(t.contains("Keys: everywhere") && t.contains("Quit"), "{t}");
    }
}

/// The content of the export the effects dispatch.
fn exported(fx: &[Effect]) -> (String, String, usize) {
    match fx {
        [
            Effect::Dispatch {
                action:
                    Action::Export {
                        table,
                        content,
                        rows,
                        ..
                    },
                ..
            },
        ] => (
            table.clone(),
            String::from_utf8(content.clone()).expect("utf-8"),
            *rows,
        ),
        _ => panic!("an export dispatched: {fx:?}"),
    }
}

#[test]
fn export_writes_the_filtered_sorted_services_exactly() {
    let mut a = svc_app(160, 40);
    filter(&mut a, "shop");
    keys(&mut a, "M");
    let fx = keys(&mut a, ":export csv /tmp/qd-services.csv\n");
    let (table, csv, n) = exported(&fx);
    assert_eq!((table.as_str(), n), ("services", 3));
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "SITE,SERVICE,LOAD,ACTIVE,SUB,MAIN PID,MEM,CPU%,PROCS,RESTARTS,SINCE,PORT,HEALTH,UNIT"
    );
    let unit_of = |l: &str| l.rsplit(',').next().unwrap_or("").to_string();
    let got: Vec<String> = lines[1..4].iter().map(|l| unit_of(l)).collect();
    assert_eq!(got, units(&a), "the rows shown, in their order");
    assert_eq!(
        got,
        [
            "qd-shop-web.service",
            "qd-shop-api.service",
            "qd-shop-worker.service"
        ]
    );
    assert!(
        lines[1].starts_with("shop,web,loaded,active,running,1802,240.0M,4.1,1,2,"),
        "{}",
        lines[1]
    );
    // A cell starting with `-` is made inert for spreadsheets.
    assert!(
        lines[3].starts_with("shop,worker,loaded,failed,failed,'-,'-,'-,0,5,'-,'-,'-,"),
        "{}",
        lines[3]
    );
    assert_eq!(lines[4], "", "CRLF after the last row");

    let fx = keys(&mut a, ":export json /tmp/qd-services.json\n");
    let (_, json, _) = exported(&fx);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let rows = v["services"].as_array().expect("an array named services");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["unit"], "qd-shop-web.service");
    assert_eq!(rows[0]["main_pid"], 1802, "numbers as numbers");
    assert_eq!(rows[0]["rss_bytes"], 240 * 1024 * 1024);
    assert_eq!(rows[0]["cpu_percent"], 4.1);
    assert_eq!(rows[0]["restarts"], 2);
    assert_eq!(rows[2]["active_state"], "failed");
}

#[test]
fn snapshots_of_the_services_and_sites_screens() {
    for (w, h) in [(80, 24), (160, 40)] {
        let a = svc_app(w, h);
        insta::assert_snapshot!(format!("services_{w}x{h}"), text(&screen(&a)));
        let a = sites_app(w, h);
        insta::assert_snapshot!(format!("sites_{w}x{h}"), text(&screen(&a)));
    }
}
