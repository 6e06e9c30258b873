//! The connection pool: one SSH connection per (user, address, port), shared by every
//! exec and shell pane; channels are opened on it. Concurrent callers for the same
//! host wait for one connect instead of racing their own, fan-outs are limited to
//! `max_connects` handshakes at once (a permit is taken once the server's banner
//! arrives, and every establishment is bounded by `connect_timeout`: a silent host
//! holds no permit and frees its slot in that time), and a maintenance task measures latency, and
//! closes connections that have had no channel for `idle_close`. Each slot keeps what
//! the hosts view shows: state, latency, channels, uptime.

use super::auth::KeyCache;
use super::client::{self, Session};
use super::hosts::{Host, SshSettings};
use super::learn::KeyRecorder;
use super::prompt::Prompter;
use russh::client::Msg;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnState {
    Idle,
    Connecting,
    Connected,
    Failed(String),
    /// A pane lost the connection and tries again at this time.
    Reconnecting(Instant),
}

/// A host's connection as the hosts view shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct HostStatus {
    pub state: ConnState,
    pub latency: Option<Duration>,
    pub channels: usize,
    pub connected_at: Option<Instant>,
}

impl HostStatus {
    /// `connected`, `failed: why`, `reconnecting in 4s`.
    pub fn state_text(&self, now: Instant) -> String {
        match &self.state {
            ConnState::Idle => "idle".into(),
            ConnState::Connecting => "connecting".into(),
            ConnState::Connected => "connected".into(),
            ConnState::Failed(why) => format!("failed: {why}"),
            ConnState::Reconnecting(at) => format!(
                "reconnecting in {}s",
                at.saturating_duration_since(now).as_secs_f32().ceil() as u64
            ),
        }
    }
}

struct Slot {
    session: tokio::sync::Mutex<Option<Arc<Session>>>,
    status: Mutex<HostStatus>,
    channels: AtomicUsize,
    last_used: Mutex<Instant>,
}

/// Counts one open channel on its connection while it lives.
pub struct ChannelGuard {
    slot: Arc<Slot>,
}

impl Drop for ChannelGuard {
    fn drop(&mut self) {
        self.slot.channels.fetch_sub(1, Ordering::SeqCst);
        if let Ok(mut t) = self.slot.last_used.lock() {
            *t = Instant::now();
        }
    }
}

pub struct Pool {
    pub settings: Arc<SshSettings>,
    prompter: Prompter,
    /// Where learned host keys go (the action path); none: nothing is learned.
    recorder: Mutex<Option<KeyRecorder>>,
    keys: KeyCache,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
    /// Handshake permits, taken after the server's banner (`deadline::Watched`).
    connects: Arc<tokio::sync::Semaphore>,
    /// TCP connections made since start (tests and benchmarks check reuse with it).
    pub connections_made: AtomicUsize,
}

impl Pool {
    pub fn new(settings: SshSettings, prompter: Prompter) -> Arc<Self> {
        let settings = Arc::new(settings);
        Arc::new(Self {
            recorder: Mutex::new(None),
            connects: Arc::new(tokio::sync::Semaphore::new(settings.max_connects.max(1))),
            settings,
            prompter,
            keys: KeyCache::default(),
            slots: Mutex::new(HashMap::new()),
            connections_made: AtomicUsize::new(0),
        })
    }

    /// Installs what records a learned host key (accept-new, or a typed `yes`).
    pub fn set_key_recorder(&self, recorder: KeyRecorder) {
        if let Ok(mut r) = self.recorder.lock() {
            *r = Some(recorder);
        }
    }

    fn slot(&self, host: &Host) -> Arc<Slot> {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots
            .entry(host.conn_key())
            .or_insert_with(|| {
                Arc::new(Slot {
                    session: tokio::sync::Mutex::new(None),
                    status: Mutex::new(HostStatus {
                        state: ConnState::Idle,
                        latency: None,
                        channels: 0,
                        connected_at: None,
                    }),
                    channels: AtomicUsize::new(0),
                    last_used: Mutex::new(Instant::now()),
                })
            })
            .clone()
    }

    fn set_state(slot: &Slot, state: ConnState) {
        if let Ok(mut s) = slot.status.lock() {
            if state == ConnState::Connected {
                s.connected_at = Some(Instant::now());
            } else if !matches!(state, ConnState::Connecting) {
                s.connected_at = None;
                s.latency = None;
            }
            s.state = state;
        }
    }

