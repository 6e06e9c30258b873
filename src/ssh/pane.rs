//! A shell pane's session: a pty channel on the host's pooled connection, its output
//! fed to a vt100 emulator that the UI renders (remote bytes never reach the real
//! terminal), input and resizes sent back. When the connection is lost the pane says
//! so and reconnects with backoff (1 s doubling to 30 s) until the operator closes it;
//! when the remote shell exits the pane stays, showing the exit status.
//!
//! Output is read only as fast as the emulator takes it, so a flood (`yes`) is held
//! back by the channel window instead of filling memory; the scrollback is bounded;
//! every escape sequence is clamped to the pane before the emulator sees it (`clamp`).

pub use super::clamp::Clamp;
use super::hosts::Host;
use super::pool::Pool;
use russh::ChannelMsg;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaneState {
    Connecting,
    Open,
    /// The connection was lost: why, and when the next attempt is.
    Lost {
        why: String,
        retry_at: Instant,
    },
    /// The remote shell ended (exit status, or a signal's name).
    Exited(String),
    Closed,
}

/// What the UI and the session task share.
pub struct PaneShared {
    pub screen: Mutex<vt100::Parser>,
    pub state: Mutex<PaneState>,
    /// Set by the task when the screen changed; cleared by the UI when it draws.
    pub dirty: AtomicBool,
}

impl PaneShared {
    pub fn new(rows: u16, cols: u16, scrollback: usize) -> Arc<Self> {
        Arc::new(Self {
            screen: Mutex::new(vt100::Parser::new(rows.max(2), cols.max(2), scrollback)),
            state: Mutex::new(PaneState::Connecting),
            dirty: AtomicBool::new(true),
        })
    }

    pub fn state(&self) -> PaneState {
        self.state
            .lock()
            .map(|s| s.clone())
            .unwrap_or(PaneState::Closed)
    }

    fn set_state(&self, s: PaneState) {
        if let Ok(mut st) = self.state.lock() {
            *st = s;
        }
        self.dirty.store(true, Ordering::SeqCst);
    }

    /// Feeds remote output through the clamp (sized as the screen is now) into
    /// the emulator.
    pub fn feed(&self, clamp: &mut Clamp, data: &[u8]) {
        if let Ok(mut p) = self.screen.lock() {
            let (rows, cols) = p.screen().size();
            clamp.set_size(rows, cols);
            let clean = clamp.filter(data);
            p.process(&clean);
        }
        self.dirty.store(true, Ordering::SeqCst);
    }
}

#[derive(Debug)]
pub enum PaneInput {
    Data(Vec<u8>),
    Resize { rows: u16, cols: u16 },
    Close,
}

/// How a session ended, for the audit record.
#[derive(Debug, Clone, PartialEq)]
pub struct PaneEnd {
    pub ok: bool,
    pub why: String,
}

enum Round {
    Exited(String),
    Closed,
    Lost(String),
}

/// Runs the pane until it is closed or its shell exits. `notify` is called when the
/// screen changes and the UI was not yet told.
pub async fn run(
    pool: Arc<Pool>,
    host: Host,
    shared: Arc<PaneShared>,
    mut input: mpsc::UnboundedReceiver<PaneInput>,
    notify: impl Fn() + Send + 'static,
) -> PaneEnd {
    let mut backoff = Duration::from_secs(1);
    let mut clamp = Clamp::default();
    loop {
        shared.set_state(PaneState::Connecting);
        notify();
        let round = session(&pool, &host, &shared, &mut input, &mut clamp, &notify).await;
        match round {
            Round::Exited(s) => {
                shared.set_state(PaneState::Exited(s.clone()));
                notify();
                return PaneEnd {
                    ok: s == "0",
                    why: format!("the shell exited ({s})"),
                };
            }
            Round::Closed => {
                shared.set_state(PaneState::Closed);
                return PaneEnd {
                    ok: true,
                    why: "closed by the operator".into(),
                };
            }
            Round::Lost(why) => {
                let retry_at = Instant::now() + backoff;
                pool.note_reconnect(&host, retry_at);
                shared.set_state(PaneState::Lost {
                    why: why.clone(),
                    retry_at,
                });
                notify();
                // Wait out the backoff, still listening for a close.
                let wait = tokio::time::sleep(backoff);
                tokio::pin!(wait);
                loop {
                    tokio::select! {
                        _ = &mut wait => break,
                        m = input.recv() => match m {
                            None | Some(PaneInput::Close) => {
                                shared.set_state(PaneState::Closed);
                                return PaneEnd { ok: false, why: format!("closed while reconnecting ({why})") };
                            }
                            Some(PaneInput::Resize { rows, cols }) => resize(&shared, rows, cols),
                            Some(PaneInput::Data(_)) => {}
                        }
                    }
                }
                backoff = (backoff * 2).min(Duration::from_secs(30));
            }
        }
    }
}

