//! Who is acting and what they may do.
//!
//! The operator is the Unix user running qd, or `SUDO_USER` when qd runs as root
//! through sudo. Roles (admin / developer / readonly) come from the system policy in a
//! later step; until a policy assigns one, the operator is `admin` and the kernel's own
//! permission checks are the limit. Readonly — from `--readonly`, or switched on at
//! runtime — refuses every action here, at dispatch, whatever key or command asked.

use super::Action;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Developer,
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
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operator {
    pub name: String,
    pub uid: u32,
    pub role: Role,
}

impl Operator {
    /// The operator running this process.
    pub fn current() -> Self {
        let uid = rustix::process::getuid().as_raw();
        let sudo_user = std::env::var("SUDO_USER").ok().filter(|s| !s.is_empty());
        let name = match sudo_user {
            Some(u) if uid == 0 => u,
            _ => crate::sources::users::UserDb::new().name(uid).to_string(),
        };
        Self {
            name,
            uid,
            role: Role::Admin,
        }
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
pub struct Policy {}

impl Policy {
    pub fn check(&self, op: &Operator, readonly: bool, action: &Action) -> Result<(), Denial> {
        if readonly {
            return Err(Denial {
                reason: format!("{} refused: qd is in readonly mode", action.verb()),
            });
        }
        if op.role == Role::Readonly {
            return Err(Denial {
                reason: format!(
                    "{} refused: operator {} has the readonly role",
                    action.verb(),
                    op.name
                ),
            });
        }
        Ok(())
    }
}
