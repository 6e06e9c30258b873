//! Process environments are secrets: the detail shows `KEY=****` to everyone, admins
//! included, until an admin asks for a reveal (`v`), which goes through the
//! dispatcher's recorded reveal; an operator's own processes are not masked for them.
//! Real processes with a known secret in their environment.

mod support;

use quarterdeck::actions::{Action, Dispatcher, Operator, Policy, ProcTarget, Role};
use quarterdeck::model::policy::{PolicySpec, Rule, SiteSet, Who};
use quarterdeck::sources::detail;
use quarterdeck::tui::app::{App, Env, Popup};
use quarterdeck::tui::msg::{Effect, Msg};
use quarterdeck::tui::update::update;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use support::Proc;
use support::tui::*;

const SECRET: &str = "hunter2-qd-detail";

fn secret_holder() -> Proc {
    let child = support::spawn_execd(
        Command::new("sleep")
            .arg("1002")
            .env("QD_TEST_SECRET", SECRET)
            .stdin(Stdio::null()),
    );
    Proc { child, stdin: None }
}

#[test]
fn load_masks_values_unless_asked() {
    let p = secret_holder();
    let t = ProcTarget::lookup(p.pid()).expect("lookup");
    let masked = detail::load(p.pid(), t.starttime, false).expect("detail");
    assert!(masked.environ_masked);
    let env = masked.environ.expect("environ readable (same user)");
    assert!(env.iter().any(|v| v == "QD_TEST_SECRET=****"), "{env:?}");
    assert!(!env.iter().any(|v| v.contains(SECRET)), "{env:?}");
    let shown = detail::load(p.pid(), t.starttime, true).expect("detail");
    assert!(!shown.environ_masked);
    let env = shown.environ.expect("environ");
    assert!(env.iter().any(|v| v == &format!("QD_TEST_SECRET={SECRET}")));
}

fn app_for(name: &str, role: Role, snap: quarterdeck::model::Snapshot) -> App {
    let spec = PolicySpec::Rules {
        rules: vec![Rule {
            who: Who::User(name.into()),
            role,
            sites: SiteSet::All,
            hosts: SiteSet::All,
            origin: "test.toml:1".into(),
        }],
        file: "test.toml".into(),
    };
    let op = Operator {
        name: name.into(),
        uid: 0,
        role: Role::Admin,
        sites: SiteSet::All,
        hosts: SiteSet::All,
        rule: None,
    }
    .under(&spec);
    let d = Arc::new(Dispatcher::new(
        Policy::new(spec),
        op.clone(),
        false,
        Duration::from_secs(1),
    ));
    let mut env = Env::for_tests();
    env.operator = op;
    // The test runner's processes belong to a site (so a readonly operator sees them).
    env.sites = Arc::new(quarterdeck::model::site::Sites::new(vec![
        quarterdeck::model::site::Site {
            name: "runner".into(),
            user: support::qdconf::me(),
            trusted: true,
            services: Vec::new(),
        },
    ]));
    App::new(env, Arc::new(snap), (120, 40)).with_checker_of(&d)
}

/// Opens the detail of `pid` and feeds it what the event loop would load.
fn open_detail(a: &mut App, pid: i32) -> bool {
    let pos = a
        .screens
        .processes
        .table
        .state
        .rows
        .iter()
        .position(|r| a.data.snapshot.processes[r.idx].pid == pid)
        .expect("listed");
    a.screens.processes.table.select(&a.data, pos);
    let fx = keys(a, "\n");
    let Some(Effect::LoadDetail {
        pid: p,
        starttime,
        values,
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    let d = detail::load(*p, *starttime, *values);
    update(a, Msg::DetailLoaded(Box::new(d)));
    *values
}

#[test]
fn an_admin_sees_masked_values_until_a_recorded_reveal() {
    let p = secret_holder();
    let snap = quarterdeck::sources::one_shot(Duration::ZERO, false, &Arc::new(Default::default()));
    // An admin who is not the process's owner.
    let mut a = app_for("qd-someadmin", Role::Admin, snap.clone());
    assert!(!open_detail(&mut a, p.pid()), "masked for an admin too");
    let t = text(&screen(&a));
    assert!(t.contains("v reveals"), "{t}");
    let Some(Popup::Detail { data: Some(d), .. }) = &a.popup else {
        panic!("{:?}", a.popup)
    };
    let env = d
        .as_ref()
        .as_ref()
        .expect("detail")
        .environ
        .clone()
        .expect("env");
    assert!(env.iter().any(|v| v == "QD_TEST_SECRET=****"));
    // v: the reveal goes to the dispatcher (recorded there), not read here.
    let fx = keys(&mut a, "v");
    let Some(Effect::RevealEnviron(target)) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(target.pid, p.pid());
    let d = Dispatcher::new(
        Policy::default(),
        a.data.operator.clone(),
        false,
        Duration::from_secs(1),
    );
    let r = d.reveal_environ(target);
    update(&mut a, Msg::EnvironRevealed(p.pid(), r));
    let Some(Popup::Detail { revealed, .. }) = &a.popup else {
        panic!("{:?}", a.popup)
    };
    assert!(
        revealed
            .as_ref()
            .is_some_and(|v| v.iter().any(|v| v.contains(SECRET))),
        "{revealed:?}"
    );

    // A readonly operator's v: the denial, recorded by a dispatch, no reveal.
    let mut a = app_for("qd-someviewer", Role::Readonly, snap.clone());
    assert!(!open_detail(&mut a, p.pid()));
    let fx = keys(&mut a, "v");
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Dispatch {
                action: Action::RevealEnviron { .. },
                ..
            }]
        ),
        "{fx:?}"
    );
    assert!(
        matches!(&a.popup, Some(Popup::Error { title, .. }) if title == "Denied"),
        "{:?}",
        a.popup
    );

    // The operator's own process (same user): values shown, no reveal needed.
    let me = support::qdconf::me();
    let mut a = app_for(&me, Role::Readonly, snap);
    assert!(open_detail(&mut a, p.pid()), "own process unmasked");
    let t = text(&screen(&a));
    assert!(!t.contains("v reveals the environment "), "{t}");
}
