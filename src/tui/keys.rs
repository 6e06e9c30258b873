//! Terminal key events mapped onto the config's `KeySpec` (and back), the bytes a
//! terminal sends for a key (what a shell pane forwards to the remote), and the
//! keymap lookup by section (the screen's, then the global one).

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

/// The bytes a terminal sends for `k`; `app_cursor`: the remote asked for
/// application cursor keys (`ESC O A` instead of `ESC [ A`).
pub fn encode(k: &KeyEvent, app_cursor: bool) -> Option<Vec<u8>> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    let alt = k.modifiers.contains(KeyModifiers::ALT);
    let arrow = |c: u8| {
        if app_cursor {
            vec![0x1b, b'O', c]
        } else {
            vec![0x1b, b'[', c]
        }
    };
    let mut out = match k.code {
        KeyCode::Char(c) if ctrl => match c.to_ascii_lowercase() {
            c @ 'a'..='z' => vec![c as u8 - b'a' + 1],
            ' ' | '@' | '2' => vec![0],
            '[' | '3' => vec![0x1b],
            '\\' | '4' => vec![0x1c],
            ']' | '5' => vec![0x1d],
            '^' | '6' => vec![0x1e],
            '_' | '7' | '/' => vec![0x1f],
            _ => return None,
        },
        KeyCode::Char(c) => c.to_string().into_bytes(),
        KeyCode::Enter => vec![b'\r'],
        KeyCode::Tab => vec![b'\t'],
        KeyCode::BackTab => b"\x1b[Z".to_vec(),
        KeyCode::Backspace => vec![0x7f],
        KeyCode::Esc => vec![0x1b],
        KeyCode::Up => arrow(b'A'),
        KeyCode::Down => arrow(b'B'),
        KeyCode::Right => arrow(b'C'),
        KeyCode::Left => arrow(b'D'),
        KeyCode::Home => arrow(b'H'),
        KeyCode::End => arrow(b'F'),
        KeyCode::Insert => b"\x1b[2~".to_vec(),
        KeyCode::Delete => b"\x1b[3~".to_vec(),
        KeyCode::PageUp => b"\x1b[5~".to_vec(),
        KeyCode::PageDown => b"\x1b[6~".to_vec(),
        KeyCode::F(n @ 1..=4) => vec![0x1b, b'O', b'P' + n - 1],
        KeyCode::F(n) => {
            let code = match n {
                5 => 15,
                6 => 17,
                7 => 18,
                8 => 19,
                9 => 20,
                10 => 21,
                11 => 23,
                12 => 24,
                _ => return None,
            };
            format!("\x1b[{code}~").into_bytes()
        }
        _ => return None,
    };
    if alt {
        out.insert(0, 0x1b);
    }
    Some(out)
}

/// The key event a `KeySpec` stands for (the pane prefix, sent through as typed).
pub fn event_of(spec: &KeySpec) -> KeyEvent {
    let code = match spec.key {
        KeyName::Char(c) => KeyCode::Char(c),
        KeyName::F(n) => KeyCode::F(n),
        KeyName::Enter => KeyCode::Enter,
        KeyName::Esc => KeyCode::Esc,
        KeyName::Tab => KeyCode::Tab,
        KeyName::BackTab => KeyCode::BackTab,
        KeyName::Backspace => KeyCode::Backspace,
        KeyName::Delete => KeyCode::Delete,
        KeyName::Insert => KeyCode::Insert,
        KeyName::Up => KeyCode::Up,
        KeyName::Down => KeyCode::Down,
        KeyName::Left => KeyCode::Left,
        KeyName::Right => KeyCode::Right,
        KeyName::Home => KeyCode::Home,
        KeyName::End => KeyCode::End,
        KeyName::PageUp => KeyCode::PageUp,
        KeyName::PageDown => KeyCode::PageDown,
    };
    let mut mods = KeyModifiers::NONE;
    if spec.ctrl {
        mods |= KeyModifiers::CONTROL;
    }
    if spec.alt {
        mods |= KeyModifiers::ALT;
    }
    KeyEvent::new(code, mods)
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
