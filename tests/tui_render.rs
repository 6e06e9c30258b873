use quarterdeck::model::fixture;
use quarterdeck::tui::app::{App, Env};
use quarterdeck::tui::msg::Msg;
use quarterdeck::tui::render::draw;
use quarterdeck::tui::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;

fn key(app: &mut App, code: KeyCode) {
    update(
        app,
        Msg::Term(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))),
    );
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    t.draw(|f| draw(f, app)).expect("draw");
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn debug_popup() {
    let mut app = App::new(Env::for_tests(), Arc::new(fixture::web_host()), (100, 30));
    for c in "/redis".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    println!("popup after enter: {:?}", app.popup.is_some());
    key(&mut app, KeyCode::Char('k'));
    println!(
        "popup after k: {:?} status {:?}",
        app.popup.as_ref().map(|_| 1),
        app.status
    );
    println!("{}", screen(&app, 100, 30));
}
