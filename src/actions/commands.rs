//! A site's custom command as a job: on each target service, resolve the command and
//! the site's user, build the clean environment (the service's env file, then the
//! command's own variables), and run it with `exec::run` — between a stop and a start
//! of the unit when it `requires_stop`. Targets run in parallel up to the configured
//! concurrency; each reports its steps and output lines as they happen.

use super::exec;
use super::{Dispatcher, JobCtl, TargetOutcome, UnitTarget, units};
use crate::model::site::{ServiceRef, SiteCommand};
use crate::sys::account::Account;
use crate::systemd::jobs::UnitOp;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
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

fn fail(t: &CommandTarget, message: String) -> TargetOutcome {
    TargetOutcome {
        pid: None,
        unit: None,
        name: t.id(),
        ok: false,
        message,
        exit_status: None,
    }
}

/// Runs `command` on every target; one outcome per target, in target order.
pub fn run(
    d: &Dispatcher,
    command: &str,
    targets: &[CommandTarget],
    ctl: &JobCtl,
) -> Vec<TargetOutcome> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<TargetOutcome>> = vec![None; targets.len()];
    let workers = d.concurrency.clamp(1, targets.len().max(1));
    let done = std::sync::Mutex::new(&mut results);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(t) = targets.get(i) else { break };
                    let o = if ctl.cancelled() {
                        fail(t, "canceled before it started".into())
                    } else {
                        one(d, command, t, ctl)
                    };
                    (ctl.progress)(&o);
                    if let Ok(mut r) = done.lock() {
                        r[i] = Some(o);
                    }
                }
            });
        }
    });
    results
        .into_iter()
        .zip(targets)
        .map(|(o, t)| o.unwrap_or_else(|| fail(t, "did not run".into())))
        .collect()
}

fn one(d: &Dispatcher, command: &str, t: &CommandTarget, ctl: &JobCtl) -> TargetOutcome {
    let id = t.id();
    let say = |line: &str| (ctl.output)(&id, line);
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
        // As the site's user, following no link: the file is in their directory.
        match crate::sys::sitefile::read(f, &account, 1 << 20).and_then(|bytes| {
            let text =
                String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8", f.display()))?;
            crate::model::envfile::parse(&text)
                // Never the parser's message: it quotes the line (the file may be
                // a secret, or someone else's).
                .map_err(|(line, _)| format!("{} line {line}: not a KEY=VALUE line", f.display()))
        }) {
            Ok(vars) => env.extend(vars),
            Err(e) => return fail(t, format!("env file {e}")),
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
        let stop = units::run(
            d.bus,
            Some(UnitOp::Stop),
            std::slice::from_ref(&unit),
            &d.sites,
            &|_| {},
        );
        if let Some(o) = stop.iter().find(|o| !o.ok) {
            return fail(
                t,
                format!("not run: could not stop {}: {}", unit.unit, o.message),
            );
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
    let spec = exec::Spec {
        argv: &cmd.run,
        account: &account,
        switch_user,
        dir: &dir,
        env,
        timeout: cmd.timeout,
        grace: d.restart_grace,
        bus: Some(d.bus),
        label: &label,
    };
    let exit = match units::block_on(exec::run(&spec, ctl.cancel, &|line| say(line))) {
        Ok(e) => e,
        Err(why) => return fail(t, why),
    };
    let took = crate::model::format::duration_short(start.elapsed());
    let mut message = format!("{} ({took})", exit.describe());
    let mut ok = exit.ok();
    if cmd.requires_stop {
        // Whatever the command did, the service comes back.
        say(&format!("── starting {}", unit.unit));
        let started = units::run(
            d.bus,
            Some(UnitOp::Start),
            std::slice::from_ref(&unit),
            &d.sites,
            &|_| {},
        );
        match started.iter().find(|o| !o.ok) {
            Some(o) => {
                ok = false;
                message = format!("{message}; then {} did not start: {}", unit.unit, o.message);
            }
            None => {
                let how = started
                    .first()
                    .map(|o| o.message.clone())
                    .unwrap_or_default();
                say(&format!("── {} {how}", unit.unit));
                message = format!("{message}; {} {how} again", unit.unit);
            }
        }
    }
    TargetOutcome {
        pid: None,
        unit: Some(unit.unit),
        name: id,
        ok,
        message,
        exit_status: exit.status(),
    }
}
