//! Feeds the log popup: finds where each unit logs (journald or its append: files),
//! sends the last lines, then new ones as they come, tagged with the service name
//! when several units are merged. Runs as a task the event loop aborts when the
//! popup closes (a journalctl child is killed with it).

use super::msg::Msg;
use crate::actions::Operator;
use crate::model::policy::Role;
use crate::model::site::Sites;
use crate::sources::unitlogs::{self, LogSource, Tail};
use crate::systemd::{Bus, Systemd};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncBufReadExt;
use tokio::sync::mpsc::UnboundedSender;

/// Lines of the end shown first.
const BACKLOG: usize = 200;

/// `sites` are the sites `operator` may see: a unit's log files are read as its
/// site's user, a unit of no site only by an admin (see [`unitlogs::log_reader`]).
pub async fn follow(
    bus: Bus,
    units: Vec<(String, String)>,
    sites: Arc<Sites>,
    operator: Operator,
    tx: UnboundedSender<Msg>,
) {
    let sd = match Systemd::connect(bus).await {
        Ok(s) => s,
        Err(e) => {
            let _ = tx.send(Msg::LogError(e));
            return;
        }
    };
    let tag = |t: &str| {
        if t.is_empty() {
            String::new()
        } else {
            format!("{t} | ")
        }
    };
    let mut tails: Vec<(String, Tail)> = Vec::new();
    let mut journal: Vec<(String, String, bool)> = Vec::new();
    let mut errors = Vec::new();
    let admin = operator.role == Role::Admin;
    for (t, unit) in &units {
        let owner = match unitlogs::log_reader(unit, &sites, |s| operator.may_see(s), admin) {
            Ok(o) => o,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match sd.log_source(unit).await {
            LogSource::Files(paths) => {
                for p in paths {
                    match Tail::open(&p, BACKLOG, &owner) {
                        Ok((tail, last)) => {
                            let _ = tx.send(Msg::LogLines(
                                last.into_iter().map(|l| format!("{}{l}", tag(t))).collect(),
                            ));
                            tails.push((tag(t), tail));
                        }
                        Err(e) => errors.push(format!("{unit}: cannot read its log: {e}")),
                    }
                }
            }
            LogSource::Journal { unit, user } => journal.push((tag(t), unit, user)),
            LogSource::None(why) => errors.push(why),
        }
    }
    if !errors.is_empty() && tails.is_empty() && journal.is_empty() {
        let _ = tx.send(Msg::LogError(errors.join("; ")));
        return;
    }
    for e in errors {
        let _ = tx.send(Msg::LogLines(vec![format!("(qd: {e})")]));
    }
    for (tag, unit, user) in journal {
        let tx = tx.clone();
        let mut cmd = tokio::process::Command::from(unitlogs::journal_command(
            &unit, user, BACKLOG, true, None,
        ));
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true);
        tokio::spawn(async move {
            let Ok(mut child) = cmd.spawn() else {
                let _ = tx.send(Msg::LogError("cannot run journalctl".into()));
                return;
            };
            let Some(out) = child.stdout.take() else {
                return;
            };
            let mut lines = tokio::io::BufReader::new(out).lines();
            while let Ok(Some(l)) = lines.next_line().await {
                if tx.send(Msg::LogLines(vec![format!("{tag}{l}")])).is_err() {
                    break;
                }
            }
            let _ = child.kill().await;
        });
    }
    if tails.is_empty() {
        return;
    }
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tick.tick().await;
        let mut new = Vec::new();
        for (tag, tail) in &mut tails {
            if let Ok(lines) = tail.poll() {
                new.extend(lines.into_iter().map(|l| format!("{tag}{l}")));
            }
        }
        if !new.is_empty() && tx.send(Msg::LogLines(new)).is_err() {
            return;
        }
    }
}
