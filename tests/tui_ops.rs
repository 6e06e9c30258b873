//! The operations views without a terminal, over the fixture's sites (shop/api has
//! build, migrate (requires_stop) and seed (dangerous); shop/web has build): the
//! command menu offers what the marked services have in common, a dangerous command
//! runs only once the service's name is typed, the job pane streams output (inert)
//! and the jobs list shows state; the audit view filters and shows records inert.
//! Insta snapshots of the jobs and audit views.

mod support;

use quarterdeck::actions::{Action, Report, TargetOutcome};
use quarterdeck::model::fixture;
use quarterdeck::tui::app::{App, Env, Popup};
use quarterdeck::tui::msg::{Effect, Msg};
use quarterdeck::tui::screen::Screen;
use quarterdeck::tui::update::update;
use std::sync::Arc;
use support::tui::*;

fn ops_app(w: u16, h: u16) -> App {
    let mut env = Env::for_tests();
    env.sites = Arc::new(fixture::services::web_sites());
    let mut a = App::new(env, Arc::new(fixture::web_host()), (w, h));
    keys(&mut a, "S");
    assert_eq!(a.screen, Screen::Services);
    a
}

fn select(a: &mut App, unit: &str) {
    let rows = &a.data.snapshot.services.as_ref().expect("services").rows;
    let pos = a
        .screens
        .services
        .table
        .state
        .rows
        .iter()
        .position(|r| rows[r.idx].unit.unit == unit)
        .expect("shown");
    a.screens.services.table.select(&a.data, pos);
}

