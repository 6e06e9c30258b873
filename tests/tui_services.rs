//! The services and sites views without a terminal, over the fixture's sites (shop:
//! api, web running, worker failed; blog: php stopped; nginx outside any site):
//! switching starts the unit watcher, the action menu offers only valid actions,
//! marks make one bulk unit action, Enter on a site focuses it, restart of a unit's
//! process becomes a unit restart, the log pane follows and searches; insta
//! snapshots at a large and a tiny size.

mod support;

use quarterdeck::actions::Action;
use quarterdeck::model::port::Scope;
use quarterdeck::sources::Control;
use quarterdeck::sources::unitwatch::WatchCtl;
use quarterdeck::systemd::jobs::UnitOp;
use quarterdeck::tui::app::{App, Popup};
use quarterdeck::tui::msg::{Effect, Msg};
use quarterdeck::tui::screen::Screen;
use quarterdeck::tui::update::update;
use support::tui::*;

fn svc_app(w: u16, h: u16) -> App {
    let mut a = app(w, h);
    let fx = keys(&mut a, "S");
    assert_eq!(a.screen, Screen::Services);
    assert_eq!(
        fx,
        vec![
            Effect::Collector(Control::Ports(Some(Scope::Listening))),
            Effect::Units(WatchCtl::Refresh)
        ],
        "the first services view starts the watcher and asks for sockets"
    );
    a
}

fn shown(a: &App) -> Vec<String> {
    let rows = &a.data.snapshot.services.as_ref().expect("services").rows;
    a.screens
        .services
        .table
        .state
        .rows
        .iter()
        .map(|r| rows[r.idx].unit.unit.clone())
        .collect()
}

fn select(a: &mut App, unit: &str) {
    let pos = shown(a).iter().position(|u| u == unit).expect("shown");
    a.screens.services.table.select(&a.data, pos);
}

#[test]
fn sites_first_in_config_order_then_other_units() {
    let a = svc_app(160, 40);
    assert_eq!(
        shown(&a),
        [
            "qd-shop-api.service",
            "qd-shop-web.service",
            "qd-shop-worker.service",
            "qd-blog-php.service",
            "nginx.service"
        ]
    );
    // The join: CPU and memory summed over the unit's processes of this snapshot.
    let rows = &a.data.snapshot.services.as_ref().expect("services").rows;
    let api = rows
        .iter()
        .find(|r| r.unit.unit == "qd-shop-api.service")
        .expect("api");
    let procs: Vec<_> = a
        .data
        .snapshot
        .processes
        .iter()
        .filter(|p| p.unit.as_deref() == Some("qd-shop-api.service"))
        .collect();
    assert_eq!(api.procs as usize, procs.len());
    assert_eq!(
        api.rss_bytes,
        procs.iter().map(|p| p.rss_bytes).sum::<u64>()
    );
    assert!(api.procs > 0);
}

#[test]
fn the_menu_offers_only_what_fits_the_state() {
    let mut a = svc_app(160, 40);
    select(&mut a, "qd-shop-worker.service");
    keys(&mut a, "\n");
    let Some(Popup::UnitMenu { items, targets, .. }) = &a.popup else {
        panic!("menu: {:?}", a.popup)
    };
    assert_eq!(
        items,
        &[
            UnitOp::Start,
            UnitOp::Restart,
            UnitOp::Disable,
            UnitOp::ResetFailed
        ],
        "failed: no stop, no reload, no kill"
    );
    assert_eq!(targets[0].service.as_deref(), Some("shop/worker"));
    keys(&mut a, "\x1b");
    select(&mut a, "nginx.service");
    keys(&mut a, "\n");
    let Some(Popup::UnitMenu { items, .. }) = &a.popup else {
        panic!()
    };
    assert!(
        items.contains(&UnitOp::Reload)
            && items.contains(&UnitOp::Stop)
            && !items.contains(&UnitOp::Start),
        "{items:?}"
    );
    // kill opens the signal choice, then the confirmation names the signal.
    let kill = items
        .iter()
        .position(|o| matches!(o, UnitOp::Kill(..)))
        .expect("kill")
        + 1;
    keys(&mut a, &kill.to_string());
    keys(&mut a, "2");
    let Some(Popup::Confirm { action, .. }) = &a.popup else {
        panic!("{:?}", a.popup)
    };
    assert_eq!(action.verb(), "kill -KILL");
}

