//! errno turned into sentences an operator understands, and what to do about them.
//! (Failures to read /proc: `sources::procfile::describe_read_error`.)

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

pub const CHANGED: &str = "changed since listed: the pid now belongs to another process";

/// A failure to write a file (the audit log), with what to do about the usual causes.
pub fn io_sentence(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(libc::ENOSPC) => "no space left on the device: free some space".into(),
        Some(libc::EDQUOT) => "disk quota exceeded".into(),
        Some(libc::EROFS) => "the filesystem is read-only".into(),
        Some(libc::EACCES | libc::EPERM) => "permission denied".into(),
        _ => e.to_string(),
    }
}
