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

/// The unit named by a /proc/PID/cgroup file.
///
/// Below its unit a process's cgroup path is the unit's to shape: a delegated subtree
/// (user@UID.service, `Delegate=yes`, a container) may hold directories named anything,
/// `sshd.service` or a site's unit, newlines and invalid UTF-8 included. So the unit is
/// read as systemd reads it, from the root: slices skipped, the first other component
/// is the unit; in a user manager (`user@UID.service`), its first non-slice child.
/// Nothing deeper is looked at.
///
/// On a pure cgroup v2 host the file is the one `0::` record, so everything after
/// `0::` is the path (a newline in a name below the unit cannot forge a record). A
/// hybrid/v1 file is parsed by procfs; one it cannot parse names no unit.
pub fn unit_of_cgroup(file: &[u8]) -> Option<String> {
    if let Some(rest) = file.strip_prefix(b"0::") {
        let path = rest.strip_suffix(b"\n").unwrap_or(rest);
        return unit_of_path(&String::from_utf8_lossy(path));
    }
    // Hybrid/v1: the kernel lists the v1 hierarchies first and `0::` last, so a name
    // holding "\n0::/system.slice/sshd.service" in one record forges a record before
    // or after the real ones. systemd keeps a process in the same unit in its
    // `name=systemd` and unified trees: every record naming a unit must agree, a forged
    // one makes the file name no unit (the owner's site still places the process).
    let groups = procfs::ProcessCGroups::from_buf_read(file).ok()?.0;
    let mut units = groups
        .iter()
        .filter(|g| {
            // `0::/` on a v1 host with cgroup2 mounted but unused says nothing.
            (g.hierarchy == 0 && g.controllers.is_empty() && g.pathname != "/")
                || g.controllers.iter().any(|c| c == "name=systemd")
        })
        .map(|g| unit_of_path(&g.pathname));
    let first = units.next()??;
    units.all(|u| u.as_deref() == Some(&first)).then_some(first)
}

