//! Who is acting and what they may do: the operator resolved against the policy, and
//! the one check every action passes at dispatch, whatever key or command asked.
//!
//! The operator is the Unix user running qd, or the invoking user (`SUDO_USER`,
//! `DOAS_USER`, `PKEXEC_UID`) when qd runs as root
//! through sudo. Without a policy the operator is `admin` and the kernel's permission
//! checks are the limit. With one, the first `user =` rule naming them decides, else
//! the first `group =` rule of a group they are in; anyone else is readonly on nothing.
//! A policy from an untrusted file refuses everything (`PolicySpec::Untrusted`).

use super::Action;
use crate::model::policy::{PolicySpec, Role, SiteSet, Who};
use crate::model::site::Sites;
use crate::sys::account::{Account, group_gid};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operator {
    pub name: String,
    /// The real uid qd runs with (0 under sudo).
    pub uid: u32,
    pub role: Role,
    /// The sites the operator may see (and, unless readonly, act on).
    pub sites: SiteSet,
    /// The hosts the operator may ssh to (names or `tag:T`).
    pub hosts: SiteSet,
    /// The rule that decided, in words; `None` when no policy is in force.
    pub rule: Option<String>,
}

impl Operator {
    /// The operator running this process, before any policy: admin of everything.
    pub fn current() -> Self {
        let uid = rustix::process::getuid().as_raw();
        let name = match crate::sys::invoking_user() {
            Some(u) if uid == 0 => u,
            _ => crate::sys::users::UserDb::new().name(uid).to_string(),
        };
        Self {
            name,
            uid,
            role: Role::Admin,
            sites: SiteSet::All,
            hosts: SiteSet::All,
            rule: None,
        }
    }

    /// The operator's role and sites under `spec`.
    pub fn under(mut self, spec: &PolicySpec) -> Self {
        let PolicySpec::Rules { rules, file } = spec else {
            return self;
        };
        let groups = Account::by_name(&self.name)
            .map(|a| a.groups)
            .unwrap_or_default();
        let by_user = rules
            .iter()
            .find(|r| matches!(&r.who, Who::User(u) if *u == self.name));
        let by_group = || {
            rules.iter().find(|r| match &r.who {
                Who::Group(g) => group_gid(g).is_some_and(|gid| groups.contains(&gid)),
                Who::User(_) => false,
            })
        };
        match by_user.or_else(by_group) {
            Some(r) => {
                self.role = r.role;
                self.sites = r.sites.clone();
                self.hosts = r.hosts.clone();
                self.rule = Some(r.describe());
            }
            None => {
                self.role = Role::Readonly;
                self.sites = SiteSet::none();
                self.hosts = SiteSet::none();
                self.rule = Some(format!(
                    "{} is not listed in the policy of {file}",
                    self.name
                ));
            }
        }
        self
    }

    /// Whether the policy lets this operator reach `host` over ssh.
    pub fn may_reach(&self, host: &crate::ssh::Host) -> bool {
        match &self.hosts {
            SiteSet::All => true,
            SiteSet::Only(v) => v.iter().any(|s| s != "*" && host.selected_by(s)),
        }
    }

    /// Whether `qd audit` and the audit view show this record: admins see every
    /// record; others their own and those of their sites.
    pub fn may_see_record(&self, r: &crate::audit::Record) -> bool {
        self.role == Role::Admin
            || r.operator == self.name
            || r.site.as_deref().is_some_and(|s| self.sites.contains(s))
    }

    /// Whether views show `site` to this operator.
    pub fn may_see(&self, site: &str) -> bool {
        self.sites.contains(site)
    }

    /// What a role sees follows what it may do: admins see every process; developers
    /// and readonly operators the processes of their sites and their own (by user).
    pub fn may_see_process(&self, p: &crate::model::Process, sites: &Sites) -> bool {
        self.may_see_owned(&p.user, p.site.as_deref(), p.unit.as_deref(), sites)
    }

    /// The same rule for a socket (its owning process's site and user) and a unit.
    pub fn may_see_owned(
        &self,
        user: &str,
        site: Option<&str>,
        unit: Option<&str>,
        sites: &Sites,
    ) -> bool {
        if self.role == Role::Admin || (!user.is_empty() && user == self.name) {
            return true;
        }
        let placed = site.or_else(|| sites.site_of(unit, user).map(|s| &**s));
        placed.is_some_and(|s| self.may_see(s))
    }

