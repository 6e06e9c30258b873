//! Small readers of /proc files shared by the collectors and the action executors:
//! bounded reads, `pread` into a reused buffer, the cgroup's systemd unit.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::sync::Arc;

pub fn pread_all(file: &File, buf: &mut Vec<u8>) -> std::io::Result<()> {
    buf.clear();
    buf.resize(buf.capacity().max(1024), 0);
    let mut filled = 0;
    loop {
        let n = file.read_at(&mut buf[filled..], filled as u64)?;
        filled += n;
        if n == 0 || filled < buf.len() {
            break;
        }
        buf.resize(buf.len() * 2, 0);
    }
    buf.truncate(filled);
    Ok(())
}

/// Reads at most `cap` bytes of a file.
pub fn read_capped(path: &str, cap: usize) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    File::open(path)?.take(cap as u64).read_to_end(&mut out)?;
    Ok(out)
}

/// The systemd unit a process belongs to: the innermost `.service` or `.scope` of its
/// cgroup path (cgroup v2 `0::` line, or the v1 `name=systemd` hierarchy).
pub fn read_unit(pid: i32) -> Option<Arc<str>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    unit_of_cgroup(&text).map(Arc::from)
}

pub fn unit_of_cgroup(text: &str) -> Option<&str> {
    let path = text
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .or_else(|| {
            text.lines()
                .find_map(|l| l.split_once(":name=systemd:").map(|(_, p)| p))
        })?;
    path.rsplit('/')
        .find(|c| c.ends_with(".service") || c.ends_with(".scope"))
}

/// Raises the soft fd limit to the hard one (cached stat fds need one per process)
/// and returns the new soft limit.
pub fn raise_fd_limit() -> u64 {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut lim = getrlimit(Resource::Nofile);
    if let Some(max) = lim.maximum
        && lim.current != Some(max)
    {
        lim.current = Some(max);
        let _ = setrlimit(Resource::Nofile, lim);
    }
    getrlimit(Resource::Nofile).current.unwrap_or(1024)
}

/// A /proc entry name that is a pid.
pub fn parse_pid(name: &[u8]) -> Option<i32> {
    if name.is_empty() || name.len() > 10 || !name.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(name).ok()?.parse().ok()
}

/// A failure to read a process under /proc, as one sentence an operator understands.
pub fn describe_read_error(err: &std::io::Error) -> String {
    match err.raw_os_error() {
        Some(libc::ENOENT) | Some(libc::ESRCH) => "already gone".into(),
        Some(libc::EACCES) | Some(libc::EPERM) => {
            "permission denied: run as root or as the process owner".into()
        }
        _ => format!("failed: {err}"),
    }
}

pub fn is_gone(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ESRCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_from_cgroup_v2_and_v1() {
        let v2 = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/qd-shop-api.service\n";
        assert_eq!(unit_of_cgroup(v2), Some("qd-shop-api.service"));
        assert_eq!(
            unit_of_cgroup("0::/system.slice/nginx.service\n"),
            Some("nginx.service")
        );
        assert_eq!(unit_of_cgroup("0::/\n"), None);
        let v1 = "12:cpu:/x\n1:name=systemd:/user.slice/session-4.scope\n";
        assert_eq!(unit_of_cgroup(v1), Some("session-4.scope"));
    }
}
