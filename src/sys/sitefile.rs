//! Files in a directory a site user controls, handled as hostile: read and written
//! without following any name the site user could plant, keeping owner and mode,
//! through a temp file created exclusively, and never echoing their content in errors.
//!
//! Every path is walked from `/` one component at a time with `O_NOFOLLOW`, so a
//! symlink anywhere (the file, a parent directory) is refused rather than followed,
//! and the file that is checked is the descriptor that is read. When qd is root and
//! the file belongs to a site user, reads happen on a short-lived thread whose
//! filesystem ids (setfsuid/setfsgid and its groups, which Linux keeps per thread when
//! set with raw system calls) are the site user's: root's rights never reach the file.

use crate::sys::account::Account;
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};
use rustix::io::Errno;
use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Component, Path};

/// Why an operation failed, as "PATH: reason" (the content never appears).
fn err(path: &Path, why: impl std::fmt::Display) -> String {
    format!("{}: {why}", path.display())
}

fn errno_words(e: Errno) -> String {
    match e {
        Errno::ACCESS | Errno::PERM => "permission denied (as the file's owner)".into(),
        Errno::NOENT => "does not exist".into(),
        Errno::LOOP => "is a symbolic link: qd follows no link in a site's files".into(),
        Errno::NOTDIR => "a parent is not a directory (or is a symbolic link)".into(),
        other => crate::sys::errno::describe(&other),
    }
}

/// The directory holding `path` and the file's last component, or why not.
fn split(path: &Path) -> Result<(Vec<&OsStr>, &OsStr), String> {
    if !path.is_absolute() {
        return Err(err(path, "not an absolute path"));
    }
    let mut parts = Vec::new();
    for c in path.components() {
        match c {
            Component::RootDir => {}
            Component::Normal(n) => parts.push(n),
            _ => return Err(err(path, "`.` or `..` in the path")),
        }
    }
    let name = parts.pop().ok_or_else(|| err(path, "no file name"))?;
    Ok((parts, name))
}

/// Opens the directory `parts` (under `/`) without following a link in any component.
fn open_dir(path: &Path, parts: &[&OsStr]) -> Result<OwnedFd, String> {
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mut dir = rustix::fs::open("/", flags, Mode::empty()).map_err(|e| err(path, e))?;
    let mut walked = std::path::PathBuf::from("/");
    for p in parts {
        walked.push(p);
        dir = rustix::fs::openat(&dir, *p, flags, Mode::empty()).map_err(|e| match e {
            Errno::NOTDIR | Errno::LOOP => {
                let link = rustix::fs::statat(&dir, *p, AtFlags::SYMLINK_NOFOLLOW)
                    .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink);
                if link {
                    err(
                        path,
                        format!(
                            "{} is a symbolic link: qd follows no link in a site's files",
                            walked.display()
                        ),
                    )
                } else {
                    err(path, format!("{} is not a directory", walked.display()))
                }
            }
            other => err(
                path,
                format!("{}: {}", walked.display(), errno_words(other)),
            ),
        })?;
    }
    Ok(dir)
}

/// Runs `f` with `owner`'s filesystem rights when qd is root and `owner` is not
/// (also `sys::ownfile`'s: an export is written with the operator's rights).
pub(crate) fn as_owner<T: Send>(
    owner: &Account,
    f: impl FnOnce() -> T + Send,
) -> Result<T, String> {
    if !rustix::process::geteuid().is_root() || owner.uid == 0 {
        return Ok(f());
    }
    let (uid, gid, groups) = (owner.uid, owner.gid, owner.groups.clone());
    std::thread::scope(|s| {
        s.spawn(move || {
            // SAFETY: raw setgroups/setfsgid/setfsuid change only the calling thread's
            // credentials (glibc's wrappers would change every thread's); this thread
            // ends right after `f`, so its lowered rights never serve anything else.
            unsafe {
                if libc::syscall(libc::SYS_setgroups, groups.len(), groups.as_ptr()) != 0 {
                    return Err("cannot take the owner's groups".to_string());
                }
                libc::syscall(libc::SYS_setfsgid, gid);
                libc::syscall(libc::SYS_setfsuid, uid);
                // Both return the previous id: asking again with -1 tells the current.
                if libc::syscall(libc::SYS_setfsuid, -1i32) as u32 != uid
                    || libc::syscall(libc::SYS_setfsgid, -1i32) as u32 != gid
                {
                    return Err("cannot take the owner's filesystem ids".to_string());
                }
            }
            Ok(f())
        })
        .join()
        .map_err(|_| "the reading thread panicked".to_string())?
    })
}

fn kind(st: &Stat) -> &'static str {
    match FileType::from_raw_mode(st.st_mode) {
        FileType::RegularFile => "a regular file",
        FileType::Directory => "a directory",
        FileType::Symlink => "a symbolic link",
        FileType::Fifo => "a FIFO",
        FileType::Socket => "a socket",
        FileType::CharacterDevice => "a character device",
        FileType::BlockDevice => "a block device",
        FileType::Unknown => "an unknown kind of file",
    }
}

