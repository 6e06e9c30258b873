//! The fleet's App glue; the screens are `screens::hosts` and `screens::panes`.
//! Here: the global commands that reach them from any screen (`:hosts`, `:panes`,
//! `:host NAME`, `:exec [CMD]`), opening shells (the `Shell` action's policy first,
//! then a job per pane, then the panes), and a pane's session ending or refused.
//! A fan-out exec is an `Action::Exec` job like every other action: its per-host
//! output and outcomes are in its job pane (`:jobs`), where `r` retries the failed
//! hosts. The pool and the sessions live in the event loop (`remote`).

use super::app::{App, Level, Popup};
use super::msg::Effect;
use super::screen::Screen;
use crate::actions::{Action, Denial, Report, TargetOutcome};
use crate::ssh::Host;

/// `:hosts`, `:panes`, `:host NAME`, `:exec [CMD]`.
pub fn command(app: &mut App, cmd: crate::config::Command) -> Vec<Effect> {
    use crate::config::Command as C;
    match cmd {
        C::ShowPanes if app.screens.panes.list.is_empty() => {
            app.set_status(
                Level::Info,
                "no shell pane is open: :hosts, then Enter on a host",
            );
            Vec::new()
        }
        C::ShowPanes => {
            app.show(Screen::Panes);
            app.screens.panes.fit(&app.data)
        }
        C::OpenHost(h) => open_host(app, &h),
        _ => {
            app.show(Screen::Hosts);
            app.rebuild();
            vec![Effect::HostsTick]
        }
    }
}

/// `:host NAME` (and `qd ssh NAME`): a shell pane on that host.
pub fn open_host(app: &mut App, name: &str) -> Vec<Effect> {
    match app.data.hosts.iter().find(|h| h.name == name).cloned() {
        Some(h) => open_shells(app, vec![h]),
        None => {
            let known: Vec<&str> = app.data.hosts.iter().map(|h| h.name.as_str()).collect();
            app.set_status(
                Level::Error,
                format!("no host `{name}` (hosts: {})", known.join(", ")),
            );
            Vec::new()
        }
    }
}

/// Shells proposed together (`Act::Propose(Action::Shell ..)` in a row): the policy
/// first, so a refused host gets no pane (its denial is shown and recorded); each
/// allowed host a job, from the pane's open to its close; then the panes, shown
/// together when several. The dispatcher checks and records each again when its
/// session starts (`remote`).
pub fn open_shells(app: &mut App, hosts: Vec<Host>) -> Vec<Effect> {
    if hosts.is_empty() {
        app.set_status(Level::Warn, "no host selected");
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut allowed = Vec::new();
    for host in hosts {
        let action = Action::Shell { host: host.clone() };
        match super::propose::refuse(app, &action) {
            Some(fx) => out.extend(fx),
            None => {
                let (job, _) = app.data.jobs.start(action);
                allowed.push((host, job));
            }
        }
    }
    if allowed.is_empty() {
        return out;
    }
    out.extend(app.screens.panes.open(allowed, &app.data));
    app.show(Screen::Panes);
    out
}

/// A pane's session ended: its job finishes with the close outcome the dispatcher
/// recorded (the pane itself stays, showing why, until the operator closes it).
pub fn pane_ended(app: &mut App, id: usize, outcome: Option<TargetOutcome>) {
    let Some(job) = app.screens.panes.jobs.remove(&id) else {
        return;
    };
    let report = Report {
        action: "shell".into(),
        job: String::new(),
        outcomes: outcome.into_iter().collect(),
    };
    app.data.jobs.finish(job, &Ok(report));
}

/// The dispatcher refused a pane as its session started (policy or audit): the pane
/// goes, its job ends denied, and the operator is told why.
pub fn pane_denied(app: &mut App, id: usize, why: String) {
    if app.screens.panes.remove(id) && app.screen == Screen::Panes {
        app.show(Screen::Hosts);
    }
    if let Some(job) = app.screens.panes.jobs.remove(&id) {
        app.data.jobs.finish(
            job,
            &Err(Denial {
                reason: why.clone(),
            }),
        );
    }
    app.popup = Some(Popup::Error {
        title: "Shell refused".into(),
        message: why,
    });
}
