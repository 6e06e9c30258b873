//! What an action is: what it does and to what (processes by identity, units,
//! services, files, hosts), in words for dialogs, reports and audit records; the risk
//! it states for itself; and the site each target belongs to for the policy check.
//! Every mutation qd makes is one of these variants, dispatched by `Dispatcher`.

use super::commands::{self, CommandTarget};
use super::target::{Risk, Target, TargetKind};
use super::units::UnitTarget;
use crate::model::Process;
use crate::model::export::ExportFormat;
use crate::model::signal::Sig;
use crate::systemd::jobs::UnitOp;
use serde::Serialize;

/// A process as an action target: its identity (pid + starttime) as it was listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProcTarget {
    pub pid: i32,
    pub starttime: u64,
    pub name: String,
    pub user: String,
    pub unit: Option<String>,
}

impl From<&Process> for ProcTarget {
    fn from(p: &Process) -> Self {
        Self {
            pid: p.pid,
            starttime: p.starttime_ticks,
            name: p.display_name().to_string(),
            user: p.user.to_string(),
            unit: p.unit.as_ref().map(|u| u.to_string()),
        }
    }
}

impl ProcTarget {
    /// The process that has `pid` now: for the CLI, where the operator names a pid
    /// and means whatever runs under it at that moment.
    pub fn lookup(pid: i32) -> Result<Self, String> {
        let starttime = crate::sources::procstat::read_starttime(pid)
            .map_err(|e| crate::sys::procfile::describe_read_error(&e))?;
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm"))
            .map(|s| s.trim_end().to_string())
            .unwrap_or_default();
        Ok(Self {
            pid,
            starttime,
            name,
            // The owner places the process in its site for the policy check.
            user: std::fs::metadata(format!("/proc/{pid}"))
                .map(|m| {
                    use std::os::unix::fs::MetadataExt;
                    crate::sys::users::UserDb::new().name(m.uid()).to_string()
                })
                .unwrap_or_default(),
            unit: crate::sys::procfile::read_unit(pid).map(|u| u.to_string()),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum NiceChange {
    Set(i32),
    By(i32),
}

/// A host key to learn: the line to append to `file` (accept-new, or a typed `yes`).
#[derive(Debug, Clone, PartialEq)]
pub struct HostKey {
    pub host: crate::ssh::Host,
    pub file: std::path::PathBuf,
    /// The known_hosts line, `[addr]:port ssh-ed25519 AAAA...`.
    pub line: String,
    pub key_type: String,
    pub fingerprint: String,
    /// `accept-new` or `typed yes`.
    pub how: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Signal {
        targets: Vec<ProcTarget>,
        sig: Sig,
    },
    Renice {
        targets: Vec<ProcTarget>,
        change: NiceChange,
    },
    Restart {
        targets: Vec<ProcTarget>,
    },
    /// A systemd unit action on every target, as one bulk job.
    Unit {
        op: UnitOp,
        targets: Vec<UnitTarget>,
    },
    /// The manager re-reads every unit file.
    DaemonReload,
    /// A site's custom command on every target service.
    Command {
        command: String,
        targets: Vec<CommandTarget>,
    },
    /// Replace a service's env file (its path comes from the config, never the caller).
    WriteEnv {
        service: CommandTarget,
        content: String,
    },
    /// Show a service's env file with its values (a reveal of secrets, recorded).
    RevealEnv {
        service: CommandTarget,
    },
    /// Show a process's environment with its values (a reveal, recorded).
    RevealEnviron {
        target: ProcTarget,
    },
    /// Render and write the unit files of these services, daemon-reload, enable them.
    InstallUnits {
        services: Vec<CommandTarget>,
    },
    /// Stop and disable every unit of a site, delete its unit files, daemon-reload.
    RemoveSite {
        site: String,
    },
    /// A command on every host through the SSH pool.
    Exec {
        hosts: Vec<crate::ssh::Host>,
        command: String,
        parallel: usize,
        timeout: Option<std::time::Duration>,
    },
    /// A shell pane on a host: recorded when it opens and when it closes.
    Shell {
        host: crate::ssh::Host,
    },
    /// Append a host key to a known_hosts file.
    LearnHostKey(HostKey),
    /// Write what a table shows to a new file of the operator's (`content` is the
    /// serialized table, `rows` how many rows it holds; the audit log gets the
    /// table, the format, the rows and the path, never the content).
    Export {
        table: String,
        format: ExportFormat,
        path: std::path::PathBuf,
        content: Vec<u8>,
        rows: usize,
    },
}

impl Action {
    /// What the action does, in words, for dialogs and reports: `signal TERM`.
    pub fn verb(&self) -> String {
        match self {
            Action::Signal { sig, .. } => format!("signal {}", sig.name()),
            Action::Renice {
                change: NiceChange::Set(n),
                ..
            } => format!("renice to {n}"),
            Action::Renice {
                change: NiceChange::By(d),
                ..
            } => format!("renice by {d:+}"),
            Action::Restart { .. } => "restart".into(),
            Action::Unit { op, .. } => op.verb(),
            Action::DaemonReload => "daemon-reload".into(),
            Action::Command { command, .. } => format!("run {command}"),
            Action::WriteEnv { .. } => "write env file".into(),
            Action::RevealEnv { .. } => "reveal env file".into(),
            Action::RevealEnviron { .. } => "reveal environment".into(),
            Action::InstallUnits { .. } => "install unit files".into(),
            Action::RemoveSite { site } => format!("remove site {site}"),
            Action::Exec { command, .. } => {
                format!("exec {}", crate::model::text::inert(command, 200))
            }
            Action::Shell { .. } => "shell".into(),
            Action::LearnHostKey(k) => format!("learn host key ({})", k.how),
            Action::Export { format, .. } => format!("export {}", format.name()),
        }
    }

    /// What the operator is asked before it runs; dialogs follow this, never guess.
    pub fn risk(&self, sites: &crate::model::site::Sites) -> Risk {
        use crate::systemd::jobs::UnitOp as U;
        match self {
            Action::Signal { sig, .. } if *sig == Sig::Cont => Risk::Normal,
            Action::Signal { .. } | Action::Restart { .. } => Risk::Destructive,
            Action::Renice { .. }
            | Action::DaemonReload
            | Action::RevealEnv { .. }
            | Action::RevealEnviron { .. } => Risk::Normal,
            Action::Unit { op, .. } => match op {
                U::Start | U::Reload | U::Enable | U::ResetFailed => Risk::Normal,
                U::Stop | U::Restart | U::Disable | U::Kill(..) => Risk::Destructive,
            },
            Action::Command { .. } if self.is_dangerous_in(sites) => Risk::Typed,
            Action::Command { .. }
            | Action::WriteEnv { .. }
            | Action::InstallUnits { .. }
            | Action::Exec { .. } => Risk::Destructive,
            Action::RemoveSite { .. } => Risk::Typed,
            // A new file of the operator's own, never replacing one: nothing to confirm.
            Action::Shell { .. } | Action::LearnHostKey(_) | Action::Export { .. } => Risk::Normal,
        }
    }

    /// A command marked `dangerous` on any of its targets (admins only).
    pub fn is_dangerous_in(&self, sites: &crate::model::site::Sites) -> bool {
        let Action::Command { command, targets } = self else {
            return false;
        };
        targets.iter().any(|t| {
            sites
                .resolve(&t.id())
                .ok()
                .and_then(|v| v.into_iter().next())
                .and_then(|r| commands::find(&r, command))
                .is_some_and(|c| c.dangerous)
        })
    }

    /// The site services the action names (commands, env files, unit files).
    pub fn services(&self) -> Vec<&CommandTarget> {
        match self {
            Action::Command { targets, .. } => targets.iter().collect(),
            Action::WriteEnv { service, .. } | Action::RevealEnv { service } => vec![service],
            Action::InstallUnits { services } => services.iter().collect(),
            _ => Vec::new(),
        }
    }

    /// The hosts of an ssh action (exec, shell, learning a key).
    pub fn hosts(&self) -> Vec<&crate::ssh::Host> {
        match self {
            Action::Exec { hosts, .. } => hosts.iter().collect(),
            Action::Shell { host } => vec![host],
            Action::LearnHostKey(k) => vec![&k.host],
            _ => Vec::new(),
        }
    }

    /// Each target in words with the site it belongs to (by unit, else by user).
    pub fn target_sites(&self, sites: &crate::model::site::Sites) -> Vec<(String, Option<String>)> {
        match self {
            Action::Signal { .. }
            | Action::Renice { .. }
            | Action::Restart { .. }
            | Action::RevealEnviron { .. } => self
                .proc_targets()
                .iter()
                .map(|t| {
                    (
                        format!("pid {} ({})", t.pid, t.name),
                        sites
                            .site_of(t.unit.as_deref(), &t.user)
                            .map(|s| s.to_string()),
                    )
                })
                .collect(),
            Action::Unit { targets, .. } => targets
                .iter()
                .map(|t| {
                    (
                        t.unit.clone(),
                        sites.by_unit(&t.unit).map(|r| r.site.name.to_string()),
                    )
                })
                .collect(),
            Action::DaemonReload => vec![("the service manager".into(), None)],
            Action::RemoveSite { site } => vec![(format!("site {site}"), Some(site.clone()))],
            Action::Export { path, .. } => vec![(format!("file {}", path.display()), None)],
            Action::Exec { .. } | Action::Shell { .. } | Action::LearnHostKey(_) => self
                .hosts()
                .iter()
                .map(|h| (format!("host {}", h.name), None))
                .collect(),
            _ => self
                .services()
                .iter()
                .map(|t| (t.id(), Some(t.site.clone())))
                .collect(),
        }
    }

    /// The process targets (empty for other actions).
    pub fn proc_targets(&self) -> &[ProcTarget] {
        match self {
            Action::Signal { targets, .. }
            | Action::Renice { targets, .. }
            | Action::Restart { targets } => targets,
            Action::RevealEnviron { target } => std::slice::from_ref(target),
            _ => &[],
        }
    }

    /// The unit targets (empty for other actions).
    pub fn units(&self) -> &[UnitTarget] {
        match self {
            Action::Unit { targets, .. } => targets,
            _ => &[],
        }
    }

    /// Every target as the one target type, in order (what jobs list before any
    /// outcome arrives; unit installs add their files as they are written).
    pub fn targets(&self, sites: &crate::model::site::Sites) -> Vec<Target> {
        let service = |t: &CommandTarget| {
            Target::local(TargetKind::Service {
                site: t.site.clone(),
                service: t.service.clone(),
                unit: sites
                    .resolve(&t.id())
                    .ok()
                    .and_then(|v| v.first().map(|r| r.service.unit.clone())),
            })
        };
        let host = |h: &crate::ssh::Host| Target {
            host: h.name.clone(),
            kind: TargetKind::Host {
                name: h.name.clone(),
                remote: h.conn_key(),
            },
        };
        match self {
            Action::Signal { .. }
            | Action::Renice { .. }
            | Action::Restart { .. }
            | Action::RevealEnviron { .. } => {
                self.proc_targets().iter().map(ProcTarget::target).collect()
            }
            Action::Unit { targets, .. } => targets.iter().map(UnitTarget::target).collect(),
            Action::DaemonReload => vec![Target::local(TargetKind::Manager)],
            Action::Command { targets, .. } => targets.iter().map(service).collect(),
            Action::WriteEnv { service: t, .. } | Action::RevealEnv { service: t } => {
                vec![service(t)]
            }
            Action::InstallUnits { services } => services.iter().map(service).collect(),
            Action::RemoveSite { site } => sites
                .site(site)
                .map(|s| {
                    s.services
                        .iter()
                        .map(|v| {
                            UnitTarget::new(v.unit.clone(), Some(format!("{}/{}", s.name, v.name)))
                                .target()
                        })
                        .collect()
                })
                .unwrap_or_default(),
            Action::Exec { hosts, .. } => hosts.iter().map(host).collect(),
            Action::Shell { host: h } => vec![host(h)],
            Action::LearnHostKey(k) => vec![Target {
                host: k.host.name.clone(),
                kind: TargetKind::File {
                    path: k.file.clone(),
                },
            }],
            Action::Export { path, .. } => vec![super::export::target(path)],
        }
    }

    /// How many things it acts on, and what they are: `3 processes`, `2 units`.
    pub fn target_count(&self) -> String {
        let (n, one, many) = match self {
            Action::Unit { targets, .. } => (targets.len(), "unit", "units"),
            Action::DaemonReload => return "the service manager".into(),
            Action::RemoveSite { site } => return format!("site {site}"),
            Action::LearnHostKey(k) => return format!("host {}", k.host.name),
            Action::Export { .. } => return "1 file".into(),
            Action::Command { .. }
            | Action::WriteEnv { .. }
            | Action::RevealEnv { .. }
            | Action::InstallUnits { .. } => (self.services().len(), "service", "services"),
            Action::Exec { .. } | Action::Shell { .. } => (self.hosts().len(), "host", "hosts"),
            _ => (self.proc_targets().len(), "process", "processes"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }
}

impl ProcTarget {
    pub fn target(&self) -> Target {
        Target::local(TargetKind::Process {
            pid: self.pid,
            starttime: self.starttime,
            name: self.name.clone(),
        })
    }
}

impl UnitTarget {
    pub fn target(&self) -> Target {
        Target::local(TargetKind::Unit {
            unit: self.unit.clone(),
            service: self.service.clone(),
        })
    }
}