/// Opens the regular file `name` in `path`'s directory (walked without following
/// links), and checks the descriptor it opened. NONBLOCK: a FIFO opens at once instead
/// of waiting for a writer (then the type check refuses it); NOCTTY: a terminal never
/// becomes qd's.
fn open_regular(path: &Path, parts: &[&OsStr], name: &OsStr) -> Result<(OwnedFd, Stat), String> {
    let dir = open_dir(path, parts)?;
    let flags =
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(&dir, name, flags, Mode::empty())
        .map_err(|e| err(path, errno_words(e)))?;
    let st = rustix::fs::fstat(&fd).map_err(|e| err(path, e))?;
    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile {
        return Err(err(path, format!("is {}, not a regular file", kind(&st))));
    }
    Ok((fd, st))
}

/// Reads `path` as `owner` would be allowed to: no symlink is followed in any
/// component, the file must be a regular file with one link owned by `owner` or root,
/// at most `max` bytes. Errors say what and where, never the content.
pub fn read(path: &Path, owner: &Account, max: usize) -> Result<Vec<u8>, String> {
    let (parts, name) = split(path)?;
    as_owner(owner, || {
        let (fd, st) = open_regular(path, &parts, name)?;
        if st.st_uid != owner.uid && st.st_uid != 0 {
            return Err(err(
                path,
                format!(
                    "owned by uid {}, neither {} nor root",
                    st.st_uid, owner.name
                ),
            ));
        }
        if st.st_nlink != 1 {
            return Err(err(
                path,
                format!(
                    "has {} hard links: it may be another file's name",
                    st.st_nlink
                ),
            ));
        }
        if st.st_size as u64 > max as u64 {
            return Err(err(
                path,
                format!("is {} bytes, more than the limit of {max}", st.st_size),
            ));
        }
        let mut out = Vec::new();
        std::fs::File::from(fd)
            .take(max as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| err(path, e))?;
        if out.len() > max {
            return Err(err(path, format!("grew past the limit of {max} bytes")));
        }
        Ok(out)
    })?
}

/// Opens `path` for reading as `owner` would be allowed to, for a file qd follows
/// (a unit's log): no symlink is followed in any component, the descriptor opened is
/// the one checked, and it must be a regular file (a FIFO would hang a reader, a
/// device such as /dev/zero never ends). Unlike [`read`] neither the file's owner nor
/// its link count is checked: systemd creates `append:` files as root, and a hard
/// link to a file `owner` may not read is refused by `owner`'s own rights. The
/// returned file is blocking again, so the caller can seek and read it.
pub fn open_read(path: &Path, owner: &Account) -> Result<std::fs::File, String> {
    let (parts, name) = split(path)?;
    as_owner(owner, || {
        let (fd, _) = open_regular(path, &parts, name)?;
        let fl = rustix::fs::fcntl_getfl(&fd).map_err(|e| err(path, e))?;
        rustix::fs::fcntl_setfl(&fd, fl - OFlags::NONBLOCK).map_err(|e| err(path, e))?;
        Ok(std::fs::File::from(fd))
    })?
}