/// The unit of a cgroup path: the first component that is a unit (then, inside a
/// user manager, the first one below it that is not a slice, if it is a unit). What
/// comes before the first unit is the manager's base — root's: a manager started in a
/// cgroup of its own (a container without a cgroup namespace, `/docker/ID/...`; the
/// tests' and the demo's private managers) — and a user can create directories only
/// below a unit (a delegated one), never above the first: a directory named like a
/// unit deeper down names nothing.
fn unit_of_path(path: &str) -> Option<String> {
    let is_unit = |c: &str| c.ends_with(".service") || c.ends_with(".scope");
    let mut parts = path.split('/').filter(|c| !c.is_empty());
    let unit = parts.find(|c| is_unit(c))?;
    if unit.starts_with("user@") && unit.ends_with(".service") {
        // The manager's own unit when nothing below it is a unit (its init.scope is).
        if let Some(inner) = parts
            .find(|c| !c.ends_with(".slice"))
            .filter(|c| is_unit(c))
        {
            return Some(inner.to_string());
        }
    }
    Some(unit.to_string())
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
            unit_of_cgroup(b"0::/a:b.slice/c.service\n").as_deref(),
            Some("c.service")
        );
    }

    #[test]
    fn a_newline_in_a_cgroup_name_forges_no_unit() {
        // A user's delegated cgroup named "x\nnot a line" or with "\n0::/system.slice/..."
        // under it: the unit is still the one its path starts in.
        let forged = b"0::/user.slice/user@1000.service/app.slice/x\nnot a line\n";
        assert_eq!(unit_of_cgroup(forged).as_deref(), Some("user@1000.service"));
        // ...or one whose second line parses: the first v2 line is the real one.
        let forged =
            b"0::/user.slice/user@1000.service/app.slice/x\n0::/system.slice/sshd.service\n";
        assert_eq!(unit_of_cgroup(forged).as_deref(), Some("user@1000.service"));
        assert_eq!(unit_of_cgroup(b"\xff\xfe"), None);
        assert_eq!(unit_of_cgroup(b""), None);
    }

    #[test]
    fn a_manager_in_a_cgroup_of_its_own_still_names_its_units() {
        for (file, unit) in [
            (
                &b"0::/qd-test-abc/app.slice/qd-shop-api.service\n"[..],
                "qd-shop-api.service",
            ),
            (
                b"0::/docker/0123abcd/system.slice/nginx.service\n",
                "nginx.service",
            ),
            (
                b"0::/qd-test-abc/app.slice/qd-shop-api.service/x/y.service\n",
                "qd-shop-api.service",
            ),
        ] {
            assert_eq!(unit_of_cgroup(file).as_deref(), Some(unit), "{file:?}");
        }
    }

    #[test]
    fn a_directory_below_a_unit_does_not_name_the_unit() {
        // Attack: any user makes `mkdir -p .../user@1001.service/app.slice/x/qd-shop-api.service`
        // in their delegated subtree and moves a process there; innermost-first matching
        // put it in the site's unit (and so its site, for the developer policy).
        let nested = b"0::/user.slice/user-1001.slice/user@1001.service/app.slice/evil.service/sub/qd-shop-api.service\n";
        assert_eq!(unit_of_cgroup(nested).as_deref(), Some("evil.service"));
        let nested = b"0::/user.slice/user-1001.slice/user@1001.service/app.slice/x/sshd.service\n";
        assert_eq!(unit_of_cgroup(nested).as_deref(), Some("user@1001.service"));
        // A Delegate=yes system unit (a container manager) with a tree of its own.
        let docker = b"0::/system.slice/containerd.service/kubepods/nginx.service\n";
        assert_eq!(
            unit_of_cgroup(docker).as_deref(),
            Some("containerd.service")
        );
        // A site's own unit: what it creates inside itself stays in it.
        let site = b"0::/system.slice/qd-shop-api.service/worker/qd-blog-api.service\n";
        assert_eq!(unit_of_cgroup(site).as_deref(), Some("qd-shop-api.service"));
        // Directories above the first unit are root's (only root writes the cgroup
        // root): a manager started in `/foo` names its units there.
        assert_eq!(
            unit_of_cgroup(b"0::/foo/sshd.service\n").as_deref(),
            Some("sshd.service")
        );
        assert_eq!(unit_of_cgroup(b"0::/foo/bar\n"), None);
        assert_eq!(
            unit_of_cgroup(b"0::/user.slice/user-1000.slice/user@1000.service/init.scope\n")
                .as_deref(),
            Some("init.scope")
        );
    }

    #[test]
    fn a_forged_record_on_a_hybrid_host_names_no_unit() {
        // This host's shape: v1 hierarchies first, the unified `0::` record last.
        let real =
            b"9:name=systemd:/init.scope\n8:pids:/init.scope\n1:cpu:/init.scope\n0::/init.scope\n";
        assert_eq!(unit_of_cgroup(real).as_deref(), Some("init.scope"));
        let v1_only = b"1:name=systemd:/system.slice/nginx.service\n0::/\n";
        assert_eq!(unit_of_cgroup(v1_only).as_deref(), Some("nginx.service"));
        // A name "x\n0::/system.slice/sshd.service" in the user's name=systemd tree: its
        // forged `0::` record comes before the real one (first-match took it).
        let forged = b"1:name=systemd:/user.slice/user-1000.slice/user@1000.service/x\n0::/system.slice/sshd.service\n0::/user.slice/user-1000.slice/user@1000.service/x\n";
        assert_eq!(unit_of_cgroup(forged), None);
        // ...or in the unified tree, after it (last-match would take it).
        let forged = b"1:name=systemd:/user.slice/user-1000.slice/user@1000.service\n0::/user.slice/user-1000.slice/user@1000.service/x\n0::/system.slice/sshd.service\n";
        assert_eq!(unit_of_cgroup(forged), None);
    }

    #[test]
    fn a_newline_or_bad_byte_below_the_unit_keeps_the_unit() {
        // Attack (regression of the procfs parse): a process of a site's unit moved into
        // a sub-cgroup named "x\nnot a line" (or with a non-UTF-8 byte) left its unit
        // (the whole file failed to parse): it vanished from the unit's row and policy.
        let base =
            b"0::/user.slice/user-1000.slice/user@1000.service/app.slice/qd-shop-api.service/x";
        for tail in [
            &b"\nnot a line\n"[..],
            b"\n0::/system.slice/sshd.service\n",
            b"\xff\n",
        ] {
            let file = [&base[..], tail].concat();
            assert_eq!(
                unit_of_cgroup(&file).as_deref(),
                Some("qd-shop-api.service"),
                "{file:?}"
            );
        }
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
