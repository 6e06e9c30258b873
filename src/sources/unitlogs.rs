//! Where a unit's log is and how to follow it.
//!
//! From journald when it runs (`journalctl` as a child, never a shell), otherwise
//! from the files the unit appends to: `StandardOutput=append:FILE` (and `file:`,
//! `truncate:`). systemd 252 does not publish those paths over D-Bus, so they are
//! read from the unit's properties when present and else from its unit file and
//! drop-ins (the last assignment wins, as systemd reads them).

use crate::model::site::Sites;
use crate::sys::account::Account;
use crate::sys::sitefile;
use crate::systemd::Systemd;
use std::collections::VecDeque;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use zbus::names::InterfaceName;

#[derive(Debug, Clone, PartialEq)]
pub enum LogSource {
    /// journalctl -u UNIT (with --user for the user manager).
    Journal { unit: String, user: bool },
    /// Files the unit writes stdout/stderr to, deduplicated.
    Files(Vec<PathBuf>),
    /// Nowhere qd can read: the reason.
    None(String),
}

/// Where journalctl may be: never looked up through PATH.
const JOURNALCTL: [&str; 2] = ["/usr/bin/journalctl", "/bin/journalctl"];

pub fn journal_available() -> bool {
    Path::new("/run/systemd/journal/socket").exists()
        && JOURNALCTL.iter().any(|p| Path::new(p).exists())
}

/// `append:/var/log/x.log` -> the path, for the file output types.
fn output_path(value: &str) -> Option<PathBuf> {
    let v = value.trim();
    ["append:", "file:", "truncate:"]
        .iter()
        .find_map(|p| v.strip_prefix(p))
        .filter(|p| p.starts_with('/'))
        .map(PathBuf::from)
}

/// StandardOutput= / StandardError= file paths set in these unit files, in order.
pub fn paths_in_unit_files(files: &[PathBuf]) -> Vec<PathBuf> {
    let (mut out, mut err) = (None, None);
    for f in files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        for line in text.lines() {
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            match k.trim() {
                "StandardOutput" => out = output_path(v),
                "StandardError" => err = output_path(v),
                _ => {}
            }
        }
    }
    let mut paths: Vec<PathBuf> = out.into_iter().chain(err).collect();
    paths.dedup();
    paths
}

impl Systemd {
    /// Where `unit`'s log can be read.
    pub async fn log_source(&self, unit: &str) -> LogSource {
        if journal_available() {
            return LogSource::Journal {
                unit: unit.to_string(),
                user: self.bus == crate::systemd::Bus::User,
            };
        }
        let props = async {
            let manager = self.manager().await?;
            let path = manager.load_unit(unit.to_string()).await?;
            let p = self.properties(path).await?;
            let svc = InterfaceName::from_static_str_unchecked("org.freedesktop.systemd1.Service");
            let unit_if = InterfaceName::from_static_str_unchecked("org.freedesktop.systemd1.Unit");
            let s = |v: Result<zbus::OwnedVariant, zbus::fdo::Error>| {
                v.ok()
                    .and_then(|v| String::try_from(v).ok())
                    .unwrap_or_default()
            };
            let kinds = [
                (
                    s(p.get(svc.clone(), "StandardOutput").await),
                    s(p.get(svc.clone(), "StandardOutputFileDescriptorName").await),
                ),
                (
                    s(p.get(svc.clone(), "StandardError").await),
                    s(p.get(svc, "StandardErrorFileDescriptorName").await),
                ),
            ];
            let fragment = s(p.get(unit_if.clone(), "FragmentPath").await);
            let dropins: Vec<String> = p
                .get(unit_if, "DropInPaths")
                .await
                .ok()
                .and_then(|v| Vec::<String>::try_from(v).ok())
                .unwrap_or_default();
            zbus::Result::Ok((kinds, fragment, dropins))
        };
        let (kinds, fragment, dropins) = match props.await {
            Ok(x) => x,
            Err(e) => return LogSource::None(crate::systemd::jobs::explain_call(&e, unit)),
        };
        let is_file = |k: &str| matches!(k, "append" | "file" | "truncate");
        if !kinds.iter().any(|(k, _)| is_file(k)) {
            let k = &kinds[0].0;
            return LogSource::None(format!(
                "{unit} logs to {k}, and journald is not running here: set StandardOutput=append:FILE to read its log in qd"
            ));
        }
        let mut paths: Vec<PathBuf> = kinds
            .iter()
            .filter(|(k, n)| is_file(k) && n.starts_with('/'))
            .map(|(_, n)| PathBuf::from(n))
            .collect();
        if paths.is_empty() {
            let files: Vec<PathBuf> = std::iter::once(fragment)
                .chain(dropins)
                .filter(|f| !f.is_empty())
                .map(PathBuf::from)
                .collect();
            paths = paths_in_unit_files(&files);
        }
        paths.dedup();
        if paths.is_empty() {
            LogSource::None(format!(
                "{unit} appends to a file qd cannot find in its unit file"
            ))
        } else {
            LogSource::Files(paths)
        }
    }
}

