//! `?` help, generated from the keymap in force (defaults plus the user's bindings) and
//! the command registry, so it can never disagree with what the keys do: the keys of
//! the screen on view, then the global keys that screen does not shadow, then every
//! command of the `:` line.

use super::layout::centered;
use crate::config::command::SPECS;
use crate::config::{Binding, Section};
use crate::model::text::inert;
use crate::tui::app::App;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use std::collections::BTreeMap;

/// The keymap section of what is on screen.
fn section(app: &App) -> Section {
    app.screen.section()
}

/// One line per command, its keys together, in the section's order.
fn key_lines<'a>(th: &Theme, bindings: impl Iterator<Item = &'a Binding>) -> Vec<Line<'static>> {
    let mut order: Vec<&str> = Vec::new();
    let mut by_run: BTreeMap<&str, (Vec<String>, &str)> = BTreeMap::new();
    for b in bindings {
        let e = by_run.entry(b.run_text.as_str()).or_insert_with(|| {
            order.push(b.run_text.as_str());
            (Vec::new(), b.desc.as_str())
        });
        e.0.push(b.on.to_string());
    }
    order
        .iter()
        .map(|run| {
            let (keys, desc) = &by_run[run];
            Line::from(vec![
                Span::styled(format!("  {:<18}", keys.join(" ")), th.header),
                Span::styled(inert(desc, 80).into_owned(), th.dialog),
            ])
        })
        .collect()
}

pub fn render(f: &mut Frame, app: &App, scroll: usize) {
    let th = &app.theme;
    let here = section(app);
    let own = app.keymap.section(here);
    let mut lines = vec![Line::from(Span::styled(
        format!("Keys: {}", here.name()),
        th.accent,
    ))];
    lines.extend(key_lines(th, own.iter()));
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled("Keys: everywhere", th.accent)));
    let global = app.keymap.section(Section::Global);
    lines.extend(key_lines(
        th,
        global.iter().filter(|g| !own.iter().any(|o| o.on == g.on)),
    ));
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "Commands (type : then the command; also run = in [[keys]] and [[keymap.SECTION]])",
        th.accent,
    )));
    for s in SPECS {
        let mut doc = s.doc.to_string();
        if !s.aliases.is_empty() {
            doc.push_str(&format!(" (also {})", s.aliases.join(", ")));
        }
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<34}", s.usage()), th.header),
            Span::styled(doc, th.dialog),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "In dialogs: Enter picks, Esc cancels, y confirms. In a process's detail, v reveals the environment's values (recorded). Filter: every word must match (a substring of the command, or fuzzy on pid, user, program name); !word excludes.",
        th.muted,
    )));
    let area = centered(f.area(), 110, f.area().height.saturating_sub(2).max(3));
    f.render_widget(Clear, area);
    let block = Block::bordered()
        .title(Span::styled(" Help — Esc closes, j/k scroll ", th.accent))
        .border_style(th.border)
        .style(th.dialog);
    let inner = block.inner(area);
    let max = lines.len().saturating_sub(inner.height as usize);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll.min(max) as u16, 0)),
        area,
    );
}
