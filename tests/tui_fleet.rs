//! The fleet screens without a network: the hosts view with pool states, a shell
//! pane's emulator fed hostile bytes, the prefix chord, broadcast, exec as a job
//! (per-host outcomes, retry of the failed hosts). Insta snapshots of the hosts view and of a pane.

mod support;

use quarterdeck::ssh::exec::ExecOutcome;
use quarterdeck::ssh::pool::{ConnState, HostStatus};
use quarterdeck::ssh::{Host, HostSource};
use quarterdeck::tui::app::{App, Env};
use quarterdeck::tui::msg::{Effect, Msg};
use quarterdeck::tui::screen::Screen;
use quarterdeck::tui::update::update;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use std::sync::Arc;
use std::time::Duration;
use support::tui::{keys, press, screen, text};

fn host(name: &str, port: u16, tags: &[&str]) -> Host {
    Host {
        name: name.into(),
        address: "10.0.0.5".into(),
        port,
        user: "deploy".into(),
        identities: vec![],
        tags: tags.iter().map(|t| t.to_string()).collect(),
        source: HostSource::Config,
        note: None,
    }
}

fn app(w: u16, h: u16) -> App {
    let mut env = Env::for_tests();
    env.hosts = vec![
        host("web1", 22, &["web", "prod"]),
        host("web2", 2222, &["web"]),
        host("db1", 22, &["db"]),
    ];
    App::new(
        env,
        Arc::new(quarterdeck::model::fixture::web_host()),
        (w, h),
    )
}

fn status(state: ConnState, latency_ms: Option<u64>, channels: usize) -> Option<HostStatus> {
    Some(HostStatus {
        state,
        latency: latency_ms.map(Duration::from_millis),
        channels,
        connected_at: None,
    })
}

