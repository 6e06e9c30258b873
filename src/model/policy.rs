//! The access policy as the config states it: which operators (by user or group) have
//! which role on which sites. Plain data: `config` builds it from a trusted file,
//! `actions::policy` resolves the operator against it and checks every action.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, on every site.
    Admin,
    /// Actions on the sites listed for them; no dangerous commands, nothing global.
    Developer,
    /// Sees the sites listed for them; no action at all.
    Readonly,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Developer => "developer",
            Role::Readonly => "readonly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Role::Admin),
            "developer" => Some(Role::Developer),
            "readonly" => Some(Role::Readonly),
            _ => None,
        }
    }
}

/// The sites a rule covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SiteSet {
    All,
    Only(Vec<String>),
}

impl SiteSet {
    pub fn contains(&self, site: &str) -> bool {
        match self {
            SiteSet::All => true,
            SiteSet::Only(v) => v.iter().any(|s| s == site),
        }
    }

    pub fn none() -> Self {
        SiteSet::Only(Vec::new())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Who {
    User(String),
    Group(String),
}

/// One `[[policy.operator]]` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    pub who: Who,
    pub role: Role,
    pub sites: SiteSet,
    /// The hosts they may ssh to and exec on: names or `tag:T` (admins: all).
    pub hosts: SiteSet,
    /// `FILE:LINE`, for denials that say which rule decided.
    pub origin: String,
}

impl Rule {
    /// `policy.operator user = "alice" (/etc/quarterdeck/config.toml:14)`
    pub fn describe(&self) -> String {
        let who = match &self.who {
            Who::User(u) => format!("user = \"{u}\""),
            Who::Group(g) => format!("group = \"{g}\""),
        };
        format!("policy.operator {who} ({})", self.origin)
    }
}

/// What the config says about access.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum PolicySpec {
    /// No policy anywhere: qd acts with whatever the OS allows the user.
    #[default]
    Open,
    /// A policy from a trusted file.
    Rules { rules: Vec<Rule>, file: String },
    /// A policy in a file that fails the ownership check: every action is refused
    /// with this reason until the file is fixed (fail closed, never dropped).
    Untrusted { reason: String },
}
