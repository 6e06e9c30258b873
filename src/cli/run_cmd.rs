//! `qd run SITE/SERVICE COMMAND [--yes]`: a site's custom command from the shell,
//! through the same dispatcher as the TUI (policy, audit, execution as the site's
//! user). Output is streamed as it comes, made inert; on a terminal qd asks first,
//! and a dangerous command wants the service's name typed.

use super::{EXIT_DENIED, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::actions::{Action, CommandTarget, Dispatcher, JobCtl, commands};
use crate::model::text::inert;
use std::io::{BufRead, IsTerminal, Write};

/// The services of `spec` that have `command`, or why there are none.
fn targets(d: &Dispatcher, spec: &str, command: &str) -> Result<Vec<CommandTarget>, String> {
    let refs = d
        .sites
        .resolve(spec)
        // A SITE/SERVICE error says itself what is missing; a bare word is neither
        // a site nor a site's unit.
        .map_err(|e| {
            if spec.contains('/') {
                e
            } else {
                format!(
                    "no site or SITE/SERVICE `{}` in the config",
                    inert(spec, 64)
                )
            }
        })?;
    let with: Vec<CommandTarget> = refs
        .iter()
        .filter(|r| commands::find(r, command).is_some())
        .map(|r| CommandTarget {
            site: r.site.name.to_string(),
            service: r.service.name.to_string(),
        })
        .collect();
    if with.is_empty() {
        let known: Vec<String> = refs
            .iter()
            .flat_map(|r| r.service.commands.iter().map(|c| c.name.clone()))
            .collect();
        return Err(format!(
            "{spec} has no command `{command}` ({})",
            if known.is_empty() {
                "it defines no commands".to_string()
            } else {
                format!("it has: {}", known.join(", "))
            }
        ));
    }
    Ok(with)
}

/// Asks on the terminal; `Ok(false)` when the operator declines.
fn confirm(d: &Dispatcher, action: &Action, targets: &[CommandTarget]) -> Result<bool, String> {
    if !std::io::stdin().is_terminal() {
        return Err("stdin is not a terminal: pass --yes to run without asking".into());
    }
    let names: Vec<String> = targets.iter().map(|t| t.id()).collect();
    let mut err = std::io::stderr();
    let mut line = String::new();
    if action.is_dangerous_in(&d.sites) {
        let want = targets
            .iter()
            .map(|t| t.service.clone())
            .collect::<Vec<_>>()
            .join(" ");
        let _ = write!(
            err,
            "{} on {} is DANGEROUS. Type `{want}` to confirm: ",
            action.verb(),
            names.join(", ")
        );
        let _ = err.flush();
        let _ = std::io::stdin().lock().read_line(&mut line);
        return Ok(line.trim() == want);
    }
    let _ = write!(err, "{} on {}? [y/N] ", action.verb(), names.join(", "));
    let _ = err.flush();
    let _ = std::io::stdin().lock().read_line(&mut line);
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}

pub fn run(d: &Dispatcher, spec: &str, command: &str, yes: bool, json: bool) -> i32 {
    let targets = match targets(d, spec, command) {
        Ok(t) => t,
        Err(m) => {
            eprintln!("qd: {m}");
            return EXIT_USAGE;
        }
    };
    let many = targets.len() > 1;
    let action = Action::Command {
        command: command.to_string(),
        targets: targets.clone(),
    };
    // Ask only what may be done: a denial is reported (and recorded) without a prompt.
    if !yes && d.check(&action).is_ok() {
        match confirm(d, &action, &targets) {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("qd: not confirmed; nothing done");
                return EXIT_FAILED;
            }
            Err(m) => {
                eprintln!("qd: {m}");
                return EXIT_USAGE;
            }
        }
    }
    let output = move |target: &str, line: &str, _stderr: bool| {
        if json {
            return;
        }
        let mut o = std::io::stdout().lock();
        let line = inert(line, 8192);
        let _ = if many {
            writeln!(o, "[{target}] {line}")
        } else {
            writeln!(o, "{line}")
        };
    };
    let ctl = JobCtl {
        output: std::sync::Arc::new(output),
        ..JobCtl::quiet()
    };
    let report = d.dispatch_blocking(&action, &ctl);
    match report {
        Ok(r) => {
            if json {
                match serde_json::to_string_pretty(&r) {
                    Ok(s) => println!("{s}"),
                    Err(e) => eprintln!("qd: {e}"),
                }
            } else {
                for o in &r.outcomes {
                    eprintln!(
                        "{}: {}: {}",
                        inert(&o.label(), 120),
                        o.outcome.word(),
                        inert(&o.message, 400)
                    );
                }
            }
            if r.all_ok() { EXIT_OK } else { EXIT_FAILED }
        }
        Err(denial) => {
            eprintln!("qd: {denial}");
            EXIT_DENIED
        }
    }
}