#[test]
fn marked_units_across_sites_are_one_bulk_action() {
    let mut a = svc_app(160, 40);
    select(&mut a, "qd-shop-api.service");
    keys(&mut a, " ");
    select(&mut a, "qd-blog-php.service");
    keys(&mut a, " ");
    keys(&mut a, ":unit restart\n");
    let Some(Popup::Confirm { action, .. }) = a.popup.clone() else {
        panic!("{:?}", a.popup)
    };
    let Action::Unit { op, targets } = &action else {
        panic!()
    };
    assert_eq!(*op, UnitOp::Restart);
    let units: Vec<&str> = targets.iter().map(|t| t.unit.as_str()).collect();
    assert_eq!(units, ["qd-shop-api.service", "qd-blog-php.service"]);
    let fx = keys(&mut a, "y");
    let Some(Effect::Dispatch { job, action: sent }) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(*sent, action);
    let job = job.id;
    let t = text(&screen(&a));
    assert!(t.contains("restart on 2 units"), "{t}");
    // Each unit is counted as its job ends.
    for (unit, ok) in [
        ("qd-shop-api.service", true),
        ("qd-blog-php.service", false),
    ] {
        update(
            &mut a,
            Msg::Progress(
                job,
                quarterdeck::actions::TargetOutcome::new(
                    quarterdeck::actions::UnitTarget::new(unit, None).target(),
                    if ok {
                        Ok(String::new())
                    } else {
                        Err(String::new())
                    },
                ),
            ),
        );
    }
    let t = text(&screen(&a));
    assert!(
        t.contains("2 done, 1 failed, last qd-blog-php.service: FAILED"),
        "{t}"
    );
}

#[test]
fn enter_on_a_site_shows_only_that_site_and_esc_returns() {
    let mut a = app(160, 40);
    keys(&mut a, ":sites\n");
    assert_eq!(a.screen, Screen::Sites);
    let sites = &a.data.snapshot.services.as_ref().expect("t").sites;
    let shop = sites.iter().find(|s| &*s.name == "shop").expect("shop");
    assert_eq!((shop.up, shop.services, shop.failed), (2, 3, 1));
    keys(&mut a, "\n");
    assert_eq!(a.screen, Screen::Services);
    assert_eq!(
        shown(&a),
        [
            "qd-shop-api.service",
            "qd-shop-web.service",
            "qd-shop-worker.service"
        ]
    );
    // Tab: the site's processes, then its ports.
    keys(&mut a, "\t");
    assert_eq!(a.screen, Screen::Processes);
    let snap = a.data.snapshot.clone();
    let procs = &a.screens.processes.table.state.rows;
    assert!(!procs.is_empty());
    assert!(
        procs
            .iter()
            .all(|r| snap.processes[r.idx].site.as_deref() == Some("shop"))
    );
    keys(&mut a, "\t");
    assert_eq!(a.screen, Screen::Ports);
    let ports = &snap.ports.as_ref().expect("ports").rows;
    assert!(
        a.screens
            .ports
            .table
            .state
            .rows
            .iter()
            .all(|r| ports[r.idx].site.as_deref() == Some("shop"))
    );
    keys(&mut a, "\x1b");
    assert_eq!(a.screen, Screen::Sites);
    assert!(a.data.site.is_none());
}

#[test]
fn restarting_a_process_of_a_service_restarts_the_unit() {
    let mut a = app(160, 40);
    keys(&mut a, "/node\n");
    let p = a
        .screens
        .processes
        .selected_process(&a.data)
        .expect("a node process");
    assert_eq!(p.unit.as_deref(), Some("qd-shop-api.service"));
    keys(&mut a, "R");
    let Some(Popup::Confirm {
        action: Action::Unit { op, targets },
        ..
    }) = &a.popup
    else {
        panic!("{:?}", a.popup)
    };
    assert_eq!(
        (*op, targets[0].unit.as_str()),
        (UnitOp::Restart, "qd-shop-api.service")
    );
}

