//! Transient service units: one command run as `StartTransientUnit` would run it, so
//! its cgroup holds every process it starts (setsid ones included), systemd bounds
//! its run time even when qd is killed, and a stop kills the whole cgroup.
//!
//! The unit is `Type=exec` (the start job fails when the program cannot be executed),
//! `AddRef=yes` (systemd keeps it, and its exit status, until qd lets go or
//! disconnects) and `CollectMode=inactive-or-failed` (nothing lingers afterwards).
//! Output goes to descriptors qd passes over D-Bus.

use super::Systemd;
use futures_util::StreamExt;
use rustix::fd::OwnedFd;
use std::path::Path;
use std::time::Duration;
use zbus::names::InterfaceName;
use zbus::{OwnedObjectPath, OwnedVariant, Variant};

/// What the unit runs and as whom.
pub struct TransientSpec<'a> {
    /// `qd-run-....service`
    pub name: &'a str,
    pub description: String,
    /// argv; argv[0] is an absolute path.
    pub argv: &'a [String],
    /// User name, primary gid and supplementary gids; `None`: the manager's own user.
    pub user: Option<(&'a str, u32, &'a [u32])>,
    pub dir: &'a Path,
    /// The whole environment (the manager's own variables are unset).
    pub env: &'a [(String, String)],
    pub runtime_max: Duration,
    /// TERM, then KILL of the cgroup after this.
    pub stop_timeout: Duration,
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
}

/// Why a transient unit is not running.
#[derive(Debug)]
pub enum StartError {
    /// The manager refused the unit (rights, an old systemd): run it another way.
    Refused(String),
    /// The unit was made but its program never ran (exec, chdir, user failed).
    Failed(String),
}

/// How the unit's main process ended, as systemd recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct MainExit {
    /// CLD_EXITED (1), CLD_KILLED (2), CLD_DUMPED (3); 0 when it never ran.
    pub code: i32,
    pub status: i32,
    /// The service's `Result`: `success`, `exit-code`, `signal`, `timeout`...
    pub result: String,
}

fn v<'a>(x: impl Into<Variant<'a>>) -> zbus::Result<OwnedVariant> {
    OwnedVariant::try_from(x.into())
}

fn props(s: TransientSpec<'_>) -> zbus::Result<Vec<(String, OwnedVariant)>> {
    let us = |d: Duration| d.as_micros().min(u64::MAX as u128) as u64;
    // ExecStartEx with `no-env-expand`: systemd would otherwise replace `$VAR` and
    // `$$` in the arguments, which the program (a shell line) must see as written.
    let exec: Vec<(String, Vec<String>, Vec<String>)> = vec![(
        s.argv[0].clone(),
        s.argv.to_vec(),
        vec!["no-env-expand".to_string()],
    )];
    let env: Vec<String> = s.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut p = vec![
        ("Description".to_string(), v(s.description)?),
        ("Type".into(), v("exec")?),
        ("ExecStartEx".into(), v(exec)?),
        (
            "WorkingDirectory".into(),
            v(s.dir.to_string_lossy().into_owned())?,
        ),
        ("Environment".into(), v(env)?),
        ("RuntimeMaxUSec".into(), v(us(s.runtime_max).max(1))?),
        ("TimeoutStopUSec".into(), v(us(s.stop_timeout).max(1))?),
        ("KillMode".into(), v("control-group")?),
        ("SendSIGKILL".into(), v(true)?),
        ("NoNewPrivileges".into(), v(true)?),
        ("StandardInput".into(), v("null")?),
        (
            "StandardOutputFileDescriptor".into(),
            v(zbus::Fd::from(s.stdout))?,
        ),
        (
            "StandardErrorFileDescriptor".into(),
            v(zbus::Fd::from(s.stderr))?,
        ),
        ("CollectMode".into(), v("inactive-or-failed")?),
        ("AddRef".into(), v(true)?),
    ];
    if let Some((user, gid, groups)) = s.user {
        p.push(("User".into(), v(user.to_string())?));
        p.push(("Group".into(), v(gid.to_string())?));
        let groups: Vec<String> = groups.iter().map(u32::to_string).collect();
        p.push(("SupplementaryGroups".into(), v(groups)?));
    }
    Ok(p)
}

/// systemd's exit statuses for a program that never ran (systemd.exec(5)).
fn setup_failure(status: i32) -> Option<&'static str> {
    Some(match status {
        200 => "cannot enter the working directory",
        203 => "cannot execute the program",
        216 => "cannot switch to the group",
        217 => "cannot switch to the user",
        218 => "cannot drop capabilities",
        214 => "cannot set up the environment",
        _ => return None,
    })
}

