//! The executors of SSH actions: a command on many hosts (`Action::Exec`) through the
//! dispatcher's pool, each host's outcome handed on as it finishes; a shell pane's
//! open and close (`Action::Shell`, whose close is recorded under the open's job);
//! and learning a host key (`Action::LearnHostKey`), which the pool asks for through
//! the recorder the dispatcher installs, so no key is written outside this path.

use super::{Action, Denial, Dispatcher, HostKey, JobCtl, Report, Sink, Target, TargetKind};
use super::{Outcome, TargetOutcome};
use crate::model::format;
use crate::ssh::exec::{self, ExecOutcome, FanOut, Stream};
use crate::ssh::{Host, Pool};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

fn host_target(h: &Host) -> Target {
    Target {
        host: h.name.clone(),
        kind: TargetKind::Host {
            name: h.name.clone(),
            remote: h.conn_key(),
        },
    }
}

fn exec_outcome(h: &Host, o: ExecOutcome) -> TargetOutcome {
    let outcome = match (&o.error, o.exit_status) {
        (None, Some(0)) => Outcome::Ok,
        (Some(e), _) if e.starts_with("timed out") => Outcome::Timeout,
        _ => Outcome::Failed,
    };
    TargetOutcome {
        target: host_target(h),
        outcome,
        message: o.summary(),
        exit_status: o.exit_status.map(|s| s as i32),
        duration_ms: Some(o.duration_ms),
        exec: Some(Box::new(o)),
    }
}

enum Event {
    Line(String, Stream, String),
    Done(ExecOutcome),
}

/// `command` on every host, `parallel` at a time; output lines and outcomes go to
/// the sink as they come (the fan-out's tasks own their callbacks, so they reach the
/// sink through a channel drained here).
pub async fn exec(
    d: &Dispatcher,
    hosts: &[Host],
    command: &str,
    parallel: usize,
    timeout: Option<Duration>,
    sink: &Sink<'_>,
) {
    let Some(pool) = d.pool.get().cloned() else {
        for h in hosts {
            sink.emit(TargetOutcome::failed(
                host_target(h),
                "no SSH pool in this session",
            ));
        }
        return;
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (t1, t2) = (tx.clone(), tx);
    let how = FanOut {
        parallel,
        timeout,
        on_line: Arc::new(move |h: &str, s, l: &str| {
            let _ = t1.send(Event::Line(h.to_string(), s, l.to_string()));
        }),
        done: Arc::new(move |o: &ExecOutcome| {
            let _ = t2.send(Event::Done(o.clone()));
        }),
    };
    let by_name = |name: &str| hosts.iter().find(|h| h.name == name);
    let done = std::sync::Mutex::new(std::collections::HashSet::new());
    let handle = |e: Event| match e {
        Event::Line(h, s, l) => sink.output(&h, &l, s == Stream::Stderr),
        Event::Done(o) => {
            if let Some(h) = by_name(&o.host) {
                if let Ok(mut d) = done.lock() {
                    d.insert(h.name.clone());
                }
                sink.emit(exec_outcome(h, o));
            }
        }
    };
    let mut canceled = false;
    {
        // Dropping the fan-out aborts its tasks: their channels close and the pool's
        // slots are freed, which ends the remote commands as ssh does.
        let fan = exec::fan_out(&pool, hosts, command, &how);
        tokio::pin!(fan);
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tokio::select! {
                Some(e) = rx.recv() => handle(e),
                _ = &mut fan => break,
                _ = tick.tick() => if sink.cancelled() {
                    canceled = true;
                    break;
                },
            }
        }
    }
    drop(how);
    while let Ok(e) = rx.try_recv() {
        handle(e);
    }
    if canceled {
        let finished = done.lock().map(|d| d.clone()).unwrap_or_default();
        for h in hosts.iter().filter(|h| !finished.contains(&h.name)) {
            let mut o = TargetOutcome::failed(host_target(h), "canceled: its channel was closed");
            o.outcome = Outcome::Canceled;
            sink.emit(o);
        }
    }
}