#[test]
fn hosts_view_shows_states_and_marks() {
    let mut a = app(120, 10);
    let fx = keys(&mut a, ":hosts\n");
    assert_eq!(fx, vec![Effect::HostsTick]);
    update(
        &mut a,
        Msg::HostStatus(vec![
            status(ConnState::Connected, Some(3), 2),
            status(ConnState::Failed("permission denied".into()), None, 0),
            None,
        ]),
    );
    keys(&mut a, " ");
    let t = text(&screen(&a));
    assert!(
        t.contains("* web1") && t.contains("connected") && t.contains("3.0ms"),
        "{t}"
    );
    assert!(t.contains("failed: permission denied"), "{t}");
    insta::assert_snapshot!("hosts_120x10", t);
    // Enter opens a pane on the marked host only; Esc leaves the fleet screens.
    let fx = keys(&mut a, "\n");
    let opened: Vec<&str> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::OpenPane { host, .. } => Some(host.name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(opened, ["web1"]);
}

fn pane_id(fx: &[Effect]) -> usize {
    fx.iter()
        .find_map(|e| match e {
            Effect::OpenPane { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a pane opened")
}

#[test]
fn pane_renders_the_emulator_inert_and_keys_follow_the_prefix() {
    let mut a = app(80, 12);
    let fx = keys(&mut a, ":host web2\n");
    let id = pane_id(&fx);
    // The pane is fitted to its box: 80x12 minus title, footer and borders.
    assert!(
        fx.contains(&Effect::PaneResize {
            id,
            rows: 8,
            cols: 78
        }),
        "{fx:?}"
    );
    let pane = &a.screens.panes.list[0];
    if let Ok(mut p) = pane.shared.screen.lock() {
        p.screen_mut().set_size(8, 78);
    }
    let mut clamp = quarterdeck::ssh::pane::Clamp::default();
    pane.shared.feed(
        &mut clamp,
        b"$ printf\r\n\x1b]0;pwned\x07title?\x1b[31mred\x1b[0m \xe2\x80\xaebidi\x1b[999999999b\r\n$ ",
    );
    let t = text(&screen(&a));
    assert!(
        t.contains("title?red"),
        "OSC swallowed by the emulator: {t}"
    );
    assert!(!t.contains("pwned") && !t.contains('\u{202e}'), "{t}");
    insta::assert_snapshot!("pane_80x12", t);

    // Typing goes to the pane, encoded as a terminal would.
    let fx = keys(&mut a, "ls\n");
    let sent: Vec<u8> = fx
        .iter()
        .flat_map(|e| match e {
            Effect::PaneInput { bytes, .. } => bytes.clone(),
            _ => vec![],
        })
        .collect();
    assert_eq!(sent, b"ls\r");
    assert_eq!(
        press(&mut a, KeyCode::Char('c'), KeyModifiers::CONTROL),
        vec![Effect::PaneInput { id, bytes: vec![3] }]
    );
    // The prefix leaves input mode: now `x` closes the pane instead of typing x.
    assert!(press(&mut a, KeyCode::Char('\\'), KeyModifiers::CONTROL).is_empty());
    let fx = keys(&mut a, "x");
    assert!(fx.contains(&Effect::ClosePane { id }), "{fx:?}");
    assert!(a.screens.panes.list.is_empty());
}

#[test]
fn broadcast_types_into_every_pane_on_screen() {
    let mut a = app(120, 30);
    keys(&mut a, ":hosts\n");
    keys(&mut a, "  "); // marks web1 and web2
    let fx = keys(&mut a, "s");
    let ids: Vec<usize> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::OpenPane { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(
        a.screens.panes.broadcast,
        "several hosts at once start broadcasting"
    );
    let fx = keys(&mut a, "u");
    assert_eq!(
        fx,
        ids.iter()
            .map(|id| Effect::PaneInput {
                id: *id,
                bytes: b"u".to_vec()
            })
            .collect::<Vec<_>>()
    );
    // Prefix, `b`: broadcast off, typing goes to the focused pane only.
    press(&mut a, KeyCode::Char('\\'), KeyModifiers::CONTROL);
    keys(&mut a, "bi");
    let fx = keys(&mut a, "u");
    assert_eq!(fx.len(), 1, "{fx:?}");
}

#[test]
fn exec_is_a_job_with_per_host_outcomes_and_retry_of_the_failed_hosts() {
    use quarterdeck::actions::{Action, Outcome, Report, Target, TargetKind, TargetOutcome};
    use quarterdeck::tui::app::Popup;
    let mut a = app(120, 16);
    keys(&mut a, ":hosts\n");
    keys(&mut a, "   "); // all three
    keys(&mut a, "x");
    // An exec is destructive: it asks first (Cancel focused), then runs as a job.
    assert!(keys(&mut a, "uptime\n").is_empty());
    assert!(
        matches!(
            a.popup,
            Some(Popup::Confirm {
                ok_focused: false,
                ..
            })
        ),
        "{:?}",
        a.popup
    );
    let fx = keys(&mut a, "y");
    let (id, hosts) = match fx.as_slice() {
        [
            Effect::Dispatch {
                job,
                action: Action::Exec { hosts, command, .. },
            },
        ] => {
            assert_eq!(command, "uptime");
            (job.id, hosts.clone())
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(hosts.len(), 3);
    assert!(
        a.screen == Screen::Jobs && a.screens.jobs.open_id() == Some(id),
        "the job pane opens"
    );
    let done = |h: &Host, status: Option<u32>, err: Option<&str>| {
        let e = ExecOutcome {
            host: h.name.clone(),
            exit_status: status,
            error: err.map(String::from),
            stdout: b"up 3 days\n".to_vec(),
            duration_ms: 12,
            ..Default::default()
        };
        TargetOutcome {
            target: Target {
                host: h.name.clone(),
                kind: TargetKind::Host {
                    name: h.name.clone(),
                    remote: h.conn_key(),
                },
            },
            outcome: if e.ok() { Outcome::Ok } else { Outcome::Failed },
            message: e.summary(),
            exit_status: status.map(|s| s as i32),
            duration_ms: Some(12),
            exec: Some(Box::new(e)),
        }
    };
    update(
        &mut a,
        Msg::JobOutput(id, "web1".into(), "up 3 days".into()),
    );
    let outcomes = vec![
        done(&hosts[0], Some(0), None),
        done(&hosts[1], Some(2), None),
        done(&hosts[2], None, Some("connect to 10.0.0.5:22: timed out")),
    ];
    for o in &outcomes {
        update(&mut a, Msg::Progress(id, o.clone()));
    }
    update(
        &mut a,
        Msg::ActionDone(
            id,
            Ok(Report {
                action: "exec uptime".into(),
                job: "1-1".into(),
                outcomes,
            }),
        ),
    );
    let t = text(&screen(&a));
    assert!(
        t.contains("exit 0") && t.contains("exit 2") && t.contains("timed out"),
        "{t}"
    );
    assert!(
        t.contains("up 3 days"),
        "the host's output in the job pane: {t}"
    );
    // :jobs lists it with its failures.
    assert_eq!(a.data.jobs.get(id).expect("job").state(), "2 failed");
    // r: only the failed hosts, through the same confirmation.
    assert!(keys(&mut a, "r").is_empty());
    let fx = keys(&mut a, "y");
    match fx.as_slice() {
        [
            Effect::Dispatch {
                action: Action::Exec { hosts, .. },
                ..
            },
        ] => {
            let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
            assert_eq!(names, ["web2", "db1"]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_shell_pane_is_a_job_from_open_to_close() {
    use quarterdeck::actions::{Action, Target, TargetKind, TargetOutcome};
    let mut a = app(120, 16);
    keys(&mut a, ":hosts\n");
    let fx = keys(&mut a, "\n");
    let id = fx
        .iter()
        .find_map(|e| match e {
            Effect::OpenPane { id, .. } => Some(*id),
            _ => None,
        })
        .expect("a pane opens");
    let job = a.data.jobs.list.last().expect("a job");
    assert!(
        matches!(job.action, Action::Shell { .. }),
        "{:?}",
        job.action
    );
    assert!(job.running());
    let (job_id, host) = (job.id, job.targets[0].0.clone());
    // The close outcome the dispatcher recorded ends the job.
    let o = TargetOutcome::failed(
        Target {
            host: host.clone(),
            kind: TargetKind::Host {
                name: host.clone(),
                remote: "deploy@127.0.0.1:22".into(),
            },
        },
        "closed: connection lost",
    );
    update(&mut a, Msg::PaneEnded(id, Some(o)));
    let job = a.data.jobs.get(job_id).expect("job");
    assert!(!job.running());
    assert_eq!(job.state(), "1 failed");
}

#[test]
fn a_pane_the_policy_refuses_never_opens() {
    use quarterdeck::actions::{Action, Dispatcher, Operator, Policy, Role};
    use quarterdeck::model::policy::{PolicySpec, Rule, SiteSet, Who};
    use quarterdeck::tui::app::Popup;
    let spec = PolicySpec::Rules {
        rules: vec![Rule {
            who: Who::User("alice".into()),
            role: Role::Developer,
            sites: SiteSet::All,
            hosts: SiteSet::none(),
            origin: "test.toml:2".into(),
        }],
        file: "test.toml".into(),
    };
    let op: Operator = Env::for_tests().operator.under(&spec);
    let d = Arc::new(Dispatcher::new(
        Policy::new(spec),
        op,
        false,
        Duration::from_secs(1),
    ));
    let mut a = app(120, 16).with_checker_of(&d);
    keys(&mut a, ":hosts\n");
    let fx = keys(&mut a, "\n");
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Dispatch {
                action: Action::Shell { .. },
                ..
            }]
        ),
        "only the denial's dispatch, no pane: {fx:?}"
    );
    assert!(a.screens.panes.list.is_empty());
    assert!(
        matches!(&a.popup, Some(Popup::Error { title, message }) if title == "Denied" && message.contains("not one of alice's hosts")),
        "{:?}",
        a.popup
    );
}

#[test]
fn exec_prompt_and_confirmation_show_the_command_and_the_hosts() {
    let mut a = app(120, 20);
    keys(&mut a, ":hosts\n");
    keys(&mut a, "  "); // web1, web2
    keys(&mut a, "x");
    keys(&mut a, "uptime");
    // The command shows as it is typed (it was typed blind before).
    let s = text(&screen(&a));
    let bottom = s.lines().last().unwrap_or_default();
    assert!(bottom.contains("run on the hosts: uptime█"), "{s}");
    keys(&mut a, "\n");
    // The confirmation names each host it runs on, and only those.
    let s = text(&screen(&a));
    assert!(s.contains("exec uptime — 2 hosts:"), "{s}");
    assert!(
        s.contains("web1") && s.contains("deploy@10.0.0.5:22"),
        "{s}"
    );
    assert!(s.contains("deploy@10.0.0.5:2222"), "{s}");
    let confirm: String = s.lines().filter(|l| l.contains('│')).collect();
    assert!(!confirm.contains("db1"), "db1 is not marked: {s}");
}

#[test]
fn a_filter_typed_on_the_hosts_screen_shows_where_it_is_typed() {
    let mut a = app(120, 10);
    keys(&mut a, ":hosts\n");
    keys(&mut a, "/web");
    let s = text(&screen(&a));
    assert!(
        s.lines().last().unwrap_or_default().starts_with("/web█"),
        "{s}"
    );
}
