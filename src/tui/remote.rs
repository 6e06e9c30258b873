//! The fleet's side of the event loop: the SSH pool (made on first use, with its
//! maintenance task), the shell panes' sessions, execs, and the questions that
//! connections ask the operator. Every pane and exec goes through the dispatcher
//! (policy, audit) before anything is sent to a host; an exec is dispatched by the
//! event loop as a job, on the pool made here.

use super::msg::{Effect, Msg};
use crate::actions::Dispatcher;
use crate::ssh::pane::{self, PaneInput};
use crate::ssh::prompt::Prompter;
use crate::ssh::{Host, Pool, SshSettings};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

type Replies = Arc<Mutex<HashMap<usize, oneshot::Sender<Option<String>>>>>;

pub struct Remote {
    settings: SshSettings,
    hosts: Vec<Host>,
    pool: Option<Arc<Pool>>,
    panes: HashMap<usize, mpsc::UnboundedSender<PaneInput>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    maintenance: Option<tokio::task::JoinHandle<()>>,
    replies: Replies,
}

impl Remote {
    pub fn new(settings: SshSettings, hosts: Vec<Host>) -> Self {
        Self {
            settings,
            hosts,
            pool: None,
            panes: HashMap::new(),
            tasks: Vec::new(),
            maintenance: None,
            replies: Default::default(),
        }
    }

    /// The dispatcher's pool (remote actions run on it and learn keys through it),
    /// made here on first use with the TUI's prompter and maintenance task.
    fn pool(&mut self, d: &Arc<Dispatcher>, tx: &mpsc::UnboundedSender<Msg>) -> Arc<Pool> {
        if let Some(p) = &self.pool {
            return p.clone();
        }
        let (prompter, mut rx) = Prompter::channel();
        let (replies, tx) = (self.replies.clone(), tx.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while let Some(req) = rx.recv().await {
                n += 1;
                if let Ok(mut m) = replies.lock() {
                    m.insert(n, req.reply);
                }
                let _ = tx.send(Msg::Prompt(n, req.question));
            }
        });
        let settings = self.settings.clone();
        let pool = d.ssh_pool(|| Pool::new(settings, prompter));
        self.maintenance = Some(pool.spawn_maintenance());
        self.pool = Some(pool.clone());
        pool
    }

    /// The pool's state of every host (all idle before the first connection).
    pub fn statuses(&self) -> Msg {
        Msg::HostStatus(
            self.hosts
                .iter()
                .map(|h| self.pool.as_ref().map(|p| p.status(h)))
                .collect(),
        )
    }

    /// Runs a fleet effect; gives back any other effect.
    pub fn effect(
        &mut self,
        effect: Effect,
        d: &Arc<Dispatcher>,
        tx: &mpsc::UnboundedSender<Msg>,
    ) -> Option<Effect> {
        match effect {
            Effect::HostsTick => {
                let _ = tx.send(self.statuses());
            }
            Effect::OpenPane { id, host, shared } => {
                let pool = self.pool(d, tx);
                let (in_tx, in_rx) = mpsc::unbounded_channel();
                self.panes.insert(id, in_tx);
                let (d, tx) = (d.clone(), tx.clone());
                self.tasks.push(tokio::spawn(async move {
                    let ticket = match d.pane_opened(&host).await {
                        Ok(t) => t,
                        Err(denial) => {
                            let _ = tx.send(Msg::PaneDenied(id, denial.reason));
                            return;
                        }
                    };
                    let t2 = tx.clone();
                    let notify = move || {
                        let _ = t2.send(Msg::PaneOutput);
                    };
                    let end = pane::run(pool, host.clone(), shared.0, in_rx, notify).await;
                    let o = d.pane_closed(&ticket, &host, end.ok, &end.why);
                    let _ = tx.send(Msg::PaneEnded(id, Some(o)));
                }));
            }
            Effect::PaneInput { id, bytes } => self.send(id, PaneInput::Data(bytes)),
            Effect::PaneResize { id, rows, cols } => {
                self.send(id, PaneInput::Resize { rows, cols })
            }
            Effect::ClosePane { id } => {
                self.send(id, PaneInput::Close);
                self.panes.remove(&id);
            }
            // Remote actions run on the pool made here (with the TUI's prompter);
            // the dispatch itself is the event loop's, like every action's.
            e @ Effect::Dispatch {
                action: crate::actions::Action::Exec { .. },
                ..
            } => {
                self.pool(d, tx);
                return Some(e);
            }
            Effect::Copy(text) => copy(&text),
            Effect::Answer(id, answer) => {
                if let Some(reply) = self.replies.lock().ok().and_then(|mut m| m.remove(&id)) {
                    let _ = reply.send(answer);
                }
            }
            other => return Some(other),
        }
        None
    }

    fn send(&self, id: usize, input: PaneInput) {
        if let Some(tx) = self.panes.get(&id) {
            let _ = tx.send(input);
        }
    }

    /// Closes every pane (so each close is recorded) and the connections.
    pub async fn shutdown(&mut self) {
        for tx in self.panes.values() {
            let _ = tx.send(PaneInput::Close);
        }
        self.panes.clear();
        for t in self.tasks.drain(..) {
            let _ = tokio::time::timeout(Duration::from_millis(500), t).await;
        }
        if let Some(m) = self.maintenance.take() {
            m.abort();
        }
        if let Some(p) = &self.pool {
            let _ = tokio::time::timeout(Duration::from_millis(500), p.close_all()).await;
        }
    }
}

/// The terminal's clipboard, through OSC 52 (tmux and most terminals honour it).
fn copy(text: &str) {
    use std::io::Write;
    let b64 = data_encoding::BASE64.encode(text.as_bytes());
    let mut out = std::io::stdout().lock();
    let _ = write!(out, "\x1b]52;c;{b64}\x07");
    let _ = out.flush();
}
