//! The hosts screen on the one table, without a network: the `/` filter (substring,
//! fuzzy on the name, `!` excludes), sort on a column and invert, marks that stay on
//! their hosts when a refresh of the pool's states reorders the rows, export of what
//! is shown (CSV and JSON, through `Action::Export`), `?` listing the `[hosts]` keys,
//! a config's `[[keymap.hosts]]` changing a key, and insta snapshots at 80x24 and
//! 160x40.

mod support;

use quarterdeck::actions::Action;
use quarterdeck::ssh::pool::{ConnState, HostStatus};
use quarterdeck::ssh::{Host, HostSource};
use quarterdeck::tui::app::{App, Env, InputKind, Popup};
use quarterdeck::tui::msg::{Effect, Msg};
use quarterdeck::tui::screen::Screen;
use quarterdeck::tui::update::update;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use support::tui::{keys, press, screen, text};

fn host(name: &str, address: &str, port: u16, tags: &[&str]) -> Host {
    Host {
        name: name.into(),
        address: address.into(),
        port,
        user: "deploy".into(),
        identities: vec![],
        tags: tags.iter().map(|t| t.to_string()).collect(),
        source: HostSource::Config,
        note: None,
    }
}

fn fleet() -> Vec<Host> {
    vec![
        host("web1", "10.0.0.5", 22, &["web", "prod"]),
        host("web2", "10.0.0.6", 2222, &["web"]),
        host("db1", "10.0.1.9", 2200, &["db", "prod"]),
        Host {
            note: Some("ProxyJump is not supported".into()),
            ..host("cache-a", "cache.internal", 22, &[])
        },
    ]
}

fn app_with(env: Env, w: u16, h: u16) -> App {
    let mut env = env;
    env.hosts = fleet();
    let mut a = App::new(
        env,
        Arc::new(quarterdeck::model::fixture::web_host()),
        (w, h),
    );
    assert_eq!(keys(&mut a, ":hosts\n"), vec![Effect::HostsTick]);
    assert_eq!(a.screen, Screen::Hosts);
    a
}

fn app(w: u16, h: u16) -> App {
    app_with(Env::for_tests(), w, h)
}

fn up(latency_ms: u64, channels: usize) -> Option<HostStatus> {
    Some(HostStatus {
        state: ConnState::Connected,
        latency: Some(Duration::from_millis(latency_ms)),
        channels,
        connected_at: None,
    })
}

fn failed(why: &str) -> Option<HostStatus> {
    Some(HostStatus {
        state: ConnState::Failed(why.into()),
        latency: None,
        channels: 0,
        connected_at: None,
    })
}

/// The hosts' names in the order the table shows them.
fn shown(a: &App) -> Vec<String> {
    a.screens
        .hosts
        .table
        .state
        .rows
        .iter()
        .map(|r| a.data.hosts[r.idx].name.clone())
        .collect()
}

