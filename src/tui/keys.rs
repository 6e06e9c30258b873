//! Terminal key events mapped onto the config's `KeySpec`, and the keymap lookup by
//! section (the screen's, then the global one).

use crate::config::keys::{KeyName, KeySpec};
use crate::config::{self, Binding, Command, Section};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

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

/// The bindings of the session, by section (`config::keymap`).
#[derive(Debug, Clone, Default)]
pub struct Keymap {
    map: config::Keymap,
}

impl Keymap {
    pub fn new(map: config::Keymap) -> Self {
        Self { map }
    }

    /// The command of a key on a screen: its section's binding, else the global one.
    pub fn command(&self, section: Section, ev: &KeyEvent) -> Option<Command> {
        let spec = spec_of(ev)?;
        self.map
            .lookup(section, &spec)
            .or_else(|| self.map.lookup(Section::Global, &spec))
            .map(|b| b.run.clone())
    }

    /// The bindings of one section (help lists them).
    pub fn section(&self, s: Section) -> &[Binding] {
        self.map.section(s)
    }

    /// The command of `ev` in `section` alone (popups: no fall-through to [global],
    /// where `q` would quit).
    pub fn own(&self, section: Section, ev: &KeyEvent) -> Option<Command> {
        let spec = spec_of(ev)?;
        self.map.lookup(section, &spec).map(|b| b.run.clone())
    }

    /// Every section, for lookups a screen or popup makes itself.
    pub fn map(&self) -> &config::Keymap {
        &self.map
    }

    /// The keys that run the command named `name` (`Command::name`) on a screen:
    /// its section's first, then the global ones not shadowed there. For hints.
    pub fn keys_for(&self, section: Section, name: &str) -> Vec<String> {
        let own = self.map.section(section);
        let global = self
            .map
            .section(Section::Global)
            .iter()
            .filter(|b| section == Section::Global || !own.iter().any(|o| o.on == b.on));
        own.iter()
            .chain(global)
            .filter(|b| b.run.name() == name)
            .map(|b| b.on.to_string())
            .collect()
    }
}
