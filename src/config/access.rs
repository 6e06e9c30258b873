//! The sections that carry authority: `[policy]` (who may do what) and `[audit]`
//! (where the record of it goes), and `[jobs]` (how bulk work is paced). Authority is
//! taken only from a trusted file (`trust::check`); a policy in any other file makes
//! every action fail closed instead of being dropped. The verdict comes from the
//! descriptor the text was read from (`trust::open`), never from a second look.

use super::{Config, duration};
use crate::model::policy::{PolicySpec, Role, Rule, SiteSet, Who};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

type Res<T> = Result<T, (std::ops::Range<usize>, String)>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    #[serde(default)]
    operator: Vec<Spanned<RawOperator>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOperator {
    user: Option<String>,
    group: Option<String>,
    role: Spanned<String>,
    #[serde(default)]
    sites: Option<Spanned<SitesValue>>,
    /// Host names or `tag:T` (or "*"): where this operator may open panes and exec.
    #[serde(default)]
    hosts: Option<Spanned<SitesValue>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum SitesValue {
    Star(String),
    List(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAudit {
    dir: Option<PathBuf>,
    retention: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJobs {
    concurrency: Option<Spanned<i64>>,
}

/// `[audit]`: where records go and how long they are kept.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditConfig {
    /// `None`: /var/lib/quarterdeck as root, else the XDG data dir.
    pub dir: Option<PathBuf>,
    pub retention: Duration,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            dir: None,
            retention: Duration::from_secs(90 * 86400),
        }
    }
}

/// Targets of one bulk command job run at most this many at once.
pub const DEFAULT_CONCURRENCY: usize = 8;

fn rule(r: Spanned<RawOperator>, origin: String) -> Res<Rule> {
    let span = r.span();
    let r = r.into_inner();
    let who = match (r.user, r.group) {
        (Some(u), None) => Who::User(u),
        (None, Some(g)) => Who::Group(g),
        _ => {
            return Err((
                span,
                "policy.operator: give exactly one of user = NAME or group = NAME".into(),
            ));
        }
    };
    let role = Role::parse(r.role.get_ref()).ok_or_else(|| {
        (
            r.role.span(),
            format!(
                "policy.operator.role = `{}`: use admin, developer or readonly",
                r.role.get_ref()
            ),
        )
    })?;
    let sites = match r.sites.map(|s| (s.span(), s.into_inner())) {
        None if role == Role::Admin => SiteSet::All,
        None => {
            return Err((
                span,
                format!(
                    "policy.operator: a {} needs sites = [\"NAME\", ...] or sites = \"*\"",
                    role.name()
                ),
            ));
        }
        Some((_, SitesValue::Star(s))) if s == "*" => SiteSet::All,
        Some((sp, SitesValue::Star(s))) => {
            return Err((
                sp,
                format!("policy.operator.sites = `{s}`: give a list of site names, or \"*\""),
            ));
        }
        Some((_, SitesValue::List(v))) => SiteSet::Only(v),
    };
    let hosts = match r.hosts.map(|s| (s.span(), s.into_inner())) {
        None if role == Role::Admin => SiteSet::All,
        None => SiteSet::none(),
        Some((_, SitesValue::Star(s))) if s == "*" => SiteSet::All,
        Some((sp, SitesValue::Star(s))) => {
            return Err((
                sp,
                format!(
                    "policy.operator.hosts = `{s}`: give a list of host names or \"tag:T\", or \"*\""
                ),
            ));
        }
        Some((_, SitesValue::List(v))) => SiteSet::Only(v),
    };
    Ok(Rule {
        who,
        role,
        sites,
        hosts,
        origin,
    })
}

/// Applies the authority sections of one file over `next`.
pub fn apply(
    next: &mut Config,
    path: &Path,
    text: &str,
    trusted: &Result<(), String>,
    policy: Option<RawPolicy>,
    audit: Option<RawAudit>,
    jobs: Option<RawJobs>,
) -> Res<()> {
    if let Some(p) = policy {
        let mut rules = Vec::new();
        let lines = super::error::LineIndex::new(text);
        for r in p.operator {
            let line = lines.line(r.span().start);
            rules.push(rule(r, format!("{}:{line}", path.display()))?);
        }
        next.policy = match trusted {
            Ok(()) => PolicySpec::Rules {
                rules,
                file: path.display().to_string(),
            },
            Err(why) => PolicySpec::Untrusted {
                reason: format!(
                    "the policy in {} is not trusted ({why}); every action is refused until it is fixed",
                    path.display()
                ),
            },
        };
    }
    if let Some(a) = audit {
        let retention = match a.retention {
            Some(r) => Some(
                duration::parse(r.get_ref())
                    .map_err(|m| (r.span(), format!("audit.retention: {m}")))?,
            ),
            None => None,
        };
        match trusted {
            Ok(()) => {
                if a.dir.is_some() {
                    next.audit.dir = a.dir;
                }
                if let Some(r) = retention {
                    next.audit.retention = r;
                }
            }
            Err(why) => next.warnings.push(format!(
                "[audit] in {} ignored: {why} (only a root-owned file may move the audit log)",
                path.display()
            )),
        }
    }
    if let Some(j) = jobs
        && let Some(c) = j.concurrency
    {
        let n = usize::try_from(*c.get_ref())
            .ok()
            .filter(|n| (1..=256).contains(n))
            .ok_or_else(|| {
                (
                    c.span(),
                    format!(
                        "jobs.concurrency = {} is out of range (1 to 256)",
                        c.get_ref()
                    ),
                )
            })?;
        next.jobs_concurrency = n;
    }
    Ok(())
}