/// Durations (`2ms`, `1.2s`) vary per run: replaced by `[t]` in snapshots.
fn scrub(t: &str) -> String {
    t.lines()
        .map(|l| {
            l.split(' ')
                .map(|w| {
                    let num = w.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == ')');
                    let unit = &w[num.len()..];
                    let timed = !num.is_empty()
                        && num
                            .trim_start_matches('(')
                            .chars()
                            .all(|c| c.is_ascii_digit() || c == '.')
                        && (unit.starts_with("ms") || unit.starts_with('s'));
                    if timed {
                        "[t]".to_string()
                    } else if w.starts_with("──") {
                        // A border after a duration: its length follows the
                        // duration's width, which depends on the machine's load.
                        let rest = w.trim_start_matches('─');
                        format!("──{rest}")
                    } else {
                        w.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn menu_names(a: &App) -> Vec<String> {
    match &a.popup {
        Some(Popup::CommandMenu { items, .. }) => items.iter().map(|i| i.name.clone()).collect(),
        p => panic!("no command menu: {p:?}"),
    }
}

#[test]
fn the_menu_offers_the_commands_the_marked_services_share() {
    let mut a = ops_app(120, 30);
    select(&mut a, "qd-shop-api.service");
    keys(&mut a, "c");
    assert_eq!(menu_names(&a), ["build", "migrate", "seed"]);
    let t = text(&screen(&a));
    assert!(
        t.contains("stops the service") && t.contains("dangerous"),
        "{t}"
    );
    keys(&mut a, "\x1b");
    // Mark api and web (space marks and moves down): only build is common.
    keys(&mut a, "  ");
    select(&mut a, "qd-shop-web.service");
    keys(&mut a, "c");
    assert_eq!(menu_names(&a), ["build"]);
    let fx = keys(&mut a, "\n");
    assert!(fx.is_empty());
    let Some(Popup::Confirm { action, .. }) = &a.popup else {
        panic!("{:?}", a.popup)
    };
    let Action::Command { command, targets } = action else {
        panic!("{action:?}")
    };
    assert_eq!(command, "build");
    let ids: Vec<String> = targets.iter().map(|t| t.id()).collect();
    assert_eq!(ids, ["shop/api", "shop/web"]);
    // A service without commands says so.
    keys(&mut a, "\x1b");
    a.screens.services.table.clear_marks();
    select(&mut a, "qd-blog-php.service");
    keys(&mut a, "c");
    assert!(a.popup.is_none());
    let status = a.status.as_ref().map(|s| s.1.clone()).unwrap_or_default();
    assert!(status.contains("defines no commands"), "{status}");
}

#[test]
fn a_dangerous_command_runs_only_once_the_name_is_typed_and_streams_into_its_job() {
    let mut a = ops_app(100, 24);
    select(&mut a, "qd-shop-api.service");
    keys(&mut a, "c3");
    assert!(
        matches!(a.popup, Some(Popup::TypedConfirm { .. })),
        "{:?}",
        a.popup
    );
    let fx = keys(&mut a, "y\n");
    assert!(fx.is_empty(), "y is not the name");
    keys(&mut a, "\x08");
    assert!(keys(&mut a, "ap\n").is_empty(), "`yap` is not `api`");
    let Some(Popup::TypedConfirm { typed, .. }) = &mut a.popup else {
        panic!("{:?}", a.popup)
    };
    typed.clear();
    let fx = keys(&mut a, "api\n");
    let Some(Effect::Dispatch { job, action }) = fx.first() else {
        panic!("{fx:?}")
    };
    assert!(matches!(action, Action::Command { command, .. } if command == "seed"));
    let id = job.id;
    assert!(
        a.screen == Screen::Jobs && a.screens.jobs.open_id() == Some(id),
        "the job pane opens"
    );
    for line in [
        "── running seed as site_shop in /srv",
        "seeding 10 rows",
        "evil \u{1b}]0;title\u{7} done",
    ] {
        update(&mut a, Msg::JobOutput(id, "shop/api".into(), line.into()));
    }
    let running = text(&screen(&a));
    assert!(running.contains("running 0/1"), "{running}");
    let mut o = TargetOutcome::new(
        service("shop", "api", Some("qd-shop-api.service")),
        Ok("exited with status 0 (1.2s)".into()),
    );
    o.exit_status = Some(0);
    update(&mut a, Msg::Progress(id, o.clone()));
    update(
        &mut a,
        Msg::ActionDone(
            id,
            Ok(Report {
                action: "run seed".into(),
                job: "1-1".into(),
                outcomes: vec![o],
            }),
        ),
    );
    let t = text(&screen(&a));
    assert!(
        !t.contains('\u{1b}') && t.contains("evil \\e]0;title\\x07 done"),
        "{t}"
    );
    insta::assert_snapshot!("job_pane_100x24", scrub(&t));
    // Esc goes back to the list of jobs.
    keys(&mut a, "\x1b");
    assert!(a.screen == Screen::Jobs && a.screens.jobs.open_id().is_none());
    let list = text(&screen(&a));
    assert!(list.contains("run seed") && list.contains("done"), "{list}");
    assert_eq!(
        keys(&mut a, "r"),
        Vec::new(),
        "nothing failed: nothing to retry"
    );
}

#[test]
fn failed_targets_are_retried_as_a_new_job_and_running_jobs_cancel() {
    let mut a = ops_app(100, 24);
    // Space marks and moves down, as in htop: api and web.
    keys(&mut a, "  ");
    let fx = keys(&mut a, ":run build\ny");
    let Some(Effect::Dispatch { job, .. }) = fx.first() else {
        panic!("{fx:?} {:?} {:?}", a.status, a.popup)
    };
    let (id, cancel) = (job.id, job.cancel.clone());
    keys(&mut a, "x");
    assert!(
        cancel.load(std::sync::atomic::Ordering::Relaxed),
        "x cancels"
    );
    let out = |name: &str, ok: bool| {
        let (site, svc) = name.split_once('/').unwrap_or((name, ""));
        TargetOutcome::new(
            service(site, svc, None),
            if ok {
                Ok("exited with status 0".into())
            } else {
                Err("exited with status 2".into())
            },
        )
    };
    update(
        &mut a,
        Msg::ActionDone(
            id,
            Ok(Report {
                action: "run build".into(),
                job: "1-1".into(),
                outcomes: vec![out("shop/api", true), out("shop/web", false)],
            }),
        ),
    );
    keys(&mut a, "r");
    let Some(Popup::Confirm {
        action: Action::Command { targets, .. },
        ..
    }) = &a.popup
    else {
        panic!("{:?}", a.popup)
    };
    let ids: Vec<String> = targets.iter().map(|t| t.id()).collect();
    assert_eq!(ids, ["shop/web"], "only the failed one");
    keys(&mut a, "\x1b:jobs\n");
    insta::assert_snapshot!("jobs_100x24", scrub(&text(&screen(&a))));
}

#[test]
fn the_audit_view_loads_follows_and_filters_inert_records() {
    let mut a = ops_app(120, 20);
    let fx = keys(&mut a, ":audit\n");
    assert_eq!(fx, vec![Effect::LoadAudit]);
    update(
        &mut a,
        Msg::AuditLoaded(Ok(vec![
            audit_record(0, "alice", "started", ""),
            audit_record(1, "alice", "ok", "exited with status 0 (3.1s)"),
            audit_record(
                2,
                "bob",
                "denied",
                "run migrate refused: operator bob has the readonly role",
            ),
            audit_record(3, "mallory\u{1b}[2J", "denied", "evil\u{1b}]0;x\u{7}"),
        ])),
    );
    let t = text(&screen(&a));
    assert!(!t.contains('\u{1b}'), "inert");
    insta::assert_snapshot!("audit_120x20", t);
    // Following: each refresh reloads.
    let snap = a.data.snapshot.clone();
    let fx = update(&mut a, Msg::Snapshot(snap.clone()));
    assert_eq!(fx, vec![Effect::LoadAudit]);
    keys(&mut a, "f");
    assert!(update(&mut a, Msg::Snapshot(snap)).is_empty(), "paused");
    keys(&mut a, "/bob\n");
    let t = text(&screen(&a));
    let rows: Vec<&str> = t.lines().filter(|l| l.contains("run migrate")).collect();
    assert_eq!(rows.len(), 1, "{t}");
    assert!(rows[0].contains(" bob "), "{t}");
}

/// A site service as an outcome's target.
fn service(site: &str, svc: &str, unit: Option<&str>) -> quarterdeck::actions::Target {
    quarterdeck::actions::Target::local(quarterdeck::actions::TargetKind::Service {
        site: site.into(),
        service: svc.into(),
        unit: unit.map(String::from),
    })
}
