//! A site's custom command as a job: on each target service, resolve the command and
//! the site's user, build the clean environment (the service's env file, read with
//! the site user's rights, then the command's own variables), and run it with
//! `exec::run` — between a stop and a start of the unit when it `requires_stop`.
//! Targets run concurrently up to the configured limit; each reports its steps and
//! output lines as they happen, and its outcome as soon as it is done.

use super::{Dispatcher, Outcome, Sink, Target, TargetKind, TargetOutcome, UnitTarget, units};
use crate::exec;
use crate::model::site::{ServiceRef, SiteCommand};
use crate::sys::account::Account;
use crate::systemd::jobs::UnitOp;
use futures_util::StreamExt;
use serde::Serialize;
use std::time::Instant;

/// A service a command runs on: `shop/api`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommandTarget {
    pub site: String,
    pub service: String,
}

impl CommandTarget {
    pub fn id(&self) -> String {
        format!("{}/{}", self.site, self.service)
    }
}

/// The command `name` of a service, if it has one.
pub fn find<'a>(r: &ServiceRef<'a>, name: &str) -> Option<&'a SiteCommand> {
    r.service.commands.iter().find(|c| c.name == name)
}

impl CommandTarget {
    fn target(&self, unit: Option<String>) -> Target {
        Target::local(TargetKind::Service {
            site: self.site.clone(),
            service: self.service.clone(),
            unit,
        })
    }
}

fn fail(t: &CommandTarget, message: String) -> TargetOutcome {
    TargetOutcome::failed(t.target(None), message)
}

/// Runs `command` on every target, `d.concurrency` at a time; each outcome goes to
/// the sink as soon as that target is done.
pub async fn run(d: &Dispatcher, command: &str, targets: &[CommandTarget], sink: &Sink<'_>) {
    futures_util::stream::iter(targets)
        .for_each_concurrent(d.concurrency.max(1), |t| async move {
            let o = if sink.cancelled() {
                fail(t, "canceled before it started".into())
            } else {
                one(d, command, t, sink).await
            };
            sink.emit(o);
        })
        .await;
}

/// A unit step of a command (stop before, start after), its outcome kept here.
async fn unit_step(
    d: &Dispatcher,
    op: UnitOp,
    unit: &UnitTarget,
    sink: &Sink<'_>,
) -> Result<String, String> {
    let steps = sink.steps();
    units::run(
        d.bus,
        Some(op),
        std::slice::from_ref(unit),
        &d.sites,
        &steps,
    )
    .await;
    let o = steps.into_outcomes().into_iter().next();
    match o {
        Some(o) if o.ok() => Ok(o.message),
        Some(o) => Err(o.message),
        None => Err("no answer from the service manager".into()),
    }
}

async fn one(d: &Dispatcher, command: &str, t: &CommandTarget, sink: &Sink<'_>) -> TargetOutcome {
    let id = t.id();
    let say = |line: &str| sink.output(&id, line, false);
    let Some(r) = d.sites.resolve(&id).ok().and_then(|v| v.into_iter().next()) else {
        return fail(t, format!("no service {id} in the config"));
    };
    let Some(cmd) = find(&r, command) else {
        return fail(t, format!("{id} has no command `{command}`"));
    };
    let Some(account) = Account::by_name(&r.site.user) else {
        return fail(
            t,
            format!(
                "the site's user {} does not exist on this host",
                r.site.user
            ),
        );
    };
    let me = rustix::process::geteuid().as_raw();
    let switch_user = me == 0 && account.uid != 0;
    if me != 0 && me != account.uid {
        return fail(
            t,
            format!(
                "{id} runs as {}: run qd as root (or as {}) to run its commands",
                account.name, account.name
            ),
        );
    }
    let mut env = exec::base_env(&account);
    if let Some(f) = &r.service.env_file {
        // Read as the site's user: the file is in a directory they control.
        let read = crate::sys::sitefile::read(f, &account, super::files::MAX_ENV)
            .and_then(|b| String::from_utf8(b).map_err(|_| "not UTF-8 text".to_string()))
            .and_then(|text| {
                crate::model::envfile::parse(&text).map_err(|(line, m)| format!("line {line}: {m}"))
            });
        match read {
            Ok(vars) => env.extend(vars),
            Err(e) => return fail(t, format!("env file {}: {e}", f.display())),
        }
    }
    env.extend(cmd.env.iter().cloned());
    let dir = r
        .service
        .working_dir
        .clone()
        .unwrap_or_else(|| account.home.clone().into());
    let unit = UnitTarget::new(r.service.unit.clone(), Some(id.clone()));
    if cmd.requires_stop {
        say(&format!("── stopping {}", unit.unit));
        if let Err(m) = unit_step(d, UnitOp::Stop, &unit, sink).await {
            return fail(t, format!("not run: could not stop {}: {m}", unit.unit));
        }
        say(&format!("── {} stopped", unit.unit));
    }
    let start = Instant::now();
    say(&format!(
        "── running {} as {} in {}",
        cmd.display_name,
        account.name,
        dir.display()
    ));
    let label = format!("{}-{}-{}", t.site, t.service, cmd.name);
    let exit = exec::run(
        &exec::Spec {
            label: &label,
            argv: &cmd.run,
            account: &account,
            switch_user,
            dir: &dir,
            env,
            timeout: cmd.timeout,
            grace: d.restart_grace,
            bus: Some(d.bus),
        },
        sink.cancel_flag(),
        &|line| say(line),
    )
    .await;
    let took = crate::model::format::duration_short(start.elapsed());
    let mut message = format!("{} ({took})", exit.describe());
    let mut outcome = match exit.how {
        exec::How::TimedOut(_) => Outcome::Timeout,
        exec::How::Canceled => Outcome::Canceled,
        _ if exit.ok() => Outcome::Ok,
        _ => Outcome::Failed,
    };
    if cmd.requires_stop {
        // Whatever the command did, the service comes back.
        say(&format!("── starting {}", unit.unit));
        match unit_step(d, UnitOp::Start, &unit, sink).await {
            Err(m) => {
                if outcome == Outcome::Ok {
                    outcome = Outcome::Failed;
                }
                message = format!("{message}; then {} did not start: {m}", unit.unit);
            }
            Ok(how) => {
                say(&format!("── {} {how}", unit.unit));
                message = format!("{message}; {} {how} again", unit.unit);
            }
        }
    }
    TargetOutcome {
        target: t.target(Some(unit.unit)),
        outcome,
        message,
        exit_status: exit.status(),
        duration_ms: Some(start.elapsed().as_millis() as u64),
        exec: None,
    }
}
