//! The one clock of a connection's establishment: `connect_timeout` bounds the TCP
//! connect, the server's banner, the key exchange and authentication together, so a
//! server that accepts and then stays silent (or sends a banner and nothing more)
//! fails in that time, naming the phase it was stuck in, and frees its pool slot and
//! connect permit. The clock stops while the operator is asked something (a host key,
//! a passphrase): reading a fingerprint is not the server's delay.
//!
//! `Watched` wraps the TCP stream russh reads: it moves the phase from "banner" to
//! "key exchange" when the first line arrives, takes one of the pool's handshake
//! permits only then (a silent host holds none; the clock stops while queueing), and
//! once the attempt is abandoned (its
//! `Abandon` handle dropped before `keep`) it fails every read, so the session task
//! russh spawned for the handshake ends and closes the socket instead of lingering.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// Where an establishment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    Tcp = 0,
    Banner = 1,
    KeyExchange = 2,
    Auth = 3,
}

impl Phase {
    pub fn describe(self) -> &'static str {
        match self {
            Phase::Tcp => "the TCP connect",
            Phase::Banner => "the SSH banner (the server accepted and sent nothing)",
            Phase::KeyExchange => "the key exchange",
            Phase::Auth => "authentication",
        }
    }
}

#[derive(Debug, Default)]
struct Pauses {
    /// Questions open right now, and since when the first one is.
    open: usize,
    since: Option<Instant>,
    total: Duration,
}

/// The budget of one establishment.
#[derive(Debug)]
pub struct Clock {
    start: Instant,
    limit: Duration,
    phase: AtomicU8,
    pauses: Mutex<Pauses>,
}

impl Clock {
    pub fn new(limit: Duration) -> Self {
        Self {
            start: Instant::now(),
            limit,
            phase: AtomicU8::new(Phase::Tcp as u8),
            pauses: Mutex::new(Pauses::default()),
        }
    }

    pub fn set_phase(&self, p: Phase) {
        self.phase.store(p as u8, Ordering::SeqCst);
    }

    pub fn phase(&self) -> Phase {
        match self.phase.load(Ordering::SeqCst) {
            0 => Phase::Tcp,
            1 => Phase::Banner,
            2 => Phase::KeyExchange,
            _ => Phase::Auth,
        }
    }

    /// Stops the clock until the guard is dropped (an operator question, a wait
    /// for a handshake permit).
    pub fn pause(self: &Arc<Self>) -> PauseGuard {
        if let Ok(mut p) = self.pauses.lock() {
            if p.open == 0 {
                p.since = Some(Instant::now());
            }
            p.open += 1;
        }
        PauseGuard {
            clock: self.clone(),
        }
    }

    /// Time left, or `None` while paused.
    fn remaining(&self) -> Option<Duration> {
        let p = self.pauses.lock().ok()?;
        if p.open > 0 {
            return None;
        }
        Some((self.limit + p.total).saturating_sub(self.start.elapsed()))
    }

    /// "timed out after 3.0s during the key exchange"
    pub fn expired_text(&self) -> String {
        format!(
            "timed out after {} during {}",
            crate::model::format::duration_short(self.limit),
            self.phase().describe()
        )
    }

