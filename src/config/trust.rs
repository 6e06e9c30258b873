//! Opening a config file so that the file checked is the file read.
//!
//! A file may carry authority (policy, sites and their users, commands, unit templates,
//! hosts, host-key checking, audit) only when it is **trusted**: OpenSSH's StrictModes
//! rule. The file is a regular file owned by root and not writable by group or others,
//! and so is every directory on the way to it from `/`. Otherwise anyone who could
//! write the file, or swap a directory above it, could give themselves a role.
//!
//! The check is made on what is read, never by path and then read again:
//! - the path is walked from `/` one component at a time, each directory opened with
//!   `openat(O_NOFOLLOW|O_DIRECTORY)` relative to the one before and checked with
//!   `fstat` on that descriptor; the file is opened the same way with
//!   `O_NOFOLLOW|O_NONBLOCK` (a FIFO cannot hang qd), its descriptor checked, and the
//!   text read from that descriptor is what gets parsed;
//! - a symlink on the way is followed by hand (its target read with `readlinkat` and
//!   walked the same way, at most [`MAX_LINKS`] of them), and the result stays trusted
//!   only when the directory holding the link is trusted, since whoever can write that
//!   directory chooses where the link points;
//! - a root-owned **sticky** directory (`/tmp`) counts as trusted, although OpenSSH
//!   refuses it: in a sticky directory only root (its owner) and an entry's owner can
//!   rename or delete that entry, so nobody else can replace root's files or
//!   directories in it, and every component below it is checked in turn. A name planted
//!   there by someone else is theirs and fails the owner check; a symlink there is
//!   followed as trusted only when root owns the link (the kernel's
//!   `fs.protected_symlinks` rule). Tests keep their files under /tmp this way.
//!
//! An untrusted file can still be read (a user's own config, `qd config check`): the
//! verdict travels with the text and the caller decides what the file may set.

use rustix::fs::{AtFlags, Mode, OFlags, openat, readlinkat, statat};
use rustix::io::Errno;
use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStringExt;
use std::path::{Component, Path, PathBuf};

/// Symlinks followed on one walk before it gives up (the kernel's limit is 40).
pub const MAX_LINKS: usize = 40;
/// A config file larger than this is refused rather than read into memory.
pub const MAX_SIZE: u64 = 512 << 20;

/// A file read through one descriptor, with what the walk found about it.
#[derive(Debug, Clone)]
pub struct Opened {
    pub text: String,
    /// `Ok` when the file and the way to it are trusted, else the first reason not.
    pub trust: Result<(), String>,
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum OpenError {
    /// Nothing at that path, and no symlink on the way: the file does not exist.
    NotFound,
    /// A symlink on the way points at nothing.
    Dangling(String),
    /// Anything else, in words (permission, not a regular file, too many links...).
    Other(String),
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenError::NotFound => write!(f, "no such file"),
            OpenError::Dangling(m) | OpenError::Other(m) => write!(f, "{m}"),
        }
    }
}

/// Whether a directory, by its `fstat`, lets only root change its entries.
fn dir_verdict(shown: &Path, st: &rustix::fs::Stat) -> Result<(), String> {
    let mode = st.st_mode & 0o7777;
    if st.st_uid != 0 {
        return Err(format!(
            "{} is owned by uid {}, not root",
            shown.display(),
            st.st_uid
        ));
    }
    if mode & 0o022 != 0 && mode & 0o1000 == 0 {
        return Err(writable(shown, mode));
    }
    Ok(())
}

fn writable(shown: &Path, mode: u32) -> String {
    format!(
        "{} is writable by {} (mode {mode:o}): make it chmod go-w",
        shown.display(),
        if mode & 0o020 != 0 {
            "its group"
        } else {
            "others"
        }
    )
}

fn file_verdict(shown: &Path, st: &rustix::fs::Stat) -> Result<(), String> {
    let mode = st.st_mode & 0o7777;
    if st.st_uid != 0 {
        return Err(format!(
            "{} is owned by uid {}, not root",
            shown.display(),
            st.st_uid
        ));
    }
    if mode & 0o022 != 0 {
        return Err(writable(shown, mode));
    }
    Ok(())
}

