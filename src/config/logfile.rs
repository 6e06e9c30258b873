//! qd's own log file, and the one writer every record goes through.
//!
//! In privileged mode the log lives in a root-owned place, `/var/log/quarterdeck`
//! (created 0700 and checked as trusted, see `trust`), never in the operator's XDG
//! state dir: a link planted there would make root append to any file. The file is
//! opened relative to the checked directory's descriptor with
//! `O_NOFOLLOW|O_APPEND|O_CREAT` and must be a regular file of root's. Otherwise the
//! log is `$XDG_STATE_HOME/quarterdeck/qd.log`, opened the same way.
//!
//! Log messages carry foreign text (config keys, host names, errors): [`Escaping`]
//! turns every control character of a record into a visible escape except the final
//! newline, so no message can start a line of its own or drive a terminal that shows
//! the log.

use rustix::fs::{Mode, OFlags, openat};
use std::fs::File;
use std::io::Write;
use std::path::Path;

/// Where qd logs in privileged mode.
pub const PRIVILEGED_LOG_DIR: &str = "/var/log/quarterdeck";

/// Opens qd's log for appending: the privileged place or the state dir.
pub fn open(privileged: bool) -> Result<File, String> {
    let dir = if privileged {
        std::path::PathBuf::from(PRIVILEGED_LOG_DIR)
    } else {
        super::paths::state_dir().ok_or("no state directory")?
    };
    make_dir(&dir, privileged)?;
    let (dirfd, trust) = super::trust::open_dir(&dir).map_err(|e| e.to_string())?;
    if privileged {
        trust?;
    }
    let fd = openat(
        &dirfd,
        "qd.log",
        OFlags::WRONLY
            | OFlags::APPEND
            | OFlags::CREATE
            | OFlags::NOFOLLOW
            | OFlags::NONBLOCK
            | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )
    .map_err(|e| format!("{}/qd.log: {}", dir.display(), std::io::Error::from(e)))?;
    let st = rustix::fs::fstat(&fd).map_err(|e| std::io::Error::from(e).to_string())?;
    if st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Err(format!("{}/qd.log is not a regular file", dir.display()));
    }
    if privileged && st.st_uid != 0 {
        return Err(format!("{}/qd.log is not root's", dir.display()));
    }
    Ok(File::from(fd))
}

fn make_dir(dir: &Path, privileged: bool) -> Result<(), String> {
    use std::os::unix::fs::DirBuilderExt;
    let mut b = std::fs::DirBuilder::new();
    b.recursive(!privileged).mode(0o700);
    match b.create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(format!("{}: {e}", dir.display())),
    }
}

/// A writer that escapes control characters (C0, DEL, C1) in each record it is given,
/// keeping only the record's final newline. Each `write` is taken as one record, as
/// the log formatter writes one event with one `write_all`.
pub struct Escaping<W>(pub W);

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write_all(&escape_record(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// `buf` with every control character made visible (`\n`, `\t`, `\r`, `\xNN`,
/// `\u{NN}`), and one newline at the end.
pub fn escape_record(buf: &[u8]) -> Vec<u8> {
    let body = buf.strip_suffix(b"\n").unwrap_or(buf);
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\n');
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_record_stays_one_line() {
        let r = super::escape_record(b"key `a\nb\x1b[2J\x7f\xc2\x85`\n");
        assert_eq!(r, b"key `a\\nb\\x1b[2J\\x7f\\u{85}`\n".to_vec());
        assert_eq!(
            super::escape_record(b"no newline"),
            b"no newline\n".to_vec()
        );
    }
}