    /// What the hosts view shows for `host`.
    pub fn status(&self, host: &Host) -> HostStatus {
        let slot = self.slot(host);
        let mut s = slot
            .status
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|p| p.into_inner().clone());
        s.channels = slot.channels.load(Ordering::SeqCst);
        s
    }

    /// A pane says it will try again at `at`.
    pub fn note_reconnect(&self, host: &Host, at: Instant) {
        Self::set_state(&self.slot(host), ConnState::Reconnecting(at));
    }

    /// The connected session for `host`: the pooled one, or a new one.
    pub async fn session(&self, host: &Host) -> Result<Arc<Session>, String> {
        let slot = self.slot(host);
        let mut guard = slot.session.lock().await;
        if let Some(s) = guard.as_ref().filter(|s| !s.is_closed()) {
            return Ok(s.clone());
        }
        *guard = None;
        Self::set_state(&slot, ConnState::Connecting);
        self.connections_made.fetch_add(1, Ordering::SeqCst);
        let recorder = self.recorder.lock().ok().and_then(|r| r.clone());
        // Bounded by connect_timeout: the slot and the permit are free by then.
        let r = client::connect(
            host,
            &self.settings,
            &self.prompter,
            &self.keys,
            recorder,
            self.connects.clone(),
        )
        .await;
        match r {
            Ok(s) => {
                let s = Arc::new(s);
                *guard = Some(s.clone());
                Self::set_state(&slot, ConnState::Connected);
                if let Ok(mut t) = slot.last_used.lock() {
                    *t = Instant::now();
                }
                Ok(s)
            }
            Err(e) => {
                Self::set_state(&slot, ConnState::Failed(e.clone()));
                Err(e)
            }
        }
    }

    /// A new session channel on `host`'s connection. A pooled connection that died
    /// since it was last used is replaced once.
    pub async fn channel(
        &self,
        host: &Host,
    ) -> Result<(russh::Channel<Msg>, ChannelGuard), String> {
        let slot = self.slot(host);
        for attempt in 0..2 {
            let s = self.session(host).await?;
            match s.channel_open_session().await {
                Ok(ch) => {
                    slot.channels.fetch_add(1, Ordering::SeqCst);
                    return Ok((ch, ChannelGuard { slot }));
                }
                Err(e) if attempt == 0 => {
                    tracing::info!("{}: channel refused ({e}); reconnecting", host.name);
                    let mut g = slot.session.lock().await;
                    if g.as_ref().is_some_and(|x| Arc::ptr_eq(x, &s)) {
                        *g = None;
                    }
                }
                Err(e) => return Err(format!("{}: cannot open a channel: {e}", host.name)),
            }
        }
        Err(format!("{}: cannot open a channel", host.name))
    }

    /// One maintenance round: latency of live connections, closing idle ones, and
    /// noticing dead ones.
    pub async fn maintain(&self) {
        let slots: Vec<Arc<Slot>> = match self.slots.lock() {
            Ok(s) => s.values().cloned().collect(),
            Err(_) => return,
        };
        for slot in slots {
            let s = slot.session.lock().await.clone();
            let Some(s) = s else { continue };
            if s.is_closed() {
                *slot.session.lock().await = None;
                let lost = ConnState::Failed("connection lost".into());
                if matches!(
                    slot.status.lock().map(|x| x.state.clone()),
                    Ok(ConnState::Connected)
                ) {
                    Self::set_state(&slot, lost);
                }
                continue;
            }
            let idle = slot.channels.load(Ordering::SeqCst) == 0
                && slot
                    .last_used
                    .lock()
                    .map(|t| t.elapsed() >= self.settings.idle_close)
                    .unwrap_or(false);
            if idle {
                let _ = s
                    .disconnect(russh::Disconnect::ByApplication, "idle", "en")
                    .await;
                *slot.session.lock().await = None;
                Self::set_state(&slot, ConnState::Idle);
                continue;
            }
            let t0 = Instant::now();
            if let Ok(Ok(())) =
                tokio::time::timeout(self.settings.keepalive_interval, s.send_ping()).await
                && let Ok(mut st) = slot.status.lock()
            {
                st.latency = Some(t0.elapsed());
            }
        }
    }

    /// Runs `maintain` every few seconds until the pool is dropped.
    pub fn spawn_maintenance(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        let every = self.settings.keepalive_interval.min(Duration::from_secs(5));
        tokio::spawn(async move {
            let mut t = tokio::time::interval(every);
            loop {
                t.tick().await;
                let Some(p) = weak.upgrade() else { break };
                p.maintain().await;
            }
        })
    }

    /// Closes every connection (at exit).
    pub async fn close_all(&self) {
        let slots: Vec<Arc<Slot>> = match self.slots.lock() {
            Ok(s) => s.values().cloned().collect(),
            Err(_) => return,
        };
        for slot in slots {
            if let Some(s) = slot.session.lock().await.take() {
                let _ = s
                    .disconnect(russh::Disconnect::ByApplication, "", "en")
                    .await;
            }
        }
    }
}
