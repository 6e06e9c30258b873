//! `qd exec` and `qd hosts`: the fleet from the shell. Exec goes through the
//! dispatcher (policy, audit) and the pool like the TUI's `x`; output is printed as
//! lines arrive, prefixed with the host, and made inert when it goes to a terminal.

use super::{EXIT_DENIED, EXIT_FAILED, EXIT_OK, EXIT_USAGE};
use crate::actions::Dispatcher;
use crate::model::text::inert;
use crate::ssh::exec::{ExecOutcome, FanOut, OnLine, Stream};
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

pub fn exec(d: &Dispatcher, settings: &SshSettings, fleet: &[Host], o: ExecOpts) -> i32 {
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
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("qd: cannot start the runtime: {e}");
            return EXIT_FAILED;
        }
    };
    let json = o.json;
    let (tty_out, tty_err) = (
        std::io::stdout().is_terminal(),
        std::io::stderr().is_terminal(),
    );
    let on_line: OnLine = Arc::new(move |host: &str, s: Stream, line: &str| {
        if json {
            return;
        }
        let text = match s {
            Stream::Stdout if tty_out => inert(line, 8192),
            Stream::Stderr if tty_err => inert(line, 8192),
            _ => line.into(),
        };
        let _ = match s {
            Stream::Stdout => writeln!(std::io::stdout().lock(), "{host}: {text}"),
            Stream::Stderr => writeln!(std::io::stderr().lock(), "{host}: {text}"),
        };
    });
    let done = Arc::new(move |o: &ExecOutcome| {
        if !json && !o.ok() {
            eprintln!(
                "qd: {}: {} ({} ms)",
                o.host,
                inert(&o.summary(), 600),
                o.duration_ms
            );
        }
    });
    let report = rt.block_on(async {
        let pool = Pool::new(settings.clone(), prompt::tty_prompter());
        // lead: route through Dispatcher (Action::LearnHostKey)
        pool.set_key_recorder(Arc::new(|r: &crate::ssh::LearnRequest| {
            crate::ssh::known_hosts::append(&r.file, &r.line)
        }));
        let r = d
            .exec_remote(
                &pool,
                &hosts,
                &command,
                &FanOut {
                    parallel,
                    timeout,
                    on_line,
                    done,
                },
            )
            .await;
        pool.close_all().await;
        r
    });
    match report {
        Ok(r) => {
            if json {
                match serde_json::to_string_pretty(&r) {
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
