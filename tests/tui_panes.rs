//! The shell panes screen without a network: every key goes to the pane until the
//! prefix, then the `[panes]` section's commands (tabs, split, scrollback, Esc out of
//! the scrollback before leaving, close back to the hosts), a configured prefix sent
//! through when pressed twice, `?` listing the pane keys, and insta snapshots at
//! 80x24 and 160x40.

mod support;

use quarterdeck::config::keys::KeySpec;
use quarterdeck::ssh::pane::Clamp;
use quarterdeck::ssh::{Host, HostSource};
use quarterdeck::tui::app::{App, Env, Popup};
use quarterdeck::tui::msg::{Effect, Msg};
use quarterdeck::tui::screen::Screen;
use quarterdeck::tui::update::update;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use std::sync::Arc;
use support::tui::{keys, press, screen, text};

fn host(name: &str) -> Host {
    Host {
        name: name.into(),
        address: "10.0.0.5".into(),
        port: 22,
        user: "deploy".into(),
        identities: vec![],
        tags: vec![],
        source: HostSource::Config,
        note: None,
    }
}

fn app_with(mut env: Env, w: u16, h: u16) -> App {
    env.hosts = vec![host("web1"), host("web2"), host("db1")];
    App::new(
        env,
        Arc::new(quarterdeck::model::fixture::web_host()),
        (w, h),
    )
}

/// Panes on the first `n` hosts (marked on the hosts screen, then `s`).
fn with_panes(w: u16, h: u16, n: usize) -> (App, Vec<usize>) {
    let mut a = app_with(Env::for_tests(), w, h);
    keys(&mut a, ":hosts\n");
    keys(&mut a, &" ".repeat(n));
    let ids = ids(&keys(&mut a, "s"));
    assert_eq!(ids.len(), n);
    assert_eq!(a.screen, Screen::Panes);
    (a, ids)
}

fn ids(fx: &[Effect]) -> Vec<usize> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::OpenPane { id, .. } => Some(*id),
            _ => None,
        })
        .collect()
}

fn prefix(a: &mut App) -> Vec<Effect> {
    press(a, KeyCode::Char('\\'), KeyModifiers::CONTROL)
}

/// Feeds `lines` to pane `i` as its remote would print them.
fn feed(a: &App, i: usize, lines: usize, tag: &str) {
    let p = &a.screens.panes.list[i];
    let mut clamp = Clamp::default();
    for n in 0..lines {
        p.shared
            .feed(&mut clamp, format!("{tag} line {n}\r\n").as_bytes());
    }
    p.shared.feed(&mut clamp, b"$ ");
}

#[test]
fn keys_go_to_the_pane_until_the_prefix_then_the_panes_section_runs() {
    let (mut a, ids) = with_panes(120, 30, 2);
    // Broadcasting (two hosts at once): `?`, `q` and `j` are typed, to both panes.
    let fx = keys(&mut a, "?qj");
    assert_eq!(fx.len(), 6, "{fx:?}");
    assert!(a.popup.is_none() && a.screen == Screen::Panes);
    // After the prefix: `b` broadcast off, `2` the second pane, `|` one pane shown.
    assert!(prefix(&mut a).is_empty());
    keys(&mut a, "b2");
    assert_eq!(a.screens.panes.active, 1);
    assert!(!a.screens.panes.broadcast);
    keys(&mut a, "|");
    assert_eq!(a.screens.panes.visible, 3, "two shown, then three (of two)");
    // The scrollback: k back a line, Esc first returns to the live screen.
    feed(&a, 1, 60, "web2");
    keys(&mut a, "kk");
    assert_eq!(a.screens.panes.list[1].scroll, 2);
    assert!(text(&screen(&a)).contains("[-2]"));
    keys(&mut a, "\x1b");
    assert_eq!(a.screens.panes.list[1].scroll, 0);
    assert_eq!(a.screen, Screen::Panes, "Esc left the scrollback only");
    // Enter types again; into the focused pane only now.
    keys(&mut a, "\n");
    assert_eq!(
        keys(&mut a, "u"),
        vec![Effect::PaneInput {
            id: ids[1],
            bytes: b"u".to_vec()
        }]
    );
    // The prefix twice sends it through (ctrl-\ is 0x1c), typing again.
    prefix(&mut a);
    assert_eq!(
        prefix(&mut a),
        vec![Effect::PaneInput {
            id: ids[1],
            bytes: vec![0x1c]
        }]
    );
    assert!(a.screens.panes.input);
    // `x` closes the focused pane; closing the last one goes to the hosts.
    prefix(&mut a);
    let fx = keys(&mut a, "x");
    assert!(fx.contains(&Effect::ClosePane { id: ids[1] }), "{fx:?}");
    let fx = keys(&mut a, "x");
    assert!(fx.contains(&Effect::ClosePane { id: ids[0] }), "{fx:?}");
    assert_eq!(a.screen, Screen::Hosts);
    // A closed pane's job ends when its session says so.
    update(&mut a, Msg::PaneEnded(ids[0], None));
    assert!(!a.screens.panes.jobs.contains_key(&ids[0]));
}

