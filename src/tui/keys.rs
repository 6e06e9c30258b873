//! Terminal key events mapped onto the config's `KeySpec`, and the keymap lookup.

use crate::config::keys::{KeyName, KeySpec};
use crate::config::{Binding, Command};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashMap;

pub fn spec_of(ev: &KeyEvent) -> Option<KeySpec> {
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    let alt = ev.modifiers.contains(KeyModifiers::ALT);
    let key = match ev.code {
        // Terminals send Ctrl-Space as NUL, which crossterm reports as ctrl-' ' or '@'.
        KeyCode::Char('@') if ctrl => KeyName::Char(' '),
        KeyCode::Char('4') if ctrl => KeyName::Char('\\'),
        KeyCode::Char(c) => KeyName::Char(c),
        KeyCode::F(n) => KeyName::F(n),
        KeyCode::Enter => KeyName::Enter,
        KeyCode::Esc => KeyName::Esc,
        KeyCode::Tab => KeyName::Tab,
        KeyCode::BackTab => KeyName::BackTab,
        KeyCode::Backspace => KeyName::Backspace,
        KeyCode::Delete => KeyName::Delete,
        KeyCode::Insert => KeyName::Insert,
        KeyCode::Up => KeyName::Up,
        KeyCode::Down => KeyName::Down,
        KeyCode::Left => KeyName::Left,
        KeyCode::Right => KeyName::Right,
        KeyCode::Home => KeyName::Home,
        KeyCode::End => KeyName::End,
        KeyCode::PageUp => KeyName::PageUp,
        KeyCode::PageDown => KeyName::PageDown,
        _ => return None,
    };
    Some(KeySpec { key, ctrl, alt })
}

/// The bindings of the session, indexed by key.
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    by_key: HashMap<KeySpec, Command>,
    pub bindings: Vec<Binding>,
}

impl Keymap {
    pub fn new(bindings: Vec<Binding>) -> Self {
        let by_key = bindings.iter().map(|b| (b.on, b.run.clone())).collect();
        Self { by_key, bindings }
    }

    pub fn command(&self, ev: &KeyEvent) -> Option<Command> {
        self.by_key.get(&spec_of(ev)?).cloned()
    }

    /// The keys bound to a command, for hints.
    pub fn keys_for(&self, run: &str) -> Vec<String> {
        self.bindings
            .iter()
            .filter(|b| b.run_text == run)
            .map(|b| b.on.to_string())
            .collect()
    }
}
