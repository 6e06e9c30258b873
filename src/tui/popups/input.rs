//! Text typed in a dialog: the `/` filter (applied as it is typed; Esc puts the old
//! one back), a nice value, the `:` command line, an exec's command, and the questions
//! a connection asks (a host key: `yes` in full; a passphrase or password: typed
//! without echo, handed to the connection and kept nowhere else).

use super::{Ctx, Outcome, close, is_close, keep};
use crate::config::Command;
use crate::config::Section;
use crate::config::command::NiceArg;
use crate::ssh::prompt::Question;
use crate::tui::msg::{Act, Effect};
use crate::tui::popup::{InputKind, Popup};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub fn on_key(p: Popup, k: &KeyEvent, cx: &Ctx) -> Outcome {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match p {
        Popup::Ask {
            id,
            question,
            mut typed,
        } => {
            if is_close(k) {
                return close(vec![Act::Effect(Effect::Answer(id, None))]);
            }
            match k.code {
                KeyCode::Enter => {
                    let answer = match &question {
                        Question::HostKey { .. } => {
                            (typed.trim() == "yes").then(|| "yes".to_string())
                        }
                        Question::Secret { .. } => Some(std::mem::take(&mut typed)),
                    };
                    return close(vec![Act::Effect(Effect::Answer(id, answer))]);
                }
                KeyCode::Backspace => {
                    typed.pop();
                }
                KeyCode::Char('u') if ctrl => typed.clear(),
                KeyCode::Char(c) if !ctrl => typed.push(c),
                _ => {}
            }
            keep(Popup::Ask {
                id,
                question,
                typed,
            })
        }
        Popup::Input {
            kind,
            mut text,
            previous,
            ..
        } => {
            if is_close(k) {
                let acts = match kind {
                    InputKind::Filter => vec![Act::Run(Command::Filter(Some(previous)))],
                    _ => Vec::new(),
                };
                return close(acts);
            }
            if k.code == KeyCode::Enter {
                return submit(kind, text, previous);
            }
            if cx.keymap.own(Section::Input, k) == Some(Command::InputClear) {
                text.clear();
            } else {
                match k.code {
                    KeyCode::Backspace => {
                        text.pop();
                    }
                    KeyCode::Char(c) if !ctrl => text.push(c),
                    _ => {}
                }
            }
            let acts = match kind {
                InputKind::Filter => vec![Act::Run(Command::Filter(Some(text.clone())))],
                _ => Vec::new(),
            };
            (
                Some(Popup::Input {
                    kind,
                    text,
                    previous,
                    error: None,
                }),
                acts,
            )
        }
        other => keep(other),
    }
}

/// Enter in a dialog's field.
fn submit(kind: InputKind, text: String, previous: String) -> Outcome {
    match kind {
        InputKind::Filter => close(Vec::new()),
        InputKind::Exec | InputKind::Command if text.trim().is_empty() => close(Vec::new()),
        InputKind::Exec => close(vec![Act::Run(Command::Exec(Some(text)))]),
        InputKind::Nice => match text.trim().parse::<i32>() {
            Ok(n) if (-20..=19).contains(&n) => {
                close(vec![Act::Run(Command::Nice(Some(NiceArg::Set(n))))])
            }
            _ => keep(Popup::Input {
                kind,
                text,
                previous,
                error: Some("a nice value is a number from -20 to 19".into()),
            }),
        },
        InputKind::Command => match Command::parse(&text) {
            Ok(cmd) => close(vec![Act::Run(cmd)]),
            Err(e) => close(vec![Act::error(format!(
                ":{}: {e}",
                crate::model::text::inert(&text, 200)
            ))]),
        },
    }
}