/// Eight random bytes as hex, for a temp file name no one can predict.
fn random_suffix() -> String {
    let mut b = [0u8; 8];
    // SAFETY: getrandom writes at most b.len() bytes into b.
    let n = unsafe { libc::getrandom(b.as_mut_ptr().cast(), b.len(), 0) };
    if n != b.len() as isize {
        // Unpredictable enough as a fallback: O_EXCL still refuses any planted name.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        b = ((t as u64) ^ (std::process::id() as u64).rotate_left(32)).to_le_bytes();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Replaces `path` with `content`: a temp file created exclusively (O_EXCL, no
/// follow) in the same directory, given the old file's owner and mode (or `owner`'s
/// uid/gid and mode 0600 for a new file), fsynced, renamed over the target.
pub fn replace(path: &Path, owner: &Account, content: &[u8]) -> Result<(), String> {
    replace_mode(path, owner, content, 0o600)
}

/// [`replace`] with the mode a new file gets (unit files are 0644).
pub fn replace_mode(
    path: &Path,
    owner: &Account,
    content: &[u8],
    new_mode: u32,
) -> Result<(), String> {
    let (parts, name) = split(path)?;
    let dir = open_dir(path, &parts)?;
    // The old file decides owner and mode, unless it is something the site user could
    // have planted: a link (symbolic or hard) or a file of someone else.
    let (uid, gid, mode) = match rustix::fs::statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW) {
        Ok(st) => match FileType::from_raw_mode(st.st_mode) {
            FileType::RegularFile
                if st.st_nlink == 1 && (st.st_uid == owner.uid || st.st_uid == 0) =>
            {
                (st.st_uid, st.st_gid, st.st_mode & 0o777)
            }
            FileType::RegularFile | FileType::Symlink => (owner.uid, owner.gid, new_mode),
            _ => return Err(err(path, format!("is {}, not a regular file", kind(&st)))),
        },
        Err(Errno::NOENT) => (owner.uid, owner.gid, new_mode),
        Err(e) => return Err(err(path, errno_words(e))),
    };
    let base = name.as_bytes();
    let (tmp_name, tmp) = {
        let mut tries = 0;
        loop {
            let mut t = b".".to_vec();
            t.extend_from_slice(&base[..base.len().min(200)]);
            t.extend_from_slice(format!(".qd-{}", random_suffix()).as_bytes());
            let t = std::ffi::OsString::from_vec(t);
            let flags = OFlags::WRONLY
                | OFlags::CREATE
                | OFlags::EXCL
                | OFlags::NOFOLLOW
                | OFlags::NOCTTY
                | OFlags::CLOEXEC;
            match rustix::fs::openat(&dir, &t, flags, Mode::from_raw_mode(0o600)) {
                Ok(fd) => break (t, fd),
                Err(Errno::EXIST) if tries < 16 => tries += 1,
                Err(e) => {
                    return Err(err(
                        path,
                        format!("cannot create a temp file beside it: {}", errno_words(e)),
                    ));
                }
            }
        }
    };
    let written = (|| {
        let me = rustix::process::geteuid();
        if me.is_root() {
            rustix::fs::fchown(
                &tmp,
                Some(rustix::fs::Uid::from_raw(uid)),
                Some(rustix::fs::Gid::from_raw(gid)),
            )
            .map_err(|e| format!("cannot give it its owner: {e}"))?;
        }
        // After the chown, which clears set-id bits; never set them ourselves.
        rustix::fs::fchmod(&tmp, Mode::from_raw_mode(mode & 0o777))
            .map_err(|e| format!("cannot set its mode: {e}"))?;
        let mut f = std::fs::File::from(tmp.try_clone().map_err(|e| e.to_string())?);
        std::io::Write::write_all(&mut f, content).map_err(|e| format!("write: {e}"))?;
        rustix::fs::fsync(&tmp).map_err(|e| format!("fsync: {e}"))?;
        // rename replaces the directory entry itself: a symlink there is replaced,
        // never followed.
        rustix::fs::renameat(&dir, &tmp_name, &dir, name).map_err(|e| format!("rename: {e}"))?;
        Ok::<(), String>(())
    })();
    if let Err(e) = written {
        let _ = rustix::fs::unlinkat(&dir, &tmp_name, AtFlags::empty());
        return Err(err(path, e));
    }
    // The rename itself survives a crash once the directory is synced too.
    if let Ok(d) = rustix::fs::openat(
        &dir,
        ".",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    ) {
        let _ = rustix::fs::fsync(d.as_fd());
    }
    Ok(())
}

/// Removes `path` (a file or a symbolic link, never what a link points at), walking
/// its directory without following links. `Ok(false)`: there was nothing to remove.
pub fn remove(path: &Path) -> Result<bool, String> {
    let (parts, name) = split(path)?;
    let dir = open_dir(path, &parts)?;
    match rustix::fs::unlinkat(&dir, name, AtFlags::empty()) {
        Ok(()) => Ok(true),
        Err(Errno::NOENT) => Ok(false),
        Err(e) => Err(err(path, errno_words(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn me() -> Account {
        Account::by_uid(rustix::process::geteuid().as_raw()).expect("my account")
    }

    #[test]
    fn relative_and_dotdot_paths_are_refused() {
        assert!(read(Path::new("a/b"), &me(), 10).is_err_and(|e| e.contains("absolute")));
        assert!(read(Path::new("/tmp/../etc/x"), &me(), 10).is_err_and(|e| e.contains("..")));
    }

    #[test]
    fn replace_then_read_round_trips_and_keeps_the_mode() {
        let d = tempfile::tempdir().expect("dir");
        let p = d.path().join("f.env");
        replace(&p, &me(), b"A=1\n").expect("replace new");
        assert_eq!(read(&p, &me(), 100).expect("read"), b"A=1\n");
        let mode = |p: &Path| {
            std::os::unix::fs::PermissionsExt::mode(
                &std::fs::metadata(p).expect("meta").permissions(),
            ) & 0o777
        };
        assert_eq!(mode(&p), 0o600);
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o640))
            .expect("chmod");
        replace(&p, &me(), b"A=2\n").expect("replace old");
        assert_eq!(mode(&p), 0o640);
        assert!(read(&p, &me(), 2).is_err_and(|e| e.contains("limit") && !e.contains("A=2")));
        remove(&p).expect("remove");
        assert!(!p.exists());
        let left: Vec<_> = std::fs::read_dir(d.path()).expect("ls").collect();
        assert!(left.is_empty(), "no temp file left: {left:?}");
    }
}