/// The pane's open, recorded; its close follows under the same job.
pub fn shell_opened(h: &Host) -> TargetOutcome {
    TargetOutcome::new(host_target(h), Ok("opened".into()))
}

/// Appends the key line; the policy check and records are the dispatcher's.
pub fn learn(k: &HostKey) -> TargetOutcome {
    let target = Target {
        host: k.host.name.clone(),
        kind: TargetKind::File {
            path: k.file.clone(),
        },
    };
    let r = crate::ssh::learn::append(&k.file, &k.line).map(|()| {
        format!(
            "{} key {} of {} added ({})",
            k.key_type,
            k.fingerprint,
            k.host.conn_key(),
            k.how
        )
    });
    TargetOutcome::new(target, r)
}

/// A pane's audit trail: its open (a job of its own), then its close.
#[derive(Debug, Clone)]
pub struct PaneTicket {
    pub job: String,
    pub opened_ms: u64,
}

impl Dispatcher {
    /// The SSH pool of this session, made by `init` on first use. The dispatcher
    /// holds it so remote actions run on it and so it learns keys through here.
    pub fn ssh_pool(self: &Arc<Self>, init: impl FnOnce() -> Arc<Pool>) -> Arc<Pool> {
        self.pool
            .get_or_init(|| {
                let pool = init();
                let me = Arc::downgrade(self);
                pool.set_key_recorder(Arc::new(move |req: &crate::ssh::LearnRequest| {
                    match me.upgrade() {
                        Some(d) => d.learn_host_key(HostKey::from(req)),
                        None => Err("qd is shutting down: host key not learned".into()),
                    }
                }));
                pool
            })
            .clone()
    }

    /// `LearnHostKey` through the whole path, synchronously: the pool asks from
    /// inside a handshake.
    pub fn learn_host_key(&self, k: HostKey) -> Result<(), String> {
        let action = Action::LearnHostKey(k.clone());
        let report = self
            .dispatch_now(&action, || learn(&k))
            .map_err(|d| d.reason)?;
        match report.outcomes.into_iter().next() {
            Some(o) if o.ok() => Ok(()),
            Some(o) => Err(o.message),
            None => Err("host key not learned".into()),
        }
    }

    /// A shell pane on `host` is about to open: checked and recorded.
    pub async fn pane_opened(&self, host: &Host) -> Result<PaneTicket, Denial> {
        let r: Report = self
            .dispatch_job(&Action::Shell { host: host.clone() }, &JobCtl::quiet())
            .await?;
        Ok(PaneTicket {
            job: r.job,
            opened_ms: crate::audit::now_ms(),
        })
    }

    /// The pane closed (`why`: exited 0, closed by the operator, connection lost).
    pub fn pane_closed(
        &self,
        ticket: &PaneTicket,
        host: &Host,
        ok: bool,
        why: &str,
    ) -> TargetOutcome {
        let action = Action::Shell { host: host.clone() };
        let mut o = TargetOutcome::new(
            host_target(host),
            if ok {
                Ok(why.to_string())
            } else {
                Err(why.to_string())
            },
        );
        o.message = format!(
            "closed: opened {}, {why}",
            format::timestamp(ticket.opened_ms)
        );
        o.duration_ms = Some(crate::audit::now_ms().saturating_sub(ticket.opened_ms));
        self.recorder(&ticket.job).outcome(&action, &mut o);
        o
    }
}

impl From<&crate::ssh::LearnRequest> for HostKey {
    fn from(r: &crate::ssh::LearnRequest) -> Self {
        HostKey {
            host: r.host.clone(),
            file: r.file.clone(),
            line: r.line.clone(),
            key_type: r.key_type.clone(),
            fingerprint: r.fingerprint.clone(),
            how: match r.how {
                crate::ssh::LearnHow::AcceptNew => "accept-new",
                crate::ssh::LearnHow::TypedYes => "typed yes",
            }
            .into(),
        }
    }
}
