//! Every action dispatched from the TUI is a job: its targets with their state as
//! outcomes arrive, the output lines of commands (bounded), how long it took, and a
//! cancel flag the running executor polls. The jobs screen lists them; a job's
//! failed targets can be dispatched again as a new job.

use crate::actions::{Action, CommandTarget, Denial, Report, TargetOutcome};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Output lines kept per job; older ones are dropped (a flood stays bounded).
pub const MAX_OUTPUT: usize = 5000;
/// Jobs kept; the oldest finished ones are dropped.
const MAX_JOBS: usize = 100;

#[derive(Debug)]
pub struct Job {
    pub id: usize,
    pub action: Action,
    pub started: Instant,
    pub took: Option<Duration>,
    /// Target labels in action order, with their outcome once known.
    pub targets: Vec<(String, Option<TargetOutcome>)>,
    /// (target, line), oldest first.
    pub output: VecDeque<(String, String)>,
    pub dropped: usize,
    pub cancel: Arc<AtomicBool>,
    pub denied: Option<String>,
}

impl Job {
    pub fn running(&self) -> bool {
        self.took.is_none()
    }

    pub fn done(&self) -> usize {
        self.targets.iter().filter(|(_, o)| o.is_some()).count()
    }

    pub fn failed(&self) -> usize {
        self.targets
            .iter()
            .filter(|(_, o)| o.as_ref().is_some_and(|o| !o.ok()))
            .count()
    }

    /// `running 3/10`, `done`, `2 failed`, `denied`, `canceled`.
    pub fn state(&self) -> String {
        if self.denied.is_some() {
            return "denied".into();
        }
        if self.running() {
            if self.cancel.load(Ordering::Relaxed) {
                return "canceling".into();
            }
            return format!("running {}/{}", self.done(), self.targets.len());
        }
        match self.failed() {
            0 => "done".into(),
            n => format!("{n} failed"),
        }
    }

    /// The same action on the targets that failed, or `None` when none did.
    pub fn retry(&self) -> Option<Action> {
        let failed = |label: &str| {
            self.targets
                .iter()
                .any(|(l, o)| l == label && o.as_ref().is_some_and(|o| !o.ok()))
        };
        let procs = |ts: &[crate::actions::ProcTarget]| {
            ts.iter()
                .filter(|t| failed(&t.target().label()))
                .cloned()
                .collect::<Vec<_>>()
        };
        let a = match &self.action {
            Action::Signal { targets, sig } => Action::Signal {
                targets: procs(targets),
                sig: *sig,
            },
            Action::Renice { targets, change } => Action::Renice {
                targets: procs(targets),
                change: *change,
            },
            Action::Restart { targets } => Action::Restart {
                targets: procs(targets),
            },
            Action::Unit { op, targets } => Action::Unit {
                op: *op,
                targets: targets
                    .iter()
                    .filter(|t| failed(t.service.as_deref().unwrap_or(&t.unit)))
                    .cloned()
                    .collect(),
            },
            Action::Exec {
                hosts,
                command,
                parallel,
                timeout,
            } => Action::Exec {
                hosts: hosts.iter().filter(|h| failed(&h.name)).cloned().collect(),
                command: command.clone(),
                parallel: *parallel,
                timeout: *timeout,
            },
            Action::InstallUnits { services } => Action::InstallUnits {
                services: services
                    .iter()
                    .filter(|t| failed(&t.id()))
                    .cloned()
                    .collect(),
            },
            // The rest is one step on one target: the same action again.
            Action::DaemonReload
            | Action::WriteEnv { .. }
            | Action::RevealEnv { .. }
            | Action::RevealEnviron { .. }
            | Action::RemoveSite { .. }
            | Action::Shell { .. }
            | Action::LearnHostKey(_)
            | Action::Export { .. } => self.action.clone(),
            Action::Command { command, targets } => Action::Command {
                command: command.clone(),
                targets: targets
                    .iter()
                    .filter(|t| failed(&t.id()))
                    .cloned()
                    .collect::<Vec<CommandTarget>>(),
            },
        };
        (self.failed() > 0).then_some(a)
    }
}

/// The labels outcomes will carry, so a target's row is found when its outcome comes.
fn labels(a: &Action) -> Vec<String> {
    // Labels do not depend on the sites (a service is `site/service` either way).
    a.targets(&Default::default())
        .iter()
        .map(crate::actions::Target::label)
        .collect()
}

#[derive(Debug, Default)]
pub struct Jobs {
    pub list: Vec<Job>,
    next: usize,
}

impl Jobs {
    /// A new running job; its id and cancel flag go to the executor.
    pub fn start(&mut self, action: Action) -> (usize, Arc<AtomicBool>) {
        self.next += 1;
        let cancel = Arc::new(AtomicBool::new(false));
        self.list.push(Job {
            id: self.next,
            targets: labels(&action).into_iter().map(|l| (l, None)).collect(),
            action,
            started: Instant::now(),
            took: None,
            output: VecDeque::new(),
            dropped: 0,
            cancel: cancel.clone(),
            denied: None,
        });
        while self.list.len() > MAX_JOBS {
            match self.list.iter().position(|j| !j.running()) {
                Some(i) => {
                    self.list.remove(i);
                }
                None => break,
            }
        }
        (self.next, cancel)
    }

    pub fn get(&self, id: usize) -> Option<&Job> {
        self.list.iter().find(|j| j.id == id)
    }

    fn get_mut(&mut self, id: usize) -> Option<&mut Job> {
        self.list.iter_mut().find(|j| j.id == id)
    }

    pub fn progress(&mut self, id: usize, o: TargetOutcome) {
        if let Some(j) = self.get_mut(id) {
            let label = o.label();
            match j.targets.iter_mut().find(|(l, _)| *l == label) {
                Some(slot) => slot.1 = Some(o),
                None => j.targets.push((label, Some(o))),
            }
        }
    }

    pub fn output(&mut self, id: usize, target: String, line: String) {
        if let Some(j) = self.get_mut(id) {
            if j.output.len() >= MAX_OUTPUT {
                j.output.pop_front();
                j.dropped += 1;
            }
            j.output.push_back((target, line));
        }
    }

    pub fn finish(&mut self, id: usize, result: &Result<Report, Denial>) {
        if let Some(j) = self.get_mut(id) {
            j.took = Some(j.started.elapsed());
            match result {
                Ok(r) => {
                    for o in &r.outcomes {
                        let label = o.label();
                        match j.targets.iter_mut().find(|(l, _)| *l == label) {
                            Some(slot) => slot.1 = Some(o.clone()),
                            None => j.targets.push((label, Some(o.clone()))),
                        }
                    }
                }
                Err(d) => j.denied = Some(d.reason.clone()),
            }
        }
    }

    /// Asks the job's executor to stop (it polls the flag); true when the job was
    /// running.
    pub fn cancel(&self, id: usize) -> bool {
        match self.get(id) {
            Some(j) if j.running() => {
                j.cancel.store(true, Ordering::Relaxed);
                true
            }
            _ => false,
        }
    }

    /// The newest running job, for the status line.
    pub fn current(&self) -> Option<&Job> {
        // A shell pane's job runs as long as the pane is open: not "under way".
        self.list
            .iter()
            .rev()
            .find(|j| j.running() && !matches!(j.action, Action::Shell { .. }))
    }
}