impl Systemd {
    /// Starts `spec` and waits until its program runs; the unit's object path.
    pub async fn start_transient(
        &self,
        spec: TransientSpec<'_>,
    ) -> Result<OwnedObjectPath, StartError> {
        let refused = |e: zbus::Error| StartError::Refused(super::explain(&e, self.bus));
        let manager = self.manager().await.map_err(refused)?;
        let name = spec.name.to_string();
        let mut p = props(spec).map_err(refused)?;
        // The manager's own environment (a user manager passes its whole one on):
        // unset whatever of it the command was not given.
        if let Ok(theirs) = manager.environment().await {
            let ours: std::collections::HashSet<String> = p
                .iter()
                .find(|(k, _)| k == "Environment")
                .and_then(|(_, v)| Vec::<String>::try_from(v.try_clone().ok()?).ok())
                .unwrap_or_default()
                .iter()
                .filter_map(|kv| kv.split_once('=').map(|(k, _)| k.to_string()))
                .collect();
            let unset: Vec<String> = theirs
                .iter()
                .filter_map(|kv| kv.split_once('=').map(|(k, _)| k.to_string()))
                .filter(|k| !ours.contains(k))
                .collect();
            if !unset.is_empty() {
                p.push(("UnsetEnvironment".into(), v(unset).map_err(refused)?));
            }
        }
        let mut removed = manager.receive_job_removed().await.map_err(refused)?;
        let job = manager
            .start_transient_unit(name.clone(), "fail".into(), p, Vec::new())
            .await
            .map_err(|e| StartError::Refused(super::jobs::explain_call(&e, &name)))?;
        let result = tokio::time::timeout(super::TIMEOUT * 3, async {
            while let Some(sig) = removed.next().await {
                if let Ok(a) = sig.args()
                    && a.job == job
                {
                    return Some(a.result.clone());
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .unwrap_or_else(|| "lost".into());
        let path = manager.get_unit(name.clone()).await.map_err(|e| {
            StartError::Failed(format!("{name}: {}", super::jobs::explain_call(&e, &name)))
        })?;
        if result != "done" {
            let exit = self.main_exit(&path).await.ok();
            let why = match &exit {
                Some(e) if e.code != 0 => setup_failure(e.status),
                _ => Some(""),
            };
            match why {
                // It ran and ended before the job was over (a fast `false`): the
                // caller reads its end like any other.
                None => return Ok(path),
                Some(w) => {
                    let _ = self.unref(&path).await;
                    return Err(StartError::Failed(if w.is_empty() {
                        format!("its start job ended `{result}`")
                    } else {
                        w.to_string()
                    }));
                }
            }
        }
        Ok(path)
    }

    async fn prop(
        &self,
        path: &OwnedObjectPath,
        iface: &'static str,
        name: &str,
    ) -> zbus::Result<OwnedVariant> {
        let props = self.properties(path.clone()).await?;
        props
            .get(InterfaceName::from_static_str_unchecked(iface), name)
            .await
            .map_err(zbus::Error::from)
    }

    /// `ActiveState` of the unit: `active`, `deactivating`, `inactive`, `failed`...
    pub async fn active_state(&self, path: &OwnedObjectPath) -> zbus::Result<String> {
        let v = self
            .prop(path, "org.freedesktop.systemd1.Unit", "ActiveState")
            .await?;
        String::try_from(v)
    }

    /// The recorded end of the unit's main process.
    pub async fn main_exit(&self, path: &OwnedObjectPath) -> zbus::Result<MainExit> {
        const SVC: &str = "org.freedesktop.systemd1.Service";
        let code = i32::try_from(self.prop(path, SVC, "ExecMainCode").await?)?;
        let status = i32::try_from(self.prop(path, SVC, "ExecMainStatus").await?)?;
        let result = String::try_from(self.prop(path, SVC, "Result").await?)?;
        Ok(MainExit {
            code,
            status,
            result,
        })
    }

    /// Stops the unit: TERM to its cgroup, KILL after its stop timeout.
    pub async fn stop_transient(&self, name: &str) -> zbus::Result<()> {
        self.manager()
            .await?
            .stop_unit(name.to_string(), "replace".into())
            .await
            .map(|_| ())
    }

    /// Lets go of the unit (AddRef), so systemd collects it.
    pub async fn unref(&self, path: &OwnedObjectPath) -> zbus::Result<()> {
        zbus_systemd::systemd1::UnitProxy::builder(self.connection())
            .path(path.clone())
            .build()
            .await?
            .unref()
            .await
    }
}
