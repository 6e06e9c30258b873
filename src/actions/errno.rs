//! errno turned into sentences an operator understands, and what to do about them.

use std::io;

/// A failure to act on a process, as one short sentence.
pub fn describe(err: &rustix::io::Errno) -> String {
    use rustix::io::Errno;
    match *err {
        Errno::PERM => "permission denied: run as root or as the process owner".into(),
        Errno::SRCH => "already gone".into(),
        Errno::ACCESS => "permission denied: only root can lower a nice value".into(),
        Errno::INVAL => "invalid argument".into(),
        e => format!("failed: {}", io::Error::from(e)),
    }
}

/// A failure to read a process under /proc.
pub fn describe_proc_error(err: &io::Error) -> String {
    match err.raw_os_error() {
        Some(libc::ENOENT) | Some(libc::ESRCH) => "already gone".into(),
        Some(libc::EACCES) | Some(libc::EPERM) => {
            "permission denied: run as root or as the process owner".into()
        }
        _ => format!("failed: {err}"),
    }
}

pub const CHANGED: &str = "changed since listed: the pid now belongs to another process";