fn resize(shared: &PaneShared, rows: u16, cols: u16) {
    if let Ok(mut p) = shared.screen.lock() {
        p.screen_mut().set_size(rows.max(2), cols.max(2));
    }
}

async fn session(
    pool: &Pool,
    host: &Host,
    shared: &PaneShared,
    input: &mut mpsc::UnboundedReceiver<PaneInput>,
    clamp: &mut Clamp,
    notify: &(impl Fn() + Send),
) -> Round {
    let (mut ch, _guard) = match pool.channel(host).await {
        Ok(c) => c,
        Err(e) => return Round::Lost(e),
    };
    let (rows, cols) = shared
        .screen
        .lock()
        .map(|p| p.screen().size())
        .unwrap_or((24, 80));
    let setup = async {
        ch.request_pty(true, "xterm-256color", cols.into(), rows.into(), 0, 0, &[])
            .await?;
        ch.request_shell(true).await
    };
    if let Err(e) = setup.await {
        return Round::Lost(format!("no shell: {e}"));
    }
    shared.set_state(PaneState::Open);
    notify();
    // Input goes out through a writer task of its own: a host that stops reading (or
    // never opens its window) then blocks only that task, never the loop that reads
    // the host's output and the operator's Close. What it cannot take is dropped.
    let (wtx, mut wrx) = mpsc::channel::<Vec<u8>>(WRITE_QUEUE);
    let mut writer = ch.make_writer();
    let writing = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Some(d) = wrx.recv().await {
            if writer.write_all(&d).await.is_err() || writer.flush().await.is_err() {
                break;
            }
        }
    });
    let round = pump(&mut ch, shared, clamp, input, notify, &wtx).await;
    writing.abort();
    round
}

/// Chunks of input queued for a host that is slow to read; beyond this, input is
/// dropped (a paste into a stalled host) rather than held without bound.
const WRITE_QUEUE: usize = 256;

/// The pane's loop: the host's output into the emulator, the operator's input to
/// the writer, resizes, and Close — each handled as it comes, none waiting on another.
async fn pump(
    ch: &mut russh::Channel<russh::client::Msg>,
    shared: &PaneShared,
    clamp: &mut Clamp,
    input: &mut mpsc::UnboundedReceiver<PaneInput>,
    notify: &(impl Fn() + Send),
    wtx: &mpsc::Sender<Vec<u8>>,
) -> Round {
    let mut exit: Option<String> = None;
    loop {
        tokio::select! {
            msg = ch.wait() => match msg {
                Some(ChannelMsg::Data { data }) | Some(ChannelMsg::ExtendedData { data, .. }) => {
                    let was = shared.dirty.load(Ordering::SeqCst);
                    shared.feed(clamp, &data);
                    if !was {
                        notify();
                    }
                }
                Some(ChannelMsg::ExitStatus { exit_status }) => exit = Some(exit_status.to_string()),
                Some(ChannelMsg::ExitSignal { signal_name, .. }) => exit = Some(format!("signal {signal_name:?}")),
                Some(ChannelMsg::Close) | None => break,
                Some(_) => {}
            },
            m = input.recv() => match m {
                Some(PaneInput::Data(d)) => match wtx.try_send(d) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        tracing::warn!("pane input dropped: the host is not reading it");
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => break,
                },
                Some(PaneInput::Resize { rows, cols }) => {
                    resize(shared, rows, cols);
                    let _ = ch.window_change(cols.into(), rows.into(), 0, 0).await;
                }
                Some(PaneInput::Close) | None => {
                    let _ = ch.close().await;
                    return Round::Closed;
                }
            }
        }
    }
    match exit {
        Some(s) => Round::Exited(s),
        None => Round::Lost("connection lost".into()),
    }
}
