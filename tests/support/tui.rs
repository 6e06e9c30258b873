//! Driving the TUI without a terminal: an App over the fixture, keys through
//! `update`, and the screen drawn into a `TestBackend` as text.

use quarterdeck::model::fixture;
use quarterdeck::tui::app::{App, Env};
use quarterdeck::tui::msg::{Effect, Msg};
use quarterdeck::tui::render::draw;
use quarterdeck::tui::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;

pub fn app(w: u16, h: u16) -> App {
    App::new(Env::for_tests(), Arc::new(fixture::web_host()), (w, h))
}

pub fn press(app: &mut App, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
    update(app, Msg::Term(Event::Key(KeyEvent::new(code, mods))))
}

pub fn keys(app: &mut App, s: &str) -> Vec<Effect> {
    let mut out = Vec::new();
    for c in s.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\x1b' => KeyCode::Esc,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        out.extend(press(app, code, KeyModifiers::NONE));
    }
    out
}

pub fn screen(app: &App) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(app.data.size.0, app.data.size.1)).expect("backend");
    t.draw(|f| draw(f, app)).expect("draw");
    t
}

pub fn text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let a = buf.area;
    (0..a.height)
        .map(|y| {
            (0..a.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// An audit record of a `run migrate` on shop/api, `i` minutes (and a second) apart.
pub fn audit_record(
    i: u64,
    operator: &str,
    outcome: &str,
    message: &str,
) -> quarterdeck::audit::Record {
    let t = 1_795_300_000_000 + i * 61_000;
    quarterdeck::audit::Record {
        time: quarterdeck::model::format::timestamp(t),
        unix_ms: t,
        operator: operator.into(),
        host: "web1".into(),
        site: Some("shop".into()),
        target: "shop/api (qd-shop-api.service)".into(),
        action: "run migrate".into(),
        outcome: outcome.into(),
        message: message.into(),
        exit_status: (outcome != "denied" && outcome != "started").then_some(0),
        ..Default::default()
    }
}