/// Who reads `unit`'s log files: the user of the site the unit belongs to, or root
/// for a unit of no site and only for an admin. `sites` are the sites the operator
/// may see, `may_see` the operator's rule for a site; the error says why not.
pub fn log_reader(
    unit: &str,
    sites: &Sites,
    may_see: impl Fn(&str) -> bool,
    admin: bool,
) -> Result<Account, String> {
    match sites.by_unit(unit) {
        Some(r) if admin || may_see(&r.site.name) => {
            Account::by_name(&r.site.user).ok_or_else(|| {
                format!(
                    "{unit}: site {}'s user `{}` does not exist: qd reads a site's log as its user",
                    r.site.name, r.site.user
                )
            })
        }
        Some(r) => Err(format!(
            "{unit} belongs to site {}, which the policy does not let you see",
            r.site.name
        )),
        None if admin => Account::by_uid(0)
            .ok_or_else(|| format!("{unit}: no root account in the user database")),
        None => Err(format!(
            "{unit} is not a service of a site you may see: only an admin reads the logs of other units"
        )),
    }
}

/// The longest line kept whole: a writer that never ends a line is cut here.
const MAX_LINE: usize = 64 << 10;

/// Follows one file from its last `lines` lines on: `poll` returns what was appended
/// since, complete lines only; a file that was truncated or replaced is read again
/// from its start. The file is opened as `owner` through [`sitefile::open_read`]
/// every time: no link is followed and only a regular file is read, so a site user
/// who swaps their log for a link, a FIFO or a device gets an error, not root's rights.
pub struct Tail {
    pub path: PathBuf,
    owner: Account,
    pos: u64,
    partial: Vec<u8>,
    inode: u64,
}

impl Tail {
    /// Opens `path` as `owner` and returns its last `lines` lines.
    pub fn open(path: &Path, lines: usize, owner: &Account) -> Result<(Self, Vec<String>), String> {
        let mut f = sitefile::open_read(path, owner)?;
        let io = |e: std::io::Error| format!("{}: {e}", path.display());
        let meta = f.metadata().map_err(io)?;
        let len = meta.len();
        // Read back at most 64 KiB per wanted line batch: enough for the last lines.
        let back = (lines as u64 * 512).clamp(4096, 4 << 20).min(len);
        f.seek(SeekFrom::Start(len - back)).map_err(io)?;
        let mut buf = Vec::with_capacity(back as usize);
        // `take`: a file that grows while read still gives at most what was asked.
        f.take(back).read_to_end(&mut buf).map_err(io)?;
        let text = String::from_utf8_lossy(&buf);
        let mut last: VecDeque<String> = VecDeque::with_capacity(lines + 1);
        let complete = text.ends_with('\n');
        let mut all: Vec<&str> = text.lines().collect();
        if back < len && !all.is_empty() {
            all.remove(0); // cut mid-line by the seek
        }
        let mut partial = Vec::new();
        if !complete && let Some(p) = all.pop() {
            partial = p.as_bytes().to_vec();
        }
        for l in all {
            if last.len() == lines {
                last.pop_front();
            }
            last.push_back(l.to_string());
        }
        use std::os::unix::fs::MetadataExt;
        Ok((
            Self {
                path: path.to_path_buf(),
                owner: owner.clone(),
                pos: len,
                partial,
                inode: meta.ino(),
            },
            last.into(),
        ))
    }

    /// The complete lines appended since the last call.
    pub fn poll(&mut self) -> Result<Vec<String>, String> {
        use std::os::unix::fs::MetadataExt;
        let mut f = sitefile::open_read(&self.path, &self.owner)?;
        let io = |e: std::io::Error| format!("{}: {e}", self.path.display());
        let meta = f.metadata().map_err(io)?;
        if meta.ino() != self.inode || meta.len() < self.pos {
            // Rotated or truncated: start over at the beginning of the new file.
            self.inode = meta.ino();
            self.pos = 0;
            self.partial.clear();
        }
        if meta.len() == self.pos {
            return Ok(Vec::new());
        }
        f.seek(SeekFrom::Start(self.pos)).map_err(io)?;
        let mut buf = Vec::new();
        f.take(8 << 20).read_to_end(&mut buf).map_err(io)?;
        self.pos += buf.len() as u64;
        let mut data = std::mem::take(&mut self.partial);
        data.extend_from_slice(&buf);
        let mut out = Vec::new();
        let mut start = 0;
        for (i, b) in data.iter().enumerate() {
            if *b == b'\n' {
                out.push(String::from_utf8_lossy(&data[start..i]).into_owned());
                start = i + 1;
            }
        }
        self.partial = data[start..].to_vec();
        if self.partial.len() > MAX_LINE {
            // A line with no end in sight: shown in pieces rather than kept forever.
            out.push(String::from_utf8_lossy(&std::mem::take(&mut self.partial)).into_owned());
        }
        Ok(out)
    }
}

