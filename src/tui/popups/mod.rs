//! The modal overlays' keys. A popup handler takes the popup by value and gives back
//! the popup to keep open (or `None`: closed) and the `Act`s it asks for; it never
//! touches App, the dispatcher or another handler. Popups own Esc and Ctrl-C (they
//! always close) so no keymap can make a dialog's Cancel unreachable; their other keys
//! come from their keymap section (`[confirm]`, `[log]`, `[input]`) and fixed keys of
//! the kind every menu has (arrows, 1-9, Enter).

pub mod confirm;
pub mod input;
pub mod menus;
pub mod viewers;

use super::data::Data;
use super::keys::Keymap;
use super::msg::Act;
use super::popup::Popup;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a popup handler gives back: the popup to keep (`None`: closed), and what it asks.
pub type Outcome = (Option<Popup>, Vec<Act>);

/// What a popup's keys can read.
pub struct Ctx<'a> {
    pub keymap: &'a Keymap,
    pub data: &'a Data,
}

/// Esc and Ctrl-C: every popup closes (or, in a field being typed, stops typing).
pub fn is_close(k: &KeyEvent) -> bool {
    k.code == KeyCode::Esc
        || (k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c'))
}

pub fn on_key(p: Popup, k: &KeyEvent, cx: &Ctx) -> Outcome {
    match p {
        p @ (Popup::Confirm { .. } | Popup::TypedConfirm { .. }) => confirm::on_key(p, k, cx),
        p @ (Popup::SignalMenu { .. }
        | Popup::UserMenu { .. }
        | Popup::UnitMenu { .. }
        | Popup::CommandMenu { .. }) => menus::on_key(p, k, cx),
        p @ (Popup::Input { .. } | Popup::Ask { .. }) => input::on_key(p, k, cx),
        p @ (Popup::Help { .. }
        | Popup::Results { .. }
        | Popup::Error { .. }
        | Popup::Detail { .. }
        | Popup::Log { .. }) => viewers::on_key(p, k, cx),
    }
}

/// Keeps `p` open, asking nothing.
pub fn keep(p: Popup) -> Outcome {
    (Some(p), Vec::new())
}

/// Closes the popup with these requests.
pub fn close(acts: Vec<Act>) -> Outcome {
    (None, acts)
}

/// The item a menu key chooses: Enter the selected one, 1-9 by number.
pub fn menu_pick(selected: usize, len: usize, code: KeyCode) -> Option<usize> {
    let i = match code {
        KeyCode::Enter => selected,
        KeyCode::Char(c @ '1'..='9') => c as usize - '1' as usize,
        _ => return None,
    };
    (i < len).then_some(i)
}

/// Arrows, j/k, Tab, g/G move a menu's selection (wrapping).
pub fn menu_move(sel: &mut usize, len: usize, code: KeyCode) {
    match code {
        KeyCode::Down | KeyCode::Char('j') | KeyCode::Tab => *sel = (*sel + 1) % len.max(1),
        KeyCode::Up | KeyCode::Char('k') | KeyCode::BackTab => {
            *sel = (*sel + len.max(1) - 1) % len.max(1)
        }
        KeyCode::Home | KeyCode::Char('g') => *sel = 0,
        KeyCode::End | KeyCode::Char('G') => *sel = len.saturating_sub(1),
        _ => {}
    }
}
