//! Learning a host key is a mutation, so `ssh` does not do it on its own: the
//! connection builds a `LearnRequest` (which host, which file, the exact line) and
//! hands it to the `KeyRecorder` the upper layer installed on the pool (the action
//! path, which checks and audits it, then calls `append`). Without a recorder nothing
//! is learned: an accepted key is used for this connection only, as ssh does when it
//! cannot write its file, and a warning says so.
//!
//! `append` is the one write: an exclusive `flock` on the file, `O_NOFOLLOW` on its
//! name (a planted symlink is refused, not followed), created 0600 with a 0700
//! directory, a newline added first when the file's last line has none.

use super::hosts::Host;
use super::known_hosts::host_port;
use russh::keys::PublicKey;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why a key is being learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LearnHow {
    /// `host_key_checking = "accept-new"` and nothing was known for the host.
    AcceptNew,
    /// The operator typed `yes` to the fingerprint question.
    TypedYes,
}

/// One host key to add to a known_hosts file.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnRequest {
    pub host: Host,
    /// Where it goes (never a system-wide file).
    pub file: PathBuf,
    /// The exact line, without its newline: `[127.0.0.1]:2222 ssh-ed25519 AAAA...`.
    pub line: String,
    pub key_type: String,
    /// `SHA256:...`
    pub fingerprint: String,
    pub how: LearnHow,
}

/// Records a learned key (the upper layer's action path); `Err` says why it was not.
pub type KeyRecorder = Arc<dyn Fn(&LearnRequest) -> Result<(), String> + Send + Sync>;

/// The known_hosts line for `key` presented by `host`:`port`.
pub fn entry_line(host: &str, port: u16, key: &PublicKey) -> Result<String, String> {
    let mut k = key.clone();
    k.set_comment("");
    let enc = k
        .to_openssh()
        .map_err(|e| format!("cannot encode the host key: {e}"))?;
    Ok(format!("{} {}", host_port(host, port), enc.trim()))
}

/// Appends `line` to `file` under an exclusive lock, never through a symlink.
pub fn append(file: &Path, line: &str) -> Result<(), String> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    let fail = |e: std::io::Error| {
        format!(
            "cannot add the host key to {}: {}",
            file.display(),
            crate::sys::errno::io_sentence(&e)
        )
    };
    if line.contains(['\n', '\r']) {
        return Err(format!(
            "cannot add the host key to {}: the entry holds a line break",
            file.display()
        ));
    }
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(fail)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(file)
        .map_err(|e| {
            if e.raw_os_error() == Some(libc::ELOOP) {
                format!(
                    "cannot add the host key to {}: it is a symbolic link (refused)",
                    file.display()
                )
            } else {
                fail(e)
            }
        })?;
    if !f.metadata().map_err(fail)?.is_file() {
        return Err(format!(
            "cannot add the host key to {}: not a regular file",
            file.display()
        ));
    }
    rustix::fs::flock(&f, rustix::fs::FlockOperation::LockExclusive).map_err(|e| fail(e.into()))?;
    // Under the lock: a file without a final newline would glue our entry to its
    // last line.
    let len = f.seek(SeekFrom::End(0)).map_err(fail)?;
    let mut last = [0u8; 1];
    let needs_nl = len > 0 && {
        f.seek(SeekFrom::Start(len - 1)).map_err(fail)?;
        f.read_exact(&mut last).map_err(fail)?;
        last[0] != b'\n'
    };
    let text = format!("{}{line}\n", if needs_nl { "\n" } else { "" });
    f.write_all(text.as_bytes()).map_err(fail)?;
    f.sync_data().map_err(fail)
    // The lock goes with the descriptor.
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_with_newline_and_refuses_symlinks() {
        let d = tempfile::tempdir().expect("tmp");
        let f = d.path().join("sub/kh");
        append(&f, "a ssh-ed25519 AAAA").expect("append");
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&f).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&f, "x y z").expect("write");
        append(&f, "b ssh-ed25519 BBBB").expect("append");
        assert_eq!(
            std::fs::read_to_string(&f).expect("read"),
            "x y z\nb ssh-ed25519 BBBB\n"
        );
        let target = d.path().join("target");
        std::fs::write(&target, "").expect("target");
        let link = d.path().join("link");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");
        let e = append(&link, "c ssh-ed25519 CCCC").expect_err("symlink refused");
        assert!(e.contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_to_string(&target).expect("read"), "");
        assert!(append(&f, "a\nb").is_err());
    }
}
