//! The policy decides before any dialog: an App whose checker is a real `Dispatcher`'s
//! (with a `PolicySpec::Rules` policy) shows the denial, with the rule that decided,
//! instead of a menu or a confirmation, and still dispatches the action so the
//! dispatcher records the denial. Dialogs follow `Action::risk`.

mod support;

use quarterdeck::actions::{Action, Dispatcher, Operator, Policy, Role, Sig};
use quarterdeck::model::fixture;
use quarterdeck::model::policy::{PolicySpec, Rule, SiteSet, Who};
use quarterdeck::tui::app::{App, Env, Popup};
use quarterdeck::tui::msg::Effect;
use quarterdeck::tui::screen::Screen;
use std::sync::Arc;
use std::time::Duration;
use support::tui::*;

fn rules(user: &str, role: Role, sites: SiteSet) -> PolicySpec {
    PolicySpec::Rules {
        rules: vec![Rule {
            who: Who::User(user.into()),
            role,
            sites,
            hosts: SiteSet::All,
            origin: "/etc/quarterdeck/config.toml:7".into(),
        }],
        file: "/etc/quarterdeck/config.toml".into(),
    }
}

fn app_under(spec: PolicySpec) -> App {
    let base = Env::for_tests().operator;
    let op: Operator = Operator {
        role: Role::Admin,
        rule: None,
        ..base
    }
    .under(&spec);
    let sites = Arc::new(fixture::services::web_sites());
    let d = Arc::new(
        Dispatcher::new(Policy::new(spec), op.clone(), false, Duration::from_secs(1))
            .with_sites(sites.clone()),
    );
    let mut env = Env::for_tests();
    env.operator = op;
    env.sites = sites;
    App::new(env, Arc::new(fixture::web_host()), (120, 30)).with_checker_of(&d)
}

fn denied_dispatch(fx: &[Effect]) -> &Action {
    match fx {
        [Effect::Dispatch { action, .. }] => action,
        _ => panic!("the denied action is dispatched (to be recorded): {fx:?}"),
    }
}

fn denial_text(a: &App) -> String {
    match &a.popup {
        Some(Popup::Error { title, message }) if title == "Denied" => message.clone(),
        p => panic!("a denial, not a dialog: {p:?}"),
    }
}

#[test]
fn a_readonly_operator_gets_the_denial_not_the_signal_menu() {
    let mut a = app_under(rules("alice", Role::Readonly, SiteSet::All));
    let fx = keys(&mut a, "k");
    let action = denied_dispatch(&fx);
    assert!(matches!(action, Action::Signal { .. }), "{action:?}");
    let why = denial_text(&a);
    assert!(why.contains("readonly role"), "{why}");
    assert!(
        why.contains("/etc/quarterdeck/config.toml:7"),
        "the rule that decided: {why}"
    );
    let screen = text(&screen(&a));
    assert!(!screen.contains("[ Cancel ]"), "no confirmation: {screen}");
    // The job is listed as denied once the dispatcher answers.
    let id = a.data.jobs.list.last().expect("a job").id;
    quarterdeck::tui::update::update(
        &mut a,
        quarterdeck::tui::msg::Msg::ActionDone(
            id,
            Err(quarterdeck::actions::Denial {
                reason: why.clone(),
            }),
        ),
    );
    assert_eq!(a.data.jobs.get(id).expect("job").state(), "denied");
}

