//! The confirmation dialogs. A destructive action's dialog opens with Cancel focused
//! (`[confirm]`: y confirms, n/q cancel, ←/→/Tab move the focus, Enter presses the
//! focused button); a dangerous one runs only once its targets' names are typed
//! exactly. A confirmed action goes to the dispatcher, which checks the policy again.

use super::{Ctx, Outcome, close, is_close, keep};
use crate::config::Command;
use crate::config::Section;
use crate::config::command::ConfirmCommand;
use crate::tui::msg::Act;
use crate::tui::popup::Popup;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

pub fn on_key(p: Popup, k: &KeyEvent, cx: &Ctx) -> Outcome {
    match p {
        Popup::Confirm { action, ok_focused } => {
            if is_close(k) {
                return close(Vec::new());
            }
            match cx.keymap.own(Section::Confirm, k) {
                Some(Command::Confirm(ConfirmCommand::Yes)) => close(vec![Act::Dispatch(action)]),
                Some(Command::Confirm(ConfirmCommand::No)) => close(Vec::new()),
                Some(Command::Confirm(ConfirmCommand::Accept)) if ok_focused => {
                    close(vec![Act::Dispatch(action)])
                }
                Some(Command::Confirm(ConfirmCommand::Accept)) => close(Vec::new()),
                Some(Command::Confirm(ConfirmCommand::Toggle)) => keep(Popup::Confirm {
                    action,
                    ok_focused: !ok_focused,
                }),
                _ => keep(Popup::Confirm { action, ok_focused }),
            }
        }
        Popup::TypedConfirm {
            action,
            want,
            mut typed,
        } => {
            if is_close(k) {
                return close(Vec::new());
            }
            let mut acts = Vec::new();
            match k.code {
                KeyCode::Enter if typed == want => return close(vec![Act::Dispatch(action)]),
                KeyCode::Enter => acts.push(Act::warn(format!("type `{want}` exactly to confirm"))),
                KeyCode::Backspace => {
                    typed.pop();
                }
                KeyCode::Char(c) => typed.push(c),
                _ => {}
            }
            (
                Some(Popup::TypedConfirm {
                    action,
                    want,
                    typed,
                }),
                acts,
            )
        }
        other => keep(other),
    }
}
