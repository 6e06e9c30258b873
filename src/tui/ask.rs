//! The questions a connection asks, as dialogs: an unknown host key (its fingerprint;
//! `yes` typed in full accepts, as ssh wants), a passphrase or a password (typed
//! without echo, kept only until it is handed to the connection). Their keys are in
//! `popups::input`.

use crate::ssh::prompt::Question;

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
