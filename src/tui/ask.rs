//! The questions a connection asks, as dialogs: an unknown host key (its fingerprint;
//! `yes` typed in full accepts, as ssh wants), a passphrase or a password (typed
//! without echo, kept only until it is handed to the connection).

use super::app::{App, Popup};
use super::msg::Effect;
use crate::ssh::prompt::Question;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub fn on_key(
    app: &mut App,
    id: usize,
    question: Question,
    mut typed: String,
    k: KeyEvent,
) -> Vec<Effect> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match k.code {
        KeyCode::Esc => return vec![Effect::Answer(id, None)],
        KeyCode::Char('c') if ctrl => return vec![Effect::Answer(id, None)],
        KeyCode::Enter => {
            let answer = match &question {
                Question::HostKey { .. } => (typed.trim() == "yes").then(|| "yes".to_string()),
                Question::Secret { .. } => Some(std::mem::take(&mut typed)),
            };
            return vec![Effect::Answer(id, answer)];
        }
        KeyCode::Backspace => {
            typed.pop();
        }
        KeyCode::Char('u') if ctrl => typed.clear(),
        KeyCode::Char(c) if !ctrl => typed.push(c),
        _ => {}
    }
    app.popup = Some(Popup::Ask {
        id,
        question,
        typed,
    });
    Vec::new()
}

/// The dialog's lines: the question, then what is typed (dots for a secret).
pub fn lines(question: &Question, typed: &str) -> (String, Vec<String>, bool) {
    match question {
        Question::HostKey { host, text } => (
            format!("Host key of {host}"),
            text.lines()
                .map(String::from)
                .chain([
                    String::new(),
                    "Type yes to trust it and add it to known_hosts (Esc refuses):".into(),
                    format!("> {typed}"),
                ])
                .collect(),
            true,
        ),
        Question::Secret { host, prompt } => (
            format!("{host}: authentication"),
            vec![
                format!("{prompt}:"),
                format!("> {}", "•".repeat(typed.chars().count())),
                String::new(),
                "Enter sends it (kept in memory only), Esc skips".into(),
            ],
            false,
        ),
    }
}
