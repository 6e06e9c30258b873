//! Questions a connection asks the operator while it is set up: accept an unknown
//! host key (`ask` mode), a key file's passphrase, a password. They go over a channel
//! to whoever can ask — the TUI's dialogs, or the terminal for `qd exec` — and the
//! answer comes back on a oneshot. Without anyone to ask (no terminal), nothing is
//! accepted and no secret is given: the connection fails with a clear reason.
//! Answers live only in memory, never in a file or the log.

use super::deadline::Clock;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// Unknown host key: `text` says host, key type and fingerprint. Yes or no.
    HostKey { host: String, text: String },
    /// A passphrase or password: the answer is a secret (not echoed).
    Secret { host: String, prompt: String },
}

#[derive(Debug)]
pub struct PromptReq {
    pub question: Question,
    /// `None`: declined. For host keys, `Some("yes")` accepts.
    pub reply: oneshot::Sender<Option<String>>,
}

/// The asking side, cloned into every connection attempt.
#[derive(Debug, Clone, Default)]
pub struct Prompter {
    tx: Option<mpsc::UnboundedSender<PromptReq>>,
    /// The establishment whose clock stops while a question is open.
    clock: Option<Arc<Clock>>,
}

impl Prompter {
    /// Nobody to ask.
    pub fn none() -> Self {
        Self {
            tx: None,
            clock: None,
        }
    }

    /// This prompter, stopping `clock` while it asks (operator time is not the
    /// server's delay).
    pub fn pausing(&self, clock: Arc<Clock>) -> Self {
        Self {
            tx: self.tx.clone(),
            clock: Some(clock),
        }
    }

    /// Questions go to the receiver (the TUI, or `tty_prompter`'s thread).
    pub fn channel() -> (Self, mpsc::UnboundedReceiver<PromptReq>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (
            Self {
                tx: Some(tx),
                clock: None,
            },
            rx,
        )
    }

    pub fn can_ask(&self) -> bool {
        self.tx.as_ref().is_some_and(|t| !t.is_closed())
    }

    pub async fn ask(&self, question: Question) -> Option<String> {
        let tx = self.tx.as_ref()?;
        let _paused = self.clock.as_ref().map(|c| c.pause());
        let (reply, answer) = oneshot::channel();
        tx.send(PromptReq { question, reply }).ok()?;
        answer.await.ok().flatten()
    }
}

/// A prompter that asks on the controlling terminal (`/dev/tty`), one question at a
/// time, for the headless commands. `None` when there is no terminal.
pub fn tty_prompter() -> Prompter {
    let Ok(tty) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
    else {
        return Prompter::none();
    };
    let (p, mut rx) = Prompter::channel();
    let spawned = std::thread::Builder::new()
        .name("qd-prompt".into())
        .spawn(move || {
            while let Some(req) = rx.blocking_recv() {
                let answer = ask_tty(&tty, &req.question);
                let _ = req.reply.send(answer);
            }
        });
    if spawned.is_err() {
        return Prompter::none();
    }
    p
}

fn ask_tty(tty: &std::fs::File, q: &Question) -> Option<String> {
    use std::io::{BufRead, Write};
    use std::os::fd::AsFd;
    let mut out = tty;
    let secret = matches!(q, Question::Secret { .. });
    let text = match q {
        Question::HostKey { text, .. } => {
            format!("{text}\nAre you sure you want to continue connecting (yes/no)? ")
        }
        Question::Secret { prompt, .. } => format!("{prompt}: "),
    };
    // Host names come from config files: keep the lines, make any other control inert.
    let clean: String = text
        .chars()
        .map(|c| if c == '\n' || !c.is_control() { c } else { '?' })
        .collect();
    let _ = out.write_all(clean.as_bytes());
    let _ = out.flush();
    // Secrets are read with echo off, and echo is restored whatever happens.
    let saved = rustix::termios::tcgetattr(tty.as_fd()).ok();
    if secret && let Some(t) = &saved {
        let mut quiet = t.clone();
        quiet.local_modes.remove(rustix::termios::LocalModes::ECHO);
        let _ =
            rustix::termios::tcsetattr(tty.as_fd(), rustix::termios::OptionalActions::Now, &quiet);
    }
    let mut line = String::new();
    let read = std::io::BufReader::new(tty).read_line(&mut line);
    if secret {
        if let Some(t) = &saved {
            let _ =
                rustix::termios::tcsetattr(tty.as_fd(), rustix::termios::OptionalActions::Now, t);
        }
        let _ = out.write_all(b"\n");
    }
    read.ok().filter(|n| *n > 0)?;
    let line = line.trim_end_matches(['\n', '\r']).to_string();
    match q {
        Question::HostKey { .. } => (line.trim() == "yes").then(|| "yes".to_string()),
        Question::Secret { .. } => Some(line),
    }
}
