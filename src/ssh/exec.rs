//! A command on remote hosts through the pool: one exec channel per host on the
//! pooled connection, stdout and stderr streamed line by line and kept (bounded),
//! the exit status or signal, a timeout that closes the channel. `fan_out` runs one
//! command on many hosts, `parallel` at a time, reporting each host as it finishes.

use super::hosts::Host;
use super::pool::Pool;
use russh::ChannelMsg;
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Output kept per stream; the rest is counted, not stored.
pub const KEEP: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stream {
    Stdout,
    Stderr,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ExecOutcome {
    pub host: String,
    /// `None` when the command did not run to an exit status (error, timeout, signal).
    pub exit_status: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<String>,
    /// Why it did not run or finish: connect, auth, host key, timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(serialize_with = "lossy")]
    pub stdout: Vec<u8>,
    #[serde(serialize_with = "lossy")]
    pub stderr: Vec<u8>,
    /// Bytes beyond `KEEP` that were dropped.
    pub dropped: u64,
    pub duration_ms: u64,
}

fn lossy<S: serde::Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(b))
}

impl ExecOutcome {
    pub fn ok(&self) -> bool {
        self.exit_status == Some(0)
    }

    /// `exit 0`, `exit 3`, `signal KILL`, or the error.
    pub fn summary(&self) -> String {
        match (&self.error, self.exit_status, &self.signal) {
            (Some(e), _, _) => e.clone(),
            (None, Some(s), _) => format!("exit {s}"),
            (None, None, Some(sig)) => format!("killed by signal {sig}"),
            (None, None, None) => "closed without an exit status".into(),
        }
    }

    /// The first line of output (stdout, else stderr), for results tables.
    pub fn first_line(&self) -> String {
        let pick = if self.stdout.is_empty() {
            &self.stderr
        } else {
            &self.stdout
        };
        String::from_utf8_lossy(pick)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

/// Splits a byte stream into lines for the callback; a partial line waits.
struct Lines {
    buf: Vec<u8>,
}

impl Lines {
    fn push(&mut self, data: &[u8], mut f: impl FnMut(&str)) {
        self.buf.extend_from_slice(data);
        while let Some(at) = self.buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=at).collect();
            f(String::from_utf8_lossy(&line[..line.len() - 1]).trim_end_matches('\r'));
        }
        // A line longer than this is cut, so a stream without newlines stays bounded.
        if self.buf.len() > 8192 {
            let line: Vec<u8> = self.buf.drain(..).collect();
            f(&String::from_utf8_lossy(&line));
        }
    }
    fn finish(&mut self, mut f: impl FnMut(&str)) {
        if !self.buf.is_empty() {
            let line: Vec<u8> = self.buf.drain(..).collect();
            f(&String::from_utf8_lossy(&line));
        }
    }
}

pub type OnLine = Arc<dyn Fn(&str, Stream, &str) + Send + Sync>;

/// Runs `command` on `host`. Never fails: what went wrong is the outcome's `error`.
pub async fn exec(
    pool: &Pool,
    host: &Host,
    command: &str,
    timeout: Option<Duration>,
    on_line: &OnLine,
) -> ExecOutcome {
    let t0 = Instant::now();
    let mut out = ExecOutcome {
        host: host.name.clone(),
        ..Default::default()
    };
    let run = run(pool, host, command, &mut out, on_line);
    let r = match timeout {
        Some(t) => tokio::time::timeout(t, run).await.unwrap_or_else(|_| {
            Err(format!(
                "timed out after {}; the channel was closed",
                crate::model::format::duration_short(t)
            ))
        }),
        None => run.await,
    };
    if let Err(e) = r {
        out.error = Some(e);
    }
    out.duration_ms = t0.elapsed().as_millis() as u64;
    out
}

async fn run(
    pool: &Pool,
    host: &Host,
    command: &str,
    out: &mut ExecOutcome,
    on_line: &OnLine,
) -> Result<(), String> {
    let (mut ch, _guard) = pool.channel(host).await?;
    ch.exec(true, command)
        .await
        .map_err(|e| format!("exec refused: {e}"))?;
    let (mut o, mut e) = (Lines { buf: Vec::new() }, Lines { buf: Vec::new() });
    let name = host.name.as_str();
    while let Some(msg) = ch.wait().await {
        match msg {
            ChannelMsg::Data { data } => {
                keep(&mut out.stdout, &mut out.dropped, &data);
                o.push(&data, |l| on_line(name, Stream::Stdout, l));
            }
            ChannelMsg::ExtendedData { data, .. } => {
                keep(&mut out.stderr, &mut out.dropped, &data);
                e.push(&data, |l| on_line(name, Stream::Stderr, l));
            }
            ChannelMsg::ExitStatus { exit_status } => out.exit_status = Some(exit_status),
            ChannelMsg::ExitSignal { signal_name, .. } => {
                out.signal = Some(format!("{signal_name:?}"))
            }
            ChannelMsg::Failure => return Err("the server refused to run the command".into()),
            ChannelMsg::Close => break,
            _ => {}
        }
    }
    o.finish(|l| on_line(name, Stream::Stdout, l));
    e.finish(|l| on_line(name, Stream::Stderr, l));
    if out.exit_status.is_none() && out.signal.is_none() {
        return Err("the connection closed before the command finished".into());
    }
    Ok(())
}

fn keep(buf: &mut Vec<u8>, dropped: &mut u64, data: &[u8]) {
    let room = KEEP.saturating_sub(buf.len()).min(data.len());
    buf.extend_from_slice(&data[..room]);
    *dropped += (data.len() - room) as u64;
}

/// How a fan-out runs: hosts at once, the per-host timeout, and who hears of each
/// output line and of each host as it finishes.
#[derive(Clone)]
pub struct FanOut {
    pub parallel: usize,
    pub timeout: Option<Duration>,
    pub on_line: OnLine,
    pub done: Arc<dyn Fn(&ExecOutcome) + Send + Sync>,
}

impl FanOut {
    /// `parallel` at a time, no timeout, nobody listening.
    pub fn quiet(parallel: usize) -> Self {
        Self {
            parallel,
            timeout: None,
            on_line: Arc::new(|_, _, _| {}),
            done: Arc::new(|_| {}),
        }
    }
}

/// Runs `command` on every host as `how` says. Outcomes come back in the hosts' order.
pub async fn fan_out(
    pool: &Arc<Pool>,
    hosts: &[Host],
    command: &str,
    how: &FanOut,
) -> Vec<ExecOutcome> {
    let sem = Arc::new(tokio::sync::Semaphore::new(how.parallel.max(1)));
    let timeout = how.timeout;
    let mut set = tokio::task::JoinSet::new();
    for (i, h) in hosts.iter().enumerate() {
        let (pool, h, cmd, sem) = (pool.clone(), h.clone(), command.to_string(), sem.clone());
        let (on_line, done) = (how.on_line.clone(), how.done.clone());
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let o = exec(&pool, &h, &cmd, timeout, &on_line).await;
            done(&o);
            (i, o)
        });
    }
    let mut outs: Vec<Option<ExecOutcome>> = vec![None; hosts.len()];
    while let Some(r) = set.join_next().await {
        if let Ok((i, o)) = r {
            outs[i] = Some(o);
        }
    }
    outs.into_iter()
        .enumerate()
        .map(|(i, o)| {
            o.unwrap_or_else(|| ExecOutcome {
                host: hosts[i].name.clone(),
                error: Some("the exec task failed".into()),
                ..Default::default()
            })
        })
        .collect()
}
