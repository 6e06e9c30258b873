//! Small readers of /proc files shared by the collectors and the action executors:
//! bounded reads, `pread` into a reused buffer, the cgroup's systemd unit.

use procfs::FromBufRead;
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
    let buf = read_capped(&format!("/proc/{pid}/cgroup"), 64 << 10).ok()?;
    unit_of_cgroup(&buf).map(Arc::from)
}

/// The unit named by a /proc/PID/cgroup file, parsed by procfs. A file procfs cannot
/// parse names no unit (a cgroup a user named with a newline in it makes a line
/// without fields: the process is then of no unit, never of a unit the user wrote).
pub fn unit_of_cgroup(file: &[u8]) -> Option<String> {
    let groups = procfs::ProcessCGroups::from_buf_read(file).ok()?.0;
    let path = groups
        .iter()
        .find(|g| g.hierarchy == 0 && g.controllers.is_empty())
        .or_else(|| {
            groups
                .iter()
                .find(|g| g.controllers.iter().any(|c| c == "name=systemd"))
        })?
        .pathname
        .as_str();
    path.rsplit('/')
        .find(|c| c.ends_with(".service") || c.ends_with(".scope"))
        .map(str::to_string)
}

/// /proc/PID/status, parsed by procfs.
pub fn read_status(pid: i32) -> std::io::Result<procfs::process::Status> {
    let buf = read_capped(&format!("/proc/{pid}/status"), 64 << 10)?;
    procfs::process::Status::from_buf_read(&buf[..]).map_err(unparsable)
}

/// /proc/PID/io (bytes read and written), parsed by procfs. Readable by the process's
/// owner and root only.
pub fn read_io(pid: i32) -> std::io::Result<procfs::process::Io> {
    let buf = read_capped(&format!("/proc/{pid}/io"), 4 << 10)?;
    procfs::process::Io::from_buf_read(&buf[..]).map_err(unparsable)
}

fn unparsable(e: procfs::ProcError) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("unparsable: {e}"))
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
        let v2 =
            b"0::/user.slice/user-1000.slice/user@1000.service/app.slice/qd-shop-api.service\n";
        assert_eq!(unit_of_cgroup(v2).as_deref(), Some("qd-shop-api.service"));
        assert_eq!(
            unit_of_cgroup(b"0::/system.slice/nginx.service\n").as_deref(),
            Some("nginx.service")
        );
        assert_eq!(unit_of_cgroup(b"0::/\n"), None);
        let v1 = b"12:cpu:/x\n1:name=systemd:/user.slice/session-4.scope\n";
        assert_eq!(unit_of_cgroup(v1).as_deref(), Some("session-4.scope"));
        // A path holding ':' stays whole.
        assert_eq!(
            unit_of_cgroup(b"0::/a:b/c.service\n").as_deref(),
            Some("c.service")
        );
    }

    #[test]
    fn a_newline_in_a_cgroup_name_names_no_unit() {
        // A user's delegated cgroup named "x\n0::/system.slice/sshd.service"...
        let forged = b"0::/user.slice/user@1000.service/app.slice/x\nnot a line\n";
        assert_eq!(unit_of_cgroup(forged), None);
        // ...or one whose second line parses: the first v2 line is the real one.
        let forged =
            b"0::/user.slice/user@1000.service/app.slice/x\n0::/system.slice/sshd.service\n";
        assert_eq!(unit_of_cgroup(forged).as_deref(), Some("user@1000.service"));
        assert_eq!(unit_of_cgroup(b"\xff\xfe"), None);
        assert_eq!(unit_of_cgroup(b""), None);
    }

    #[test]
    fn status_and_io_of_this_process() {
        let me = std::process::id() as i32;
        let st = read_status(me).expect("own status");
        assert_eq!(st.pid, me);
        assert_eq!(st.ruid, rustix::process::getuid().as_raw());
        let io = read_io(me).expect("own io");
        assert!(io.rchar > 0);
        assert!(read_status(i32::MAX).is_err());
    }
}
