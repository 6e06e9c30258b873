//! `?` help, generated from the keymap in force (defaults plus the user's bindings)
//! and the command list, so it can never disagree with what the keys do.

use super::layout::centered;
use crate::config::command::NAMES;
use crate::model::text::inert;
use crate::tui::app::App;
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use std::collections::BTreeMap;

pub fn render(f: &mut Frame, app: &App, scroll: usize) {
    let th = &app.theme;
    // Group keys by what they run, in the keymap's order.
    let mut order: Vec<&str> = Vec::new();
    let mut by_run: BTreeMap<&str, (Vec<String>, &str)> = BTreeMap::new();
    for b in &app.keymap.bindings {
        let e = by_run.entry(b.run_text.as_str()).or_insert_with(|| {
            order.push(b.run_text.as_str());
            (Vec::new(), b.desc.as_str())
        });
        e.0.push(b.on.to_string());
    }
    let mut lines = vec![Line::from(Span::styled("Keys", th.accent))];
    for run in &order {
        let (keys, desc) = &by_run[run];
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<18}", keys.join(" ")), th.header),
            Span::styled(inert(desc, 80).into_owned(), th.dialog),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(
        "Commands (type : then the command; also usable as run = in [[keys]])",
        th.accent,
    )));
    for (name, desc) in NAMES {
        lines.push(Line::from(vec![
            Span::styled(format!("  {name:<46}"), th.header),
            Span::styled(*desc, th.dialog),
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