#[test]
fn a_developer_gets_the_denial_on_another_sites_unit() {
    let spec = rules("alice", Role::Developer, SiteSet::Only(vec!["shop".into()]));
    // alice's own process running inside blog's unit: she sees it (her own), but it
    // belongs to site blog, which is not hers.
    let mut snap = fixture::web_host();
    let p = snap
        .processes
        .iter_mut()
        .find(|p| &*p.user == "site_blog")
        .expect("a blog process");
    p.user = "alice".into();
    p.unit = Some("qd-blog-php.service".into());
    p.site = Some("blog".into());
    let pid = p.pid;
    let mut a = app_under(spec);
    quarterdeck::tui::update::update(&mut a, quarterdeck::tui::msg::Msg::Snapshot(Arc::new(snap)));
    let pos = a
        .screens
        .processes
        .table
        .state
        .rows
        .iter()
        .position(|r| a.data.snapshot.processes[r.idx].pid == pid)
        .expect("her own process is listed");
    a.screens.processes.table.select(&a.data, pos);
    let fx = keys(&mut a, "k");
    assert!(
        matches!(denied_dispatch(&fx), Action::Signal { .. }),
        "{fx:?}"
    );
    let why = denial_text(&a);
    assert!(
        why.contains("site blog is not one of alice's sites"),
        "{why}"
    );
    // The services view does not even list blog's unit (visibility follows the role);
    // her own site's unit gets the menu.
    a.popup = None;
    keys(&mut a, "S");
    assert_eq!(a.screen, Screen::Services);
    let snap = a.data.snapshot.clone();
    let rows = &snap.services.as_ref().expect("services").rows;
    let units: Vec<&str> = a
        .screens
        .services
        .table
        .state
        .rows
        .iter()
        .map(|r| rows[r.idx].unit.unit.as_str())
        .collect();
    assert!(!units.contains(&"qd-blog-php.service"), "{units:?}");
    let pos = units
        .iter()
        .position(|u| *u == "qd-shop-api.service")
        .expect("shop's unit listed");
    a.screens.services.table.select(&a.data, pos);
    assert!(keys(&mut a, "\n").is_empty());
    assert!(
        matches!(a.popup, Some(Popup::UnitMenu { .. })),
        "{:?}",
        a.popup
    );
}

#[test]
fn dialogs_follow_the_actions_risk() {
    let mut a = app_under(rules("alice", Role::Admin, SiteSet::All));
    // KILL is destructive: a dialog with Cancel focused.
    let fx = quarterdeck::tui::run::command(
        &mut a,
        quarterdeck::config::Command::Signal(Some(Sig::Kill)),
    );
    assert!(fx.is_empty());
    assert!(
        matches!(
            &a.popup,
            Some(Popup::Confirm {
                ok_focused: false,
                ..
            })
        ),
        "{:?}",
        a.popup
    );
    // CONT is normal: it runs at once, no dialog.
    a.popup = None;
    let fx = quarterdeck::tui::run::command(
        &mut a,
        quarterdeck::config::Command::Signal(Some(Sig::Cont)),
    );
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Dispatch {
                action: Action::Signal { sig: Sig::Cont, .. },
                ..
            }]
        ),
        "{fx:?}"
    );
    assert!(a.popup.is_none(), "{:?}", a.popup);
    // A typed confirmation names the target: removing a site wants its name.
    let fx = quarterdeck::tui::propose::propose(
        &mut a,
        Action::RemoveSite {
            site: "blog".into(),
        },
    );
    assert!(fx.is_empty());
    match &a.popup {
        Some(Popup::TypedConfirm { want, .. }) => assert_eq!(want, "blog"),
        p => panic!("{p:?}"),
    }
}

#[test]
fn the_services_menus_open_only_when_the_policy_allows_their_action() {
    let mut a = app_under(rules("alice", Role::Readonly, SiteSet::All));
    keys(&mut a, "S");
    assert_eq!(a.screen, Screen::Services);
    // The unit menu: the first valid action of api (running) is stop, refused.
    let fx = keys(&mut a, "\n");
    assert!(
        matches!(denied_dispatch(&fx), Action::Unit { .. }),
        "{fx:?}"
    );
    assert!(denial_text(&a).contains("readonly role"));
    // The signal menu of its main process: the same.
    a.popup = None;
    let fx = keys(&mut a, "k");
    let Action::Signal { targets, .. } = denied_dispatch(&fx) else {
        panic!("{fx:?}")
    };
    assert_eq!(targets[0].pid, 1801);
    assert!(denial_text(&a).contains("readonly role"));
}