#[test]
fn the_log_pane_follows_pauses_and_searches() {
    let mut a = svc_app(100, 30);
    let fx = keys(&mut a, "l");
    assert_eq!(
        fx,
        vec![Effect::OpenLog(vec![(
            String::new(),
            "qd-shop-api.service".into()
        )])]
    );
    update(
        &mut a,
        Msg::LogLines((1..=100).map(|i| format!("line {i}")).collect()),
    );
    let t = text(&screen(&a));
    assert!(t.contains("line 100") && t.contains("following"), "{t}");
    keys(&mut a, "kkk");
    update(&mut a, Msg::LogLines(vec!["line 101".into()]));
    let t = text(&screen(&a));
    assert!(
        t.contains("paused") && t.contains("line 97") && !t.contains("line 101"),
        "scrolled up stays put: {t}"
    );
    keys(&mut a, "G/line 5\n");
    let t = text(&screen(&a));
    assert!(t.contains("line 50") && !t.contains("line 49"), "{t}");
    let fx = keys(&mut a, "\x1b");
    assert_eq!(fx, vec![Effect::CloseLog]);
    assert!(a.popup.is_none());
}

#[test]
fn site_logs_merge_the_sites_units() {
    let mut a = svc_app(100, 30);
    let fx = keys(&mut a, "L");
    let Some(Effect::OpenLog(units)) = fx.first() else {
        panic!("{fx:?}")
    };
    let tags: Vec<&str> = units.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(tags, ["api", "web", "worker"]);
}

#[test]
fn snapshots_of_the_services_and_sites_views() {
    let a = svc_app(150, 30);
    insta::assert_snapshot!("services_150x30", text(&screen(&a)));
    let a = svc_app(80, 24);
    insta::assert_snapshot!("services_80x24", text(&screen(&a)));
    let mut a = app(120, 24);
    keys(&mut a, ":sites\n");
    insta::assert_snapshot!("sites_120x24", text(&screen(&a)));
}

#[test]
fn rows_listed_before_their_properties_show_them_as_unknown_not_zero() {
    let mut a = svc_app(160, 40);
    let filled = a.data.snapshot.clone();
    let mut snap = (*filled).clone();
    let mut table = (**snap.services.as_ref().expect("services")).clone();
    for r in &mut table.rows {
        // What the list call gives: states, nothing else.
        r.unit.props_pending = true;
        r.unit.detail_pending = true;
        (r.unit.main_pid, r.unit.restarts, r.unit.active_since_us) = (0, 0, 0);
    }
    snap.services = Some(std::sync::Arc::new(table));
    update(&mut a, Msg::Snapshot(std::sync::Arc::new(snap)));
    let before = text(&screen(&a));
    let api = before
        .lines()
        .find(|l| l.contains("qd-shop-api.service"))
        .expect("api row");
    assert!(api.contains("active") && api.contains("running"), "{api}");
    assert_eq!(
        api.matches('…').count(),
        3,
        "MAIN PID, RESTARTS, SINCE: {api}"
    );
    let (unread, shown) = a.screens.services.unread_on_screen(&a.data);
    assert_eq!(shown, 5);
    assert_eq!(unread.len(), 5, "every row on screen is to be read first");
    // Signalling the main process of a row not read yet is not "not running".
    select(&mut a, "qd-shop-api.service");
    keys(&mut a, "k");
    assert!(a.popup.is_none());
    let status = a.status.as_ref().map(|s| s.1.clone()).unwrap_or_default();
    assert!(status.contains("not read yet"), "{status}");
    update(&mut a, Msg::Snapshot(filled));
    let after = text(&screen(&a));
    let api = after
        .lines()
        .find(|l| l.contains("qd-shop-api.service"))
        .expect("api row");
    assert!(!api.contains('…'), "{api}");
    assert_eq!(
        a.screens.services.unread_on_screen(&a.data).0,
        Vec::<String>::new()
    );
}
