//! What an action acts on and what came of it, as one type for every kind of action:
//! a `Target` (process, unit, service, host, file, the service manager) on a host,
//! an `Outcome` (ok, failed, timeout, canceled, denied) and the `Risk` an action
//! states for itself, so dialogs, reports, jobs and audit records never guess from
//! message text.

use serde::{Serialize, Serializer};
use std::path::PathBuf;

/// The host of every local target. Remote targets carry the fleet's host name.
pub const LOCAL: &str = "local";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    /// A process by identity: pid and start time as it was listed.
    Process {
        pid: i32,
        starttime: u64,
        name: String,
    },
    /// A systemd unit, with the site service it runs when it has one (`shop/api`).
    Unit {
        unit: String,
        service: Option<String>,
    },
    /// A site's service as a custom command's or an env file's target.
    Service {
        site: String,
        service: String,
        unit: Option<String>,
    },
    /// A server of the fleet; `remote` is `user@address:port`.
    Host { name: String, remote: String },
    /// A file qd writes or removes (env file, unit file, known_hosts).
    File { path: PathBuf },
    /// The service manager as a whole (daemon-reload).
    Manager,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: String,
    pub kind: TargetKind,
}

impl Target {
    pub fn local(kind: TargetKind) -> Self {
        Self {
            host: LOCAL.into(),
            kind,
        }
    }

    /// How jobs and reports name it: `1234 nginx`, `shop/api`, `nginx.service`,
    /// `web1`, `/etc/systemd/system/x.service`, `systemd`.
    pub fn label(&self) -> String {
        match &self.kind {
            TargetKind::Process { pid, name, .. } => format!("{pid} {name}"),
            TargetKind::Unit { unit, service } => service.clone().unwrap_or_else(|| unit.clone()),
            TargetKind::Service { site, service, .. } => format!("{site}/{service}"),
            TargetKind::Host { name, .. } => name.clone(),
            TargetKind::File { path } => path.display().to_string(),
            TargetKind::Manager => "systemd".into(),
        }
    }

    /// How audit records name it: `pid 1234 nginx`, `unit x.service`, `shop/api (x)`.
    pub fn audit_label(&self) -> String {
        match &self.kind {
            TargetKind::Process { pid, name, .. } => format!("pid {pid} {name}"),
            TargetKind::Unit { unit, .. } => format!("unit {unit}"),
            TargetKind::Service {
                unit: Some(u),
                site,
                service,
            } => format!("{site}/{service} ({u})"),
            TargetKind::Host { name, .. } => format!("ssh {name}"),
            TargetKind::File { path } => format!("file {}", path.display()),
            _ => self.label(),
        }
    }

    pub fn pid(&self) -> Option<i32> {
        match &self.kind {
            TargetKind::Process { pid, .. } => Some(*pid),
            _ => None,
        }
    }

    pub fn unit(&self) -> Option<&str> {
        match &self.kind {
            TargetKind::Unit { unit, .. } => Some(unit),
            TargetKind::Service { unit, .. } => unit.as_deref(),
            _ => None,
        }
    }
}

/// How one target's part of an action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    #[default]
    Ok,
    Failed,
    Timeout,
    Canceled,
    Denied,
}

impl Outcome {
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
            Outcome::Timeout => "timeout",
            Outcome::Canceled => "canceled",
            Outcome::Denied => "denied",
        }
    }
}

/// What an action asks of the operator before it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    /// Runs at once (renice, start, a reveal).
    Normal,
    /// A dialog whose default is Cancel (kill, stop, restart, writes).
    Destructive,
    /// The operator types the target's name (a command marked dangerous).
    Typed,
}

/// The result for one target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetOutcome {
    pub target: Target,
    pub outcome: Outcome,
    pub message: String,
    /// A command's exit status (128 + signal when killed).
    pub exit_status: Option<i32>,
    pub duration_ms: Option<u64>,
    /// A remote exec's whole result (output kept, signal, error) for `qd exec --json`
    /// and the job pane; never written to the audit log.
    pub exec: Option<Box<crate::ssh::exec::ExecOutcome>>,
}

impl TargetOutcome {
    pub fn new(target: Target, r: Result<String, String>) -> Self {
        let (outcome, message) = match r {
            Ok(m) => (Outcome::Ok, m),
            Err(m) => (Outcome::Failed, m),
        };
        Self {
            target,
            outcome,
            message,
            exit_status: None,
            duration_ms: None,
            exec: None,
        }
    }

    pub fn failed(target: Target, message: impl Into<String>) -> Self {
        Self::new(target, Err(message.into()))
    }

    pub fn ok(&self) -> bool {
        self.outcome == Outcome::Ok
    }

    pub fn label(&self) -> String {
        self.target.label()
    }
}

/// The JSON of an outcome: the fields scripts already read (`pid`, `unit`, `name`,
/// `ok`, `message`, `exit_status`) plus `host`, `target` and `outcome`.
impl Serialize for TargetOutcome {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a> {
            host: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            pid: Option<i32>,
            #[serde(skip_serializing_if = "Option::is_none")]
            unit: Option<&'a str>,
            name: String,
            target: String,
            ok: bool,
            outcome: Outcome,
            message: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            exit_status: Option<i32>,
            #[serde(skip_serializing_if = "Option::is_none")]
            duration_ms: Option<u64>,
        }
        let name = match &self.target.kind {
            TargetKind::Process { name, .. } => name.clone(),
            _ => self.target.label(),
        };
        Wire {
            host: &self.target.host,
            pid: self.target.pid(),
            unit: self.target.unit(),
            name,
            target: self.target.audit_label(),
            ok: self.ok(),
            outcome: self.outcome,
            message: &self.message,
            exit_status: self.exit_status,
            duration_ms: self.duration_ms,
        }
        .serialize(s)
    }
}
