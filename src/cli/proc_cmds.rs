//! `qd signal`, `qd renice`, `qd restart`: one line per target with its outcome,
//! through the same dispatcher as the TUI.

use super::{EXIT_DENIED, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::actions::{Action, Dispatcher, JobCtl, NiceChange, ProcTarget, Report, Sig};
use crate::model::text::inert;

/// Resolves pids to targets; a pid that is gone is reported and counts as a failure.
fn targets(pids: &[i32]) -> (Vec<ProcTarget>, Vec<String>) {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for &pid in pids {
        match ProcTarget::lookup(pid) {
            Ok(t) => found.push(t),
            Err(m) => missing.push(format!("{pid}: {m}")),
        }
    }
    (found, missing)
}

fn print_report(r: &Report) {
    for o in &r.outcomes {
        println!(
            "{}: {}: {}",
            inert(&o.label(), 80),
            o.outcome.word(),
            o.message
        );
    }
}

fn run(d: &Dispatcher, pids: &[i32], make: impl FnOnce(Vec<ProcTarget>) -> Action) -> i32 {
    let (found, missing) = targets(pids);
    let mut failed = !missing.is_empty();
    for m in &missing {
        println!("{m}");
    }
    if !found.is_empty() {
        match d.dispatch_blocking(&make(found), &JobCtl::quiet()) {
            Ok(report) => {
                print_report(&report);
                failed |= !report.all_ok();
            }
            Err(denial) => {
                eprintln!("qd: {denial}");
                return EXIT_DENIED;
            }
        }
    }
    if failed { EXIT_FAILED } else { EXIT_OK }
}

pub fn signal(d: &Dispatcher, pids: &[i32], signal: &str) -> i32 {
    let Some(sig) = Sig::parse(signal) else {
        eprintln!(
            "qd: unknown signal `{signal}`: use TERM, KILL, INT, HUP, QUIT, STOP, CONT, USR1 or USR2"
        );
        return EXIT_USAGE;
    };
    run(d, pids, |targets| Action::Signal { targets, sig })
}

pub fn renice(d: &Dispatcher, pids: &[i32], nice: i32) -> i32 {
    run(d, pids, |targets| Action::Renice {
        targets,
        change: NiceChange::Set(nice),
    })
}

pub fn restart(d: &Dispatcher, pid: i32) -> i32 {
    run(d, &[pid], |targets| Action::Restart { targets })
}
