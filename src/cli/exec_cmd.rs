//! `qd exec` and `qd hosts`: the fleet from the shell. Exec goes through the
//! dispatcher (policy, audit) and the pool like the TUI's `x`; output is printed as
//! lines arrive, prefixed with the host, and made inert when it goes to a terminal.

use super::{EXIT_DENIED, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::actions::{Action, Dispatcher, JobCtl, TargetOutcome};
use crate::model::text::inert;
use crate::ssh::exec::ExecOutcome;
use crate::ssh::{Host, Pool, SshSettings, prompt};
use std::io::{IsTerminal, Write};
use std::sync::Arc;

/// `qd exec`'s options, as clap parses them.
#[derive(Debug, clap::Args)]
pub struct ExecOpts {
    /// A host by name (repeat for several).
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
    /// Every host with this tag (repeat for several).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Every host of the fleet.
    #[arg(long)]
    pub all: bool,
    /// Hosts at once (default: [ssh] parallel, 32).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub parallel: Option<u32>,
    /// Give up on a host after DURATION (`30s`, `5m`); its channel is closed.
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,
    /// One JSON object: each host's exit status, output, duration.
    #[arg(long)]
    pub json: bool,
    #[arg(required = true, last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

/// The hosts the options name, in fleet order, or a usage error.
fn pick(fleet: &[Host], o: &ExecOpts) -> Result<Vec<Host>, String> {
    let mut sels: Vec<String> = o.hosts.clone();
    sels.extend(o.tags.iter().map(|t| format!("tag:{t}")));
    if o.all {
        sels.push("*".into());
    }
    if sels.is_empty() {
        return Err("name the hosts: --host NAME, --tag TAG or --all".into());
    }
    let names: Vec<&str> = fleet.iter().map(|h| h.name.as_str()).collect();
    crate::ssh::hosts::select(fleet, &sels)
        .map(|v| v.into_iter().cloned().collect())
        .map_err(|s| match s.strip_prefix("tag:") {
            Some(t) => format!("no host has the tag `{t}`"),
            None if fleet.is_empty() => format!(
                "no host `{s}`: the fleet is empty (add [[host]] entries, or Host entries to ~/.ssh/config)"
            ),
            None => format!("no host `{s}` (hosts: {})", names.join(", ")),
        })
}

pub fn exec(d: &Arc<Dispatcher>, settings: &SshSettings, fleet: &[Host], o: ExecOpts) -> i32 {
    let hosts = match pick(fleet, &o) {
        Ok(h) => h,
        Err(m) => {
            eprintln!("qd: {m}");
            return EXIT_USAGE;
        }
    };
    let timeout = match o.timeout.as_deref().map(crate::config::duration::parse) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(m)) => {
            eprintln!("qd: --timeout: {m}");
            return EXIT_USAGE;
        }
    };
    let command = o.command.join(" ");
    let parallel = o.parallel.map(|p| p as usize).unwrap_or(settings.parallel);
    let json = o.json;
    let (tty_out, tty_err) = (
        std::io::stdout().is_terminal(),
        std::io::stderr().is_terminal(),
    );
    let output = move |host: &str, line: &str, stderr: bool| {
        if json {
            return;
        }
        let text = if (stderr && tty_err) || (!stderr && tty_out) {
            inert(line, 8192)
        } else {
            line.into()
        };
        let _ = if stderr {
            writeln!(std::io::stderr().lock(), "{host}: {text}")
        } else {
            writeln!(std::io::stdout().lock(), "{host}: {text}")
        };
    };
    let progress = move |o: &TargetOutcome| {
        if !json && !o.ok() {
            eprintln!(
                "qd: {}: {} ({} ms)",
                o.label(),
                inert(&o.message, 600),
                o.duration_ms.unwrap_or(0)
            );
        }
    };
    let ctl = JobCtl {
        output: Arc::new(output),
        ..JobCtl::with_progress(Arc::new(progress))
    };
    let action = Action::Exec {
        hosts,
        command,
        parallel,
        timeout,
    };
    // The pool the dispatcher runs remote actions on (and learns host keys through).
    let settings = settings.clone();
    let pool = d.ssh_pool(|| Pool::new(settings, prompt::tty_prompter()));
    let report = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(async {
            let r = d.dispatch_job(&action, &ctl).await;
            pool.close_all().await;
            r
        }),
        Err(e) => {
            eprintln!("qd: cannot start the runtime: {e}");
            return EXIT_FAILED;
        }
    };
    match report {
        Ok(r) => {
            if json {
                // The shape scripts read since the first release: each host's exec.
                let outcomes: Vec<ExecOutcome> = r
                    .outcomes
                    .iter()
                    .map(|o| match &o.exec {
                        Some(e) => (**e).clone(),
                        None => ExecOutcome {
                            host: o.label(),
                            error: Some(o.message.clone()),
                            ..Default::default()
                        },
                    })
                    .collect();
                let v = serde_json::json!({
                    "action": r.action, "job": r.job, "outcomes": outcomes,
                });
                match serde_json::to_string_pretty(&v) {
                    Ok(s) => println!("{s}"),
                    Err(e) => eprintln!("qd: {e}"),
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

/// `qd hosts`: NAME, ADDRESS, USER, TAGS, SOURCE (and what is not supported).
pub fn hosts(fleet: &[Host], json: bool) -> i32 {
    if json {
        return match serde_json::to_string_pretty(fleet) {
            Ok(s) => {
                println!("{s}");
                EXIT_OK
            }
            Err(e) => {
                eprintln!("qd: {e}");
                EXIT_FAILED
            }
        };
    }
    let rows: Vec<Vec<String>> = fleet
        .iter()
        .map(|h| {
            vec![
                h.name.clone(),
                format!("{}:{}", h.address, h.port),
                h.user.clone(),
                h.tags.join(","),
                match h.source {
                    crate::ssh::HostSource::Config => "config".into(),
                    crate::ssh::HostSource::SshConfig => "ssh_config".into(),
                },
                h.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print!(
        "{}",
        super::table::render(
            &["NAME", "ADDRESS", "USER", "TAGS", "SOURCE", "NOTE"],
            &rows
        )
    );
    EXIT_OK
}
