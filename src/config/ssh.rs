//! `[ssh]` (how connections are made and checked) and `[[host]]` (the fleet's
//! servers), validated with the key and position of every bad value.

use super::{Config, duration};
use crate::ssh::hosts::{Host, HostKeyChecking, HostSource, default_user, expand_tilde};
use serde::Deserialize;
use std::time::Duration;
use toml::Spanned;

type Res<T> = Result<T, (std::ops::Range<usize>, String)>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSsh {
    host_key_checking: Option<Spanned<String>>,
    known_hosts: Option<Vec<String>>,
    global_known_hosts: Option<Vec<String>>,
    connect_timeout: Option<Spanned<String>>,
    keepalive_interval: Option<Spanned<String>>,
    keepalive_count: Option<Spanned<i64>>,
    idle_close: Option<Spanned<String>>,
    max_connects: Option<Spanned<i64>>,
    max_auth_tries: Option<Spanned<i64>>,
    identity_files: Option<Vec<String>>,
    ssh_config: Option<bool>,
    scrollback: Option<Spanned<i64>>,
    parallel: Option<Spanned<i64>>,
    prefix: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHost {
    name: Spanned<String>,
    address: Option<String>,
    port: Option<Spanned<i64>>,
    user: Option<String>,
    identity: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

fn dur(v: Option<Spanned<String>>, key: &str, min: Duration) -> Res<Option<Duration>> {
    let Some(v) = v else { return Ok(None) };
    let d = duration::parse(v.get_ref()).map_err(|m| (v.span(), format!("ssh.{key}: {m}")))?;
    if d < min {
        return Err((
            v.span(),
            format!(
                "ssh.{key} = `{}` is too short (at least {} ms)",
                v.get_ref(),
                min.as_millis()
            ),
        ));
    }
    Ok(Some(d))
}

fn int(v: Option<Spanned<i64>>, key: &str, lo: i64, hi: i64) -> Res<Option<usize>> {
    let Some(v) = v else { return Ok(None) };
    let n = *v.get_ref();
    if !(lo..=hi).contains(&n) {
        return Err((
            v.span(),
            format!("ssh.{key} = {n} is out of range ({lo} to {hi})"),
        ));
    }
    Ok(Some(n as usize))
}

impl RawSsh {
    /// Only `prefix` (a key chord, a UI preference); `true` when anything else was set.
    pub fn prefix_only(self) -> (Option<RawSsh>, bool) {
        let others = self.host_key_checking.is_some()
            || self.known_hosts.is_some()
            || self.global_known_hosts.is_some()
            || self.connect_timeout.is_some()
            || self.keepalive_interval.is_some()
            || self.keepalive_count.is_some()
            || self.idle_close.is_some()
            || self.max_connects.is_some()
            || self.max_auth_tries.is_some()
            || self.identity_files.is_some()
            || self.ssh_config.is_some()
            || self.scrollback.is_some()
            || self.parallel.is_some();
        let kept = self.prefix.map(|p| RawSsh {
            host_key_checking: None,
            known_hosts: None,
            global_known_hosts: None,
            connect_timeout: None,
            keepalive_interval: None,
            keepalive_count: None,
            idle_close: None,
            max_connects: None,
            max_auth_tries: None,
            identity_files: None,
            ssh_config: None,
            scrollback: None,
            parallel: None,
            prefix: Some(p),
        });
        (kept, others)
    }
}

pub fn apply(next: &mut Config, ssh: Option<RawSsh>, hosts: Option<Vec<RawHost>>) -> Res<()> {
    if let Some(r) = ssh {
        let s = &mut next.ssh;
        if let Some(m) = r.host_key_checking {
            s.host_key_checking = HostKeyChecking::parse(m.get_ref()).ok_or_else(|| {
                (
                    m.span(),
                    format!(
                        "ssh.host_key_checking = `{}`: use \"strict\", \"accept-new\" or \"ask\" \
                         (qd never accepts a changed key)",
                        m.get_ref()
                    ),
                )
            })?;
        }
        if let Some(k) = r.known_hosts {
            s.known_hosts = k.iter().map(|p| expand_tilde(p)).collect();
        }
        if let Some(k) = r.global_known_hosts {
            s.global_known_hosts = k.iter().map(|p| expand_tilde(p)).collect();
        }
        let ms = Duration::from_millis(100);
        if let Some(d) = dur(r.connect_timeout, "connect_timeout", ms)? {
            s.connect_timeout = d;
        }
        if let Some(d) = dur(r.keepalive_interval, "keepalive_interval", ms)? {
            s.keepalive_interval = d;
        }
        if let Some(d) = dur(r.idle_close, "idle_close", Duration::from_secs(1))? {
            s.idle_close = d;
        }
        if let Some(n) = int(r.keepalive_count, "keepalive_count", 1, 100)? {
            s.keepalive_count = n;
        }
        if let Some(n) = int(r.max_connects, "max_connects", 1, 1024)? {
            s.max_connects = n;
        }
        if let Some(n) = int(r.max_auth_tries, "max_auth_tries", 1, 100)? {
            s.max_auth_tries = n;
        }
        if let Some(n) = int(r.scrollback, "scrollback", 0, 1_000_000)? {
            s.scrollback = n;
        }
        if let Some(n) = int(r.parallel, "parallel", 1, 1024)? {
            s.parallel = n;
        }
        if let Some(ids) = r.identity_files {
            s.identity_files = ids.iter().map(|p| expand_tilde(p)).collect();
        }
        if let Some(b) = r.ssh_config {
            s.ssh_config = b;
        }
        if let Some(p) = r.prefix {
            let k = super::keys::KeySpec::parse(p.get_ref())
                .map_err(|m| (p.span(), format!("ssh.prefix: {m}")))?;
            next.pane_prefix = Some(k);
        }
    }
    let mut this_file: std::collections::HashSet<String> = Default::default();
    let mut added = Vec::new();
    for h in hosts.unwrap_or_default() {
        let name = h.name.get_ref().clone();
        let bad_name = name.is_empty()
            || name.starts_with("tag:")
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if bad_name {
            return Err((
                h.name.span(),
                format!(
                    "host.name = `{name}`: use letters, digits, '-', '_' and '.' (it is typed in :host and qd exec)"
                ),
            ));
        }
        if !this_file.insert(name.clone()) {
            return Err((h.name.span(), format!("host `{name}` is defined twice")));
        }
        let port = match h.port {
            None => 22,
            Some(p) => u16::try_from(*p.get_ref())
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| {
                    (
                        p.span(),
                        format!("host.port = {} is not a TCP port (1 to 65535)", p.get_ref()),
                    )
                })?,
        };
        added.push(Host {
            address: h.address.unwrap_or_else(|| name.clone()),
            name,
            port,
            user: h.user.unwrap_or_else(default_user),
            identities: match h.identity {
                Some(i) => vec![expand_tilde(&i)],
                None => next.ssh.identity_files.clone(),
            },
            tags: h.tags,
            source: HostSource::Config,
            note: None,
        });
    }
    // A later file's host replaces an earlier file's of the same name.
    next.hosts.retain(|x| !this_file.contains(&x.name));
    next.hosts.extend(added);
    Ok(())
}
