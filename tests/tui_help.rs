//! `?` on every screen lists that screen's own keys (every binding of its keymap
//! section, with its description) and then the global ones it does not shadow; and a
//! rebinding in the config shows in the help and the footer hints of that screen.

mod support;

use quarterdeck::config::Section;
use quarterdeck::ssh::{Host, HostSource};
use quarterdeck::tui::app::{App, Env};
use quarterdeck::tui::screen::Screen;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};
use std::sync::Arc;
use support::tui::{keys, press, screen, text};

fn app() -> App {
    let mut env = Env::for_tests();
    env.hosts = vec![Host {
        name: "web1".into(),
        address: "127.0.0.1".into(),
        port: 22,
        user: "deploy".into(),
        identities: vec![],
        tags: vec![],
        source: HostSource::Config,
        note: None,
    }];
    // Tall enough for the whole help of any screen at once.
    App::new(
        env,
        Arc::new(quarterdeck::model::fixture::web_host()),
        (180, 400),
    )
}

/// Opens `s` the way a user does.
fn open(a: &mut App, s: Screen) {
    let cmd = match s {
        Screen::Processes => ":procs\n",
        Screen::Ports => ":ports\n",
        Screen::Services => ":svc\n",
        Screen::Sites => ":sites\n",
        Screen::Hosts => ":hosts\n",
        // A pane opens in input mode: the prefix hands the keys back to qd.
        Screen::Panes => ":host web1\n",
        Screen::Jobs => ":jobs\n",
        Screen::Audit => ":audit\n",
    };
    keys(a, cmd);
    if s == Screen::Panes {
        press(a, KeyCode::Char('\\'), KeyModifiers::CONTROL);
    }
    assert_eq!(a.screen, s, "opened {s:?}");
}

#[test]
fn help_on_every_screen_lists_its_keys_then_the_global_ones() {
    for s in Screen::ALL {
        let mut a = app();
        open(&mut a, s);
        keys(&mut a, "?");
        let t = text(&screen(&a));
        let section = s.section();
        assert!(
            t.contains(&format!("Keys: {}", section.name())),
            "{s:?}: the help names its section\n{t}"
        );
        // One line per command: its keys together, then the first binding's desc.
        let own = a.keymap.section(section);
        for b in own {
            let first = own
                .iter()
                .find(|x| x.run_text == b.run_text)
                .map(|x| x.desc.as_str())
                .unwrap_or_default();
            let line = t.lines().find(|l| l.contains(first));
            assert!(
                line.is_some_and(|l| l.split_whitespace().any(|w| w == b.on.to_string())),
                "{s:?}: `{}` ({}) is listed\n{t}",
                b.on,
                b.desc
            );
        }
        // A global key the screen does not rebind: `:` opens the command line.
        assert!(
            a.keymap
                .section(Section::Global)
                .iter()
                .any(|g| g.on.to_string() == ":" && t.contains(&g.desc)),
            "{s:?}: the global keys follow\n{t}"
        );
        // Esc closes the help and leaves the screen as it was.
        keys(&mut a, "\x1b");
        assert!(a.popup.is_none());
        assert_eq!(a.screen, s);
    }
}

#[test]
fn a_rebinding_in_the_config_changes_the_key_the_help_and_the_hints() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("config.toml");
    std::fs::write(
        &path,
        "[[keymap.hosts]]\non = \"o\"\nrun = \"shell\"\ndesc = \"Open a shell here\"\n",
    )
    .expect("write");
    let mut cfg = quarterdeck::config::Config::default();
    let text_cfg = std::fs::read_to_string(&path).expect("read");
    quarterdeck::config::apply_text(&mut cfg, &path, &text_cfg, &Ok(())).expect("applies");
    let mut a = app();
    a.keymap = quarterdeck::tui::keys::Keymap::new(cfg.keys.clone());
    open(&mut a, Screen::Hosts);
    keys(&mut a, "?");
    let t = text(&screen(&a));
    let line = t
        .lines()
        .find(|l| l.contains("A shell pane on each marked host"))
        .unwrap_or_default();
    assert!(
        line.split_whitespace().any(|w| w == "o"),
        "o is listed with shell\n{t}"
    );
    keys(&mut a, "\x1b");
    // `o` opens a pane on the selected host (the shell action, proposed).
    let fx = keys(&mut a, "o");
    assert!(
        a.screen == Screen::Panes || !fx.is_empty() || a.popup.is_some(),
        "o runs shell: {fx:?} {:?}",
        a.status
    );
    // The processes screen has no such binding.
    let mut b = app();
    b.keymap = quarterdeck::tui::keys::Keymap::new(cfg.keys);
    assert!(
        b.keymap
            .section(Section::Processes)
            .iter()
            .all(|x| x.desc != "Open a shell here")
    );
}