    /// Runs `fut` within the budget; on expiry `fut` is dropped (and with it the
    /// socket) and the error says `what` timed out in which phase.
    pub async fn bound<T>(
        &self,
        what: &str,
        fut: impl Future<Output = Result<T, String>>,
    ) -> Result<T, String> {
        tokio::pin!(fut);
        loop {
            // Paused: look again later (a question's answer resumes the clock).
            let wait = match self.remaining() {
                Some(d) if d.is_zero() => return Err(format!("{what}: {}", self.expired_text())),
                Some(d) => d,
                None => Duration::from_millis(200),
            };
            tokio::select! {
                r = &mut fut => return r,
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }
}

pub struct PauseGuard {
    clock: Arc<Clock>,
}

impl Drop for PauseGuard {
    fn drop(&mut self) {
        if let Ok(mut p) = self.clock.pauses.lock() {
            p.open = p.open.saturating_sub(1);
            if p.open == 0
                && let Some(s) = p.since.take()
            {
                p.total += s.elapsed();
            }
        }
    }
}

/// Held by the establishment; dropping it without `keep` ends the stream.
pub struct Abandon(oneshot::Sender<()>);

impl Abandon {
    /// The connection is established: the stream lives on with its session.
    pub fn keep(self) {
        let _ = self.0.send(());
    }
}

type Acquire = Pin<Box<dyn Future<Output = Option<OwnedSemaphorePermit>> + Send>>;

/// The pool's handshake permits (`max_connects`), taken only once the server has
/// sent its banner: a host that accepts and stays silent never holds one, and the
/// clock stops while a permit is awaited (queueing is not the server's delay).
struct Gate {
    sem: Arc<Semaphore>,
    waiting: Option<(Acquire, PauseGuard)>,
    permit: Option<OwnedSemaphorePermit>,
}

/// A stream that reports the banner, takes a handshake permit after it, and dies
/// with an abandoned attempt.
pub struct Watched<S> {
    inner: S,
    clock: Arc<Clock>,
    alive: Option<oneshot::Receiver<()>>,
    gate: Option<Gate>,
}

impl<S> Watched<S> {
    pub fn new(inner: S, clock: Arc<Clock>, permits: Arc<Semaphore>) -> (Self, Abandon) {
        let (tx, rx) = oneshot::channel();
        (
            Self {
                inner,
                clock,
                alive: Some(rx),
                gate: Some(Gate {
                    sem: permits,
                    waiting: None,
                    permit: None,
                }),
            },
            Abandon(tx),
        )
    }

    /// Ready once a permit is held (or none is needed any more).
    fn poll_permit(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let Some(g) = self.gate.as_mut() else {
            return Poll::Ready(());
        };
        if g.permit.is_some() || self.clock.phase() == Phase::Banner {
            return Poll::Ready(());
        }
        let (acquire, _) = g.waiting.get_or_insert_with(|| {
            let sem = g.sem.clone();
            (
                Box::pin(async move { sem.acquire_owned().await.ok() }),
                self.clock.pause(),
            )
        });
        match acquire.as_mut().poll(cx) {
            Poll::Ready(p) => {
                g.waiting = None;
                match p {
                    Some(p) => g.permit = Some(p),
                    // Closed semaphore: nothing to wait for.
                    None => self.gate = None,
                }
                Poll::Ready(())
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        if let Some(rx) = this.alive.as_mut() {
            match Pin::new(rx).poll(cx) {
                // Established: the session lives on, its permit goes back.
                Poll::Ready(Ok(())) => {
                    this.alive = None;
                    this.gate = None;
                }
                Poll::Ready(Err(_)) => {
                    return Poll::Ready(Err(std::io::Error::other("connection attempt abandoned")));
                }
                Poll::Pending => {}
            }
        }
        // After the banner, nothing more is read until a handshake permit is held.
        if this.poll_permit(cx).is_pending() {
            return Poll::Pending;
        }
        let before = buf.filled().len();
        let r = Pin::new(&mut this.inner).poll_read(cx, buf);
        if this.clock.phase() == Phase::Banner && buf.filled()[before..].contains(&b'\n') {
            this.clock.set_phase(Phase::KeyExchange);
        }
        r
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn expires_naming_the_phase_and_pauses_for_questions() {
        let c = Arc::new(Clock::new(Duration::from_millis(300)));
        c.set_phase(Phase::KeyExchange);
        let r: Result<(), String> = c.bound("ssh to x", std::future::pending()).await;
        let e = r.expect_err("must time out");
        assert!(
            e.contains("timed out after 300ms during the key exchange"),
            "{e}"
        );

        // While a question is open the clock does not run out.
        let c = Arc::new(Clock::new(Duration::from_millis(100)));
        let r = c
            .bound("x", async {
                let _g = c.pause();
                tokio::time::sleep(Duration::from_millis(400)).await;
                Ok(7)
            })
            .await;
        assert_eq!(r, Ok(7));
    }
}