fn is_dir(st: &rustix::fs::Stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFDIR
}

fn errno_text(e: Errno) -> String {
    std::io::Error::from(e).to_string()
}

/// The components of `path` made absolute against the current directory.
fn components(path: &Path) -> Result<VecDeque<OsString>, OpenError> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| OpenError::Other(format!("cannot find the current directory: {e}")))?
            .join(path)
    };
    Ok(abs
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            _ => None,
        })
        .collect())
}

/// One directory on the walk: its descriptor, where it is, and whether the way to it
/// is trusted.
struct Dir {
    fd: OwnedFd,
    shown: PathBuf,
    trust: Result<(), String>,
    /// Trusted only by the sticky-directory rule: links in it must be root's.
    sticky_only: bool,
}

fn root_dir() -> Result<Dir, OpenError> {
    let fd = openat(
        rustix::fs::CWD,
        "/",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| OpenError::Other(format!("/: {}", errno_text(e))))?;
    let st =
        rustix::fs::fstat(&fd).map_err(|e| OpenError::Other(format!("/: {}", errno_text(e))))?;
    let shown = PathBuf::from("/");
    Ok(Dir {
        trust: dir_verdict(&shown, &st),
        sticky_only: st.st_mode & 0o1022 > 0o1000,
        fd,
        shown,
    })
}

/// Opens `path` as described in the module doc and reads it.
pub fn open(path: &Path) -> Result<Opened, OpenError> {
    let (fd, st, shown, way) = walk(path, false)?;
    read_file(fd, &shown, &st, way)
}

/// Opens the directory `path` the same way; the verdict covers it and the way to it.
pub fn open_dir(path: &Path) -> Result<(OwnedFd, Result<(), String>), OpenError> {
    let (fd, st, shown, way) = walk(path, true)?;
    let trust = way.and_then(|()| dir_verdict(&shown, &st));
    Ok((fd, trust))
}

type Walked = (OwnedFd, rustix::fs::Stat, PathBuf, Result<(), String>);

/// The descriptor of the last component, its `fstat`, its path as walked, and the
/// verdict on the directories (and links) on the way to it.
fn walk(path: &Path, want_dir: bool) -> Result<Walked, OpenError> {
    let mut todo = components(path)?;
    let mut stack = vec![root_dir()?];
    let mut links = 0usize;
    // Set once a link from an untrusted directory was followed: whoever wrote it chose
    // everything after it, even where the walk climbs back into trusted directories.
    let mut taint: Result<(), String> = Ok(());
    while let Some(name) = todo.pop_front() {
        let last = todo.is_empty();
        let here = stack
            .last()
            .ok_or_else(|| OpenError::Other("empty walk".into()))?;
        if name == ".." {
            if stack.len() > 1 {
                stack.pop();
            }
            if last {
                return Err(OpenError::Other(format!("{}: a directory", path.display())));
            }
            continue;
        }
        let shown = here.shown.join(&name);
        let flags = if last && !want_dir {
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC
        } else {
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
        };
        match openat(&here.fd, name.as_os_str(), flags, Mode::empty()) {
            Ok(fd) => {
                let st = rustix::fs::fstat(&fd).map_err(|e| {
                    OpenError::Other(format!("{}: {}", shown.display(), errno_text(e)))
                })?;
                if last {
                    let way = taint.and(here.trust.clone());
                    return Ok((fd, st, shown, way));
                }
                let trust = here.trust.clone().and_then(|()| dir_verdict(&shown, &st));
                stack.push(Dir {
                    fd,
                    sticky_only: st.st_mode & 0o1022 > 0o1000,
                    shown,
                    trust,
                });
            }
            Err(e) if e == Errno::LOOP || e == Errno::NOTDIR => {
                // A symlink (or, for NOTDIR, maybe a plain file in the middle).
                let target = match readlinkat(&here.fd, name.as_os_str(), Vec::new()) {
                    Ok(t) => t,
                    Err(_) => {
                        return Err(OpenError::Other(format!(
                            "{}: {}",
                            shown.display(),
                            errno_text(e)
                        )));
                    }
                };
                links += 1;
                if links > MAX_LINKS {
                    return Err(OpenError::Other(format!(
                        "{}: more than {MAX_LINKS} symbolic links on the way",
                        path.display()
                    )));
                }
                let link_trust = link_verdict(here, &name, &shown);
                let target = PathBuf::from(OsString::from_vec(target.into_bytes()));
                if target.is_absolute() {
                    stack.truncate(1);
                }
                if taint.is_ok() {
                    taint = link_trust;
                }
                for c in target.components().rev() {
                    match c {
                        Component::Normal(n) => todo.push_front(n.to_os_string()),
                        Component::ParentDir => todo.push_front(OsString::from("..")),
                        _ => {}
                    }
                }
                if todo.is_empty() {
                    return Err(OpenError::Other(format!(
                        "{}: a directory",
                        shown.display()
                    )));
                }
            }
            Err(e) if e == Errno::NOENT => {
                return Err(if links > 0 {
                    OpenError::Dangling(format!(
                        "{}: a symbolic link on the way points at nothing ({} is missing)",
                        path.display(),
                        shown.display()
                    ))
                } else {
                    OpenError::NotFound
                });
            }
            Err(e) => {
                return Err(OpenError::Other(format!(
                    "{}: {}",
                    shown.display(),
                    errno_text(e)
                )));
            }
        }
    }
    Err(OpenError::Other(format!("{}: a directory", path.display())))
}