#[test]
fn q_and_esc_leave_the_panes_running_and_p_or_tab_come_back() {
    let (mut a, _) = with_panes(120, 30, 1);
    prefix(&mut a);
    keys(&mut a, "q");
    assert_eq!(
        a.screen,
        Screen::Processes,
        "q leaves the panes, never quits"
    );
    keys(&mut a, ":hosts\n\t");
    assert_eq!(
        a.screen,
        Screen::Panes,
        "Tab on the hosts, with a pane open"
    );
    keys(&mut a, "H");
    assert_eq!(a.screen, Screen::Hosts, "H: still after the prefix");
    keys(&mut a, "p");
    assert_eq!(a.screen, Screen::Panes);
    assert_eq!(a.screens.panes.list.len(), 1);
}

#[test]
fn a_configured_prefix_leaves_input_and_goes_through_twice() {
    let mut env = Env::for_tests();
    env.pane_prefix = Some(KeySpec::parse("ctrl-a").expect("a key"));
    let mut a = app_with(env, 100, 30);
    let id = ids(&keys(&mut a, ":host db1\n"))[0];
    // ctrl-\ is an ordinary key now: it goes to the pane.
    assert_eq!(
        prefix(&mut a),
        vec![Effect::PaneInput {
            id,
            bytes: vec![0x1c]
        }]
    );
    assert!(press(&mut a, KeyCode::Char('a'), KeyModifiers::CONTROL).is_empty());
    assert!(!a.screens.panes.input);
    assert!(text(&screen(&a)).contains("[qd keys]"));
    assert_eq!(
        press(&mut a, KeyCode::Char('a'), KeyModifiers::CONTROL),
        vec![Effect::PaneInput { id, bytes: vec![1] }]
    );
    assert!(a.screens.panes.input);
    assert!(text(&screen(&a)).contains("[ctrl-a: qd keys]"));
}

#[test]
fn help_on_the_panes_lists_the_pane_keys_and_the_global_ones() {
    let (mut a, _) = with_panes(160, 80, 1);
    prefix(&mut a);
    keys(&mut a, "?");
    assert!(matches!(a.popup, Some(Popup::Help { .. })), "{:?}", a.popup);
    let t = text(&screen(&a));
    assert!(t.contains("Keys: panes"), "{t}");
    assert!(
        t.contains("Broadcast: typing goes to every pane on screen"),
        "{t}"
    );
    assert!(t.contains("Send the prefix key itself to the pane"), "{t}");
    assert!(t.contains("Keys: everywhere"), "{t}");
    assert!(t.contains("Command line"), "a global key: {t}");
}

#[test]
fn search_finds_older_lines_and_copy_takes_the_selection() {
    let (mut a, _) = with_panes(100, 20, 1);
    if let Ok(mut p) = a.screens.panes.list[0].shared.screen.lock() {
        p.screen_mut().set_size(16, 98);
    }
    feed(&a, 0, 40, "web1");
    prefix(&mut a);
    keys(&mut a, "/line 3\n");
    assert!(
        a.screens.panes.list[0].scroll > 0,
        "scrolled back to a match"
    );
    keys(&mut a, "/nowhere\n");
    assert!(text(&screen(&a)).contains("`nowhere` not found above"));
    keys(&mut a, "\x1bvky");
    assert_eq!(a.screens.panes.clipboard.lines().count(), 2);
    assert!(text(&screen(&a)).contains("copied 2 line(s)"));
}

fn snapshot_app(w: u16, h: u16) -> App {
    let (mut a, _) = with_panes(w, h, 2);
    for (i, fx) in a.screens.panes.fit(&a.data).into_iter().enumerate() {
        if let Effect::PaneResize { rows, cols, .. } = fx
            && let Ok(mut p) = a.screens.panes.list[i].shared.screen.lock()
        {
            p.screen_mut().set_size(rows, cols);
        }
    }
    feed(&a, 0, 3, "web1");
    feed(&a, 1, 2, "web2");
    prefix(&mut a);
    a
}

#[test]
fn snapshots_at_80x24_and_160x40() {
    insta::assert_snapshot!("panes_80x24", text(&screen(&snapshot_app(80, 24))));
    insta::assert_snapshot!("panes_160x40", text(&screen(&snapshot_app(160, 40))));
}