    /// `snap` with only what this operator may see (processes, sockets, services).
    pub fn visible(&self, snap: &crate::model::Snapshot, sites: &Sites) -> crate::model::Snapshot {
        let mut out = snap.clone();
        if self.role == Role::Admin {
            return out;
        }
        out.processes.retain(|p| self.may_see_process(p, sites));
        if let Some(t) = &mut out.ports {
            t.rows.retain(|r| {
                self.may_see_owned(&r.user, r.site.as_deref(), r.unit.as_deref(), sites)
            });
        }
        if let Some(t) = &out.services {
            let mut t = (**t).clone();
            t.rows
                .retain(|r| r.unit.site.as_deref().is_some_and(|s| self.may_see(s)));
            t.sites.retain(|s| self.may_see(&s.name));
            out.services = Some(std::sync::Arc::new(t));
        }
        out
    }
}

/// Why an action was refused; exit code 3 in the CLI.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Denial {
    pub reason: String,
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "denied: {}", self.reason)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Policy {
    spec: PolicySpec,
}

impl Policy {
    pub fn new(spec: PolicySpec) -> Self {
        Self { spec }
    }

    pub fn spec(&self) -> &PolicySpec {
        &self.spec
    }

    /// The decision for `action` by `op`; `sites` places each target in its site.
    /// An export is always allowed (see below); then readonly, a policy that failed closed, root acting on what an untrusted file
    /// defined, then the role: admins may do anything, readonly nothing, developers
    /// what touches only their sites (or their hosts) and is neither global, nor
    /// dangerous, nor a reveal or write of secrets and unit files.
    pub fn check(
        &self,
        op: &Operator,
        readonly: bool,
        action: &Action,
        sites: &Sites,
    ) -> Result<(), Denial> {
        let verb = action.verb();
        let deny = |why: String| Err(Denial { reason: why });
        // An export changes nothing on the host: it writes what the operator is
        // already shown (the table, filtered by what they may see) to a new file of
        // their own, with their own rights (in privileged mode the operator's fs ids,
        // never root's). They could write that file themselves, so every role may,
        // under --readonly and under a policy that failed closed too (viewing works
        // there). It is still dispatched, so it is recorded.
        if matches!(action, Action::Export { .. }) {
            return Ok(());
        }
        if readonly {
            return deny(format!("{verb} refused: qd is in readonly mode"));
        }
        if let PolicySpec::Untrusted { reason } = &self.spec {
            return deny(format!("{verb} refused: {reason}"));
        }
        // As root, act only on what a root-owned file defined: anyone who can write
        // the file that defines a command, an env file path or a unit would otherwise
        // make root run code or write files for them.
        if rustix::process::geteuid().is_root() {
            let untrusted = |name: &str| !sites.site(name).is_some_and(|s| s.trusted);
            let named: Vec<&str> = match action {
                Action::RemoveSite { site } => vec![site.as_str()],
                _ => action.services().iter().map(|t| t.site.as_str()).collect(),
            };
            if let Some(s) = named.into_iter().find(|s| untrusted(s)) {
                return deny(format!(
                    "{verb} refused: site {s} comes from a config file that is not root-owned, and qd runs as root"
                ));
            }
        }
        let rule = op
            .rule
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        if op.role == Role::Readonly {
            return deny(format!(
                "{verb} refused: operator {} has the readonly role{rule}",
                op.name
            ));
        }
        let hosts = action.hosts();
        if !hosts.is_empty() {
            return match hosts.iter().find(|h| !op.may_reach(h)) {
                Some(h) => deny(format!(
                    "{verb} refused on {}: it is not one of {}'s hosts{rule}",
                    h.name, op.name
                )),
                None => Ok(()),
            };
        }
        if op.role == Role::Admin {
            return Ok(());
        }
        // A developer from here on.
        let admin_only = match action {
            Action::DaemonReload => Some("it affects every unit"),
            Action::InstallUnits { .. } | Action::RemoveSite { .. } => {
                Some("unit files run as any user and reload every unit")
            }
            Action::WriteEnv { .. } | Action::RevealEnv { .. } => {
                Some("env files hold the site's secrets")
            }
            // Their own processes' environments are theirs to read.
            Action::RevealEnviron { target } if target.user == op.name => return Ok(()),
            Action::RevealEnviron { .. } => Some("another user's environment holds their secrets"),
            _ if action.is_dangerous_in(sites) => Some("the command is marked dangerous"),
            _ => None,
        };
        if let Some(why) = admin_only {
            return deny(format!("{verb} refused: {why}, so only admins may{rule}"));
        }
        for (label, site) in action.target_sites(sites) {
            match site {
                Some(s) if op.sites.contains(&s) => {}
                Some(s) => {
                    return deny(format!(
                        "{verb} refused on {label}: site {s} is not one of {}'s sites{rule}",
                        op.name
                    ));
                }
                None => {
                    return deny(format!(
                        "{verb} refused on {label}: it belongs to no site, and developer {} may act only on their sites{rule}",
                        op.name
                    ));
                }
            }
        }
        Ok(())
    }
}