/// Whether a link at `name` in `dir` may be followed without losing trust.
fn link_verdict(dir: &Dir, name: &OsStr, shown: &Path) -> Result<(), String> {
    dir.trust.clone().map_err(|why| {
        format!(
            "{} is a symbolic link in a directory that is not trusted ({why})",
            shown.display()
        )
    })?;
    if dir.sticky_only {
        let st = statat(&dir.fd, name, AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|e| format!("{}: {}", shown.display(), errno_text(e)))?;
        if st.st_uid != 0 {
            return Err(format!(
                "{} is a symbolic link owned by uid {} in a shared sticky directory",
                shown.display(),
                st.st_uid
            ));
        }
    }
    Ok(())
}

fn read_file(
    fd: OwnedFd,
    shown: &Path,
    st: &rustix::fs::Stat,
    way: Result<(), String>,
) -> Result<Opened, OpenError> {
    // `--config /dev/null` means "defaults only" (and, being world-writable, is
    // never trusted); every other device, FIFO or directory is refused.
    let null = st.st_mode & libc::S_IFMT == libc::S_IFCHR && st.st_rdev == libc::makedev(1, 3);
    if null {
        return Ok(Opened {
            text: String::new(),
            trust: way.and_then(|()| file_verdict(shown, st)),
            uid: st.st_uid,
            gid: st.st_gid,
            mode: st.st_mode & 0o7777,
        });
    }
    if is_dir(st) || st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Err(OpenError::Other(format!(
            "{} is not a regular file",
            shown.display()
        )));
    }
    if st.st_size as u64 > MAX_SIZE {
        return Err(OpenError::Other(format!(
            "{} is larger than {} MiB",
            shown.display(),
            MAX_SIZE >> 20
        )));
    }
    let mut bytes = Vec::with_capacity(st.st_size as usize);
    std::fs::File::from(fd)
        .take(MAX_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| OpenError::Other(format!("{}: cannot read: {e}", shown.display())))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| OpenError::Other(format!("{} is not UTF-8 text", shown.display())))?;
    Ok(Opened {
        text,
        trust: way.and_then(|()| file_verdict(shown, st)),
        uid: st.st_uid,
        gid: st.st_gid,
        mode: st.st_mode & 0o7777,
    })
}

/// `Ok` when `path` is trusted, else the first reason it is not, in words.
pub fn check(path: &Path) -> Result<(), String> {
    match open(path) {
        Ok(o) => o.trust,
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}