fn opened(fx: &[Effect]) -> Vec<String> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::OpenPane { host, .. } => Some(host.name.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_filter_matches_substrings_fuzzily_on_the_name_and_excludes_with_bang() {
    let mut a = app(120, 20);
    assert_eq!(shown(&a), ["web1", "web2", "db1", "cache-a"]);
    // Typed into the `/` prompt, the rows follow each key.
    keys(&mut a, "/prod");
    assert_eq!(shown(&a), ["web1", "db1"], "the tag, as a substring");
    keys(&mut a, "\n");
    assert!(a.popup.is_none());
    assert!(text(&screen(&a)).contains("hosts (2 of 4, filter: prod)"));
    keys(&mut a, ":filter wb2\n");
    assert_eq!(shown(&a), ["web2"], "fuzzy on the name");
    keys(&mut a, ":filter 10.0.0\n");
    assert_eq!(shown(&a), ["web1", "web2"], "the address");
    keys(&mut a, ":filter !web\n");
    assert_eq!(shown(&a), ["db1", "cache-a"]);
    keys(&mut a, ":filter proxyjump\n");
    assert_eq!(shown(&a), ["cache-a"], "the state text, its note included");
    keys(&mut a, ":filter\n");
    // Esc in the prompt puts the previous filter back.
    keys(&mut a, "xyz\x1b");
    assert_eq!(shown(&a), ["cache-a"]);
}

#[test]
fn sorts_on_any_column_and_inverts() {
    let mut a = app(120, 20);
    keys(&mut a, ":sort port\n");
    assert_eq!(shown(&a), ["web1", "cache-a", "db1", "web2"]);
    keys(&mut a, "I");
    assert_eq!(
        shown(&a),
        ["web2", "db1", "cache-a", "web1"],
        "ties invert too"
    );
    keys(&mut a, ":sort name\n");
    assert_eq!(shown(&a), ["cache-a", "db1", "web1", "web2"]);
    // Amounts sort largest first; hosts never connected have none and go last.
    update(
        &mut a,
        Msg::HostStatus(vec![up(3, 1), up(40, 2), failed("timed out"), None]),
    );
    keys(&mut a, ":sort latency\n");
    assert_eq!(shown(&a), ["web2", "web1", "cache-a", "db1"]);
    let t = text(&screen(&a));
    assert!(t.contains("LATENCY▼"), "{t}");
    keys(&mut a, ":sort bogus\n");
    let t = text(&screen(&a));
    assert!(
        t.contains("the hosts table has no column `bogus`: sort by name, address, port"),
        "{t}"
    );
}

#[test]
fn marks_stay_on_their_hosts_when_a_refresh_reorders_the_rows() {
    let mut a = app(120, 20);
    update(
        &mut a,
        Msg::HostStatus(vec![up(3, 1), up(50, 1), up(10, 1), None]),
    );
    keys(&mut a, ":sort latency\n");
    assert_eq!(shown(&a), ["web2", "db1", "web1", "cache-a"]);
    keys(&mut a, "g "); // marks web2, the first row
    // The next states reorder the rows: web2 is now the fastest.
    update(
        &mut a,
        Msg::HostStatus(vec![up(30, 1), up(1, 1), up(10, 1), None]),
    );
    assert_eq!(shown(&a), ["web1", "db1", "web2", "cache-a"]);
    let t = text(&screen(&a));
    let marked: Vec<&str> = t.lines().filter(|l| l.starts_with('*')).collect();
    assert_eq!(marked.len(), 1, "{t}");
    assert!(marked[0].contains("web2"), "{t}");
    // Enter opens a shell on the marked host only, and the marks are spent.
    let fx = keys(&mut a, "\n");
    assert_eq!(opened(&fx), ["web2"]);
    assert_eq!(a.screen, Screen::Panes);
    assert_eq!(a.screens.hosts.table.marked(), 0);
}

#[test]
fn exec_asks_for_the_command_and_proposes_it_on_the_marked_hosts() {
    let mut a = app(120, 20);
    keys(&mut a, " j "); // web1 and db1
    keys(&mut a, "x");
    assert!(
        matches!(
            a.popup,
            Some(Popup::Input {
                kind: InputKind::Exec,
                ..
            })
        ),
        "{:?}",
        a.popup
    );
    keys(&mut a, "uptime\n");
    match &a.popup {
        Some(Popup::Confirm {
            action: Action::Exec { hosts, command, .. },
            ..
        }) => {
            let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
            assert_eq!((names, command.as_str()), (vec!["web1", "db1"], "uptime"));
        }
        other => panic!("{other:?}"),
    }
    // From another screen `:exec` takes the hosts screen's targets the same way.
    keys(&mut a, "\x1b\x1b");
    assert_eq!(a.screen, Screen::Processes, "Esc leaves the hosts screen");
    keys(&mut a, ":exec df -h\n");
    assert!(matches!(
        &a.popup,
        Some(Popup::Confirm { action: Action::Exec { hosts, .. }, .. }) if hosts.len() == 2
    ));
}

/// The content of the one export the effects dispatch.
fn exported(fx: &[Effect]) -> (String, usize) {
    match fx {
        [
            Effect::Dispatch {
                action:
                    Action::Export {
                        table,
                        content,
                        rows,
                        path,
                        ..
                    },
                ..
            },
        ] => {
            assert_eq!(table, "hosts");
            assert!(path.starts_with("/tmp"), "{path:?}");
            (String::from_utf8(content.clone()).expect("utf-8"), *rows)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn export_writes_exactly_the_filtered_sorted_rows() {
    let mut a = app(120, 20);
    update(
        &mut a,
        Msg::HostStatus(vec![up(3, 2), failed("timed out"), up(12, 1), None]),
    );
    keys(&mut a, ":filter !cache\n");
    keys(&mut a, ":sort port\n");
    keys(&mut a, "I");
    let (csv, rows) = exported(&keys(&mut a, ":export csv /tmp/qd-hosts.csv\n"));
    assert_eq!(rows, 3);
    assert_eq!(
        csv,
        "NAME,ADDRESS,PORT,USER,TAGS,LATENCY,CHANNELS,UPTIME,STATE\r\n\
         web2,10.0.0.6,2222,deploy,web,'-,0,'-,failed: timed out\r\n\
         db1,10.0.1.9,2200,deploy,\"db,prod\",12.0ms,1,'-,connected\r\n\
         web1,10.0.0.5,22,deploy,\"web,prod\",3.0ms,2,'-,connected\r\n"
    );
    // Marked rows only with `export!`, in the same order; JSON typed as `qd hosts`.
    keys(&mut a, "Gk  ");
    let (json, rows) = exported(&keys(&mut a, ":export! json /tmp/qd-hosts.json\n"));
    assert_eq!(rows, 2);
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let list = v["hosts"].as_array().expect("an array named hosts");
    let names: Vec<&str> = list.iter().filter_map(|h| h["name"].as_str()).collect();
    assert_eq!(names, ["db1", "web1"]);
    assert_eq!(list[0]["port"], 2200);
    assert_eq!(list[0]["latency_ms"], 12.0);
    assert_eq!(list[0]["channels"], 1);
    assert_eq!(list[0]["state"], "connected");
    assert_eq!(list[0]["tags"], serde_json::json!(["db", "prod"]));
    assert_eq!(list[0]["source"], "config");
    assert!(list[0]["uptime_s"].is_null());
}

fn help(a: &mut App) -> String {
    keys(a, "?");
    assert!(matches!(a.popup, Some(Popup::Help { .. })), "{:?}", a.popup);
    let t = text(&screen(a));
    keys(a, "\x1b");
    t
}

#[test]
fn help_lists_the_hosts_keys_then_the_global_ones() {
    let mut a = app(160, 60);
    let t = help(&mut a);
    assert!(t.contains("Keys: hosts"), "{t}");
    assert!(t.contains("A shell pane on each marked host"), "{t}");
    assert!(t.contains("Run a command on the marked hosts"), "{t}");
    assert!(t.contains("The jobs (exec results, shells)"), "{t}");
    assert!(t.contains("Keys: everywhere"), "{t}");
    assert!(t.contains("Quit"), "a global key: {t}");
    // `q` closes the hosts screen (its own binding shadows the global quit).
    keys(&mut a, "q");
    assert_eq!(a.screen, Screen::Processes);
}

#[test]
fn a_keymap_override_in_the_config_changes_a_hosts_key_and_help_shows_it() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/configs/valid/keymap-sections.toml");
    let cfg = quarterdeck::config::check(&path).expect("the config loads");
    let mut env = Env::for_tests();
    env.keymap = quarterdeck::tui::keys::Keymap::new(cfg.keys);
    let mut a = app_with(env, 160, 60);
    let t = help(&mut a);
    let shell = t
        .lines()
        .find(|l| l.contains("A shell pane on each marked host"))
        .unwrap_or_default();
    assert!(shell.contains(" x "), "x now opens shells: {t}");
    // `x` opens a shell now, `e` asks for a command.
    assert_eq!(opened(&keys(&mut a, "x")), ["web1"]);
    press(&mut a, KeyCode::Char('\\'), KeyModifiers::CONTROL);
    keys(&mut a, "H");
    keys(&mut a, "e");
    assert!(matches!(
        a.popup,
        Some(Popup::Input {
            kind: InputKind::Exec,
            ..
        })
    ));
}

#[test]
fn other_keys_of_the_hosts_screen() {
    let mut a = app(120, 20);
    keys(&mut a, "p");
    assert!(
        text(&screen(&a)).contains("no shell pane is open"),
        "p without panes says so"
    );
    keys(&mut a, "J");
    assert_eq!(a.screen, Screen::Jobs);
    keys(&mut a, ":hosts\n");
    keys(&mut a, "  \\");
    assert_eq!(a.screens.hosts.table.marked(), 0, "\\ clears the marks");
    keys(&mut a, "gjjk");
    assert_eq!(a.screens.hosts.table.state.selected, 1, "j down, k up");
}

fn snapshot_app(w: u16, h: u16) -> App {
    let mut a = app(w, h);
    update(
        &mut a,
        Msg::HostStatus(vec![
            up(3, 2),
            failed("permission denied (publickey)"),
            up(12, 1),
            None,
        ]),
    );
    keys(&mut a, " ");
    a
}

#[test]
fn snapshots_at_80x24_and_160x40() {
    insta::assert_snapshot!("hosts_80x24", text(&screen(&snapshot_app(80, 24))));
    insta::assert_snapshot!("hosts_160x40", text(&screen(&snapshot_app(160, 40))));
}