/// The journalctl command line for `unit` (no shell).
pub fn journal_command(
    unit: &str,
    user: bool,
    lines: usize,
    follow: bool,
    since: Option<&str>,
) -> std::process::Command {
    // By absolute path: under sudo PATH may be the operator's, and root must not run
    // a `journalctl` they planted.
    let bin = JOURNALCTL
        .iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or(&JOURNALCTL[0]);
    let mut c = std::process::Command::new(bin);
    if user {
        c.arg("--user");
    }
    c.args([
        "-u",
        unit,
        "-o",
        "short-iso",
        "--no-pager",
        "-n",
        &lines.to_string(),
    ]);
    if follow {
        c.arg("-f");
    }
    if let Some(s) = since {
        c.args(["--since", s]);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn append_paths_come_from_the_last_assignment() {
        let dir = tempfile::tempdir().expect("tmp");
        let unit = dir.path().join("a.service");
        let dropin = dir.path().join("override.conf");
        std::fs::write(
            &unit,
            "[Service]\nStandardOutput=append:/var/log/a.log\nStandardError=journal\n",
        )
        .expect("w");
        std::fs::write(&dropin, "[Service]\nStandardError=file:/var/log/a.err\n").expect("w");
        assert_eq!(
            paths_in_unit_files(&[unit, dropin]),
            vec![
                PathBuf::from("/var/log/a.log"),
                PathBuf::from("/var/log/a.err")
            ]
        );
    }

    #[test]
    fn tail_returns_the_last_lines_then_what_is_appended() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("x.log");
        std::fs::write(&p, "1\n2\n3\npart").expect("w");
        let me = Account::by_uid(rustix::process::geteuid().as_raw()).expect("me");
        let (mut t, last) = Tail::open(&p, 2, &me).expect("open");
        assert_eq!(last, vec!["2", "3"]);
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .expect("o");
        std::io::Write::write_all(&mut f, b"ial\n4\n").expect("w");
        assert_eq!(t.poll().expect("poll"), vec!["partial", "4"]);
        std::fs::write(&p, "new\n").expect("truncate");
        assert_eq!(t.poll().expect("poll"), vec!["new"]);
    }

    #[test]
    fn tail_refuses_a_link_a_fifo_and_cuts_an_endless_line() {
        let me = Account::by_uid(rustix::process::geteuid().as_raw()).expect("me");
        let dir = tempfile::tempdir().expect("tmp");
        let link = dir.path().join("zero.log");
        std::os::unix::fs::symlink("/dev/zero", &link).expect("ln");
        assert!(Tail::open(&link, 5, &me).is_err_and(|e| e.contains("symbolic link")));
        let fifo = dir.path().join("fifo.log");
        let c = std::ffi::CString::new(fifo.to_str().expect("utf8")).expect("cstr");
        // SAFETY: mkfifo on a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        assert!(Tail::open(&fifo, 5, &me).is_err_and(|e| e.contains("FIFO")));
        let p = dir.path().join("x.log");
        std::fs::write(&p, "").expect("w");
        let (mut t, _) = Tail::open(&p, 5, &me).expect("open");
        std::fs::write(&p, vec![b'a'; MAX_LINE + 10]).expect("w");
        let got = t.poll().expect("poll");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].len(), MAX_LINE + 10);
        // Swapped for a link after the open: the next poll refuses it too.
        std::fs::remove_file(&p).expect("rm");
        std::os::unix::fs::symlink("/dev/zero", &p).expect("ln");
        assert!(t.poll().is_err());
    }

    #[test]
    fn only_an_admin_reads_a_unit_of_no_site_and_a_site_needs_seeing() {
        let sites = Sites::new(Vec::new());
        assert!(log_reader("x.service", &sites, |_| true, false).is_err());
        assert_eq!(
            log_reader("x.service", &sites, |_| true, true).map(|a| a.uid),
            Ok(0)
        );
    }
}
