//! A new file of the operator's own (a table export), created as the operator: with
//! their filesystem rights when qd is root for them (`sudo qd`), so root's rights never
//! reach a path they name, and without following any link they could plant.
//!
//! The path is walked from `/` one component at a time with `O_NOFOLLOW` (a symbolic
//! link as the file or as any parent is refused), the file is created with
//! `O_CREAT|O_EXCL|O_NOFOLLOW` mode 0600 (an existing name, link or not, is refused,
//! never replaced), and missing parents are created 0700 only when the caller asks
//! (the default exports dir). All of it runs on `sitefile::as_owner`'s short-lived
//! thread whose filesystem ids are the operator's, so the kernel checks every step
//! against what they could do themselves, and what is created is theirs.

use crate::sys::account::Account;
use rustix::fd::OwnedFd;
use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use rustix::io::Errno;
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};

/// "PATH: reason".
fn err(path: &Path, why: impl std::fmt::Display) -> String {
    format!("{}: {why}", path.display())
}

/// An errno as the reason, with whose rights were checked.
fn words(e: Errno, who: &str) -> String {
    match e {
        Errno::ACCESS | Errno::PERM => format!("permission denied ({who})"),
        Errno::ROFS => "a read-only file system".into(),
        Errno::NOENT => "does not exist".into(),
        Errno::LOOP => "is a symbolic link: qd follows no link in an export's path".into(),
        Errno::NOTDIR => "a parent is not a directory".into(),
        Errno::NOSPC | Errno::DQUOT => "no space left on the device".into(),
        Errno::NAMETOOLONG => "the name is too long".into(),
        other => format!("{other}"),
    }
}

/// The parent components of `path` (under `/`) and its file name, or why not.
fn split(path: &Path) -> Result<(Vec<&OsStr>, &OsStr), String> {
    if path.as_os_str().is_empty() {
        return Err("no path given".into());
    }
    if !path.is_absolute() {
        return Err(err(path, "not an absolute path"));
    }
    let bytes = path.as_os_str().as_encoded_bytes();
    // No file name holds one; the system call would only say "invalid argument".
    if bytes.contains(&0) {
        return Err(err(path, "holds a NUL byte, which no file name may"));
    }
    // `Path` drops a trailing `/` and `/.`, which name a directory: never a file's
    // name (`/srv/new/.` would otherwise create the file `/srv/new`).
    if bytes.ends_with(b"/") || bytes.ends_with(b"/.") {
        return Err(err(path, "names a directory, not a file"));
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

/// Whether `name` in `dir` is a symbolic link (for the reason of a refusal).
fn is_link(dir: &OwnedFd, name: &OsStr) -> bool {
    rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
        .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink)
}

/// Gives the directory just made, `made` (opened as `name` in `parent`), mode 0700
/// exactly when the umask took bits off: through a descriptor of that very directory,
/// never by name. By name, chmod follows a link the operator swaps in meanwhile, and
/// as root (qd run as root itself, its state dir in the operator's home) that is a
/// chmod of any file they point it at. A directory whose owner may not read it
/// (umask 0400) cannot be opened to chmod it: then these rights have no override, and
/// the chmod by name can reach nothing but their own files.
fn exactly_0700(parent: &OwnedFd, name: &OsStr, made: &OwnedFd) {
    let mode = Mode::from_raw_mode(0o700);
    if rustix::fs::fstat(made).is_ok_and(|st| st.st_mode & 0o7777 == 0o700) {
        return;
    }
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    match rustix::fs::openat(made, ".", flags, Mode::empty()) {
        Ok(d) => {
            let _ = rustix::fs::fchmod(&d, mode);
        }
        Err(Errno::ACCESS) => {
            let _ = rustix::fs::chmodat(parent, name, mode, AtFlags::empty());
        }
        Err(_) => {}
    }
}

/// Opens the directory `parts` without following a link in any component; a missing
/// one is created 0700 when `create`.
fn open_dir(path: &Path, parts: &[&OsStr], create: bool, who: &str) -> Result<OwnedFd, String> {
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let mut dir = rustix::fs::open("/", flags, Mode::empty()).map_err(|e| err(path, e))?;
    let mut walked = PathBuf::from("/");
    for p in parts {
        walked.push(p);
        let at = |why: String| err(path, format!("{}: {why}", walked.display()));
        let opened = match rustix::fs::openat(&dir, *p, flags, Mode::empty()) {
            Err(Errno::NOENT) if create => {
                match rustix::fs::mkdirat(&dir, *p, Mode::from_raw_mode(0o700)) {
                    // EXIST: made meanwhile; the open below checks what it is.
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(at(format!("cannot create it: {}", words(e, who)))),
                }
                // The no-follow open refuses a link swapped in for the new directory.
                let fd = rustix::fs::openat(&dir, *p, flags, Mode::empty());
                if let Ok(fd) = &fd {
                    exactly_0700(&dir, p, fd);
                }
                if let Ok(fd) = &fd
                    && let Ok(st) = rustix::fs::fstat(fd)
                    && st.st_mode & 0o7777 != 0o700
                {
                    return Err(at(format!(
                        "is mode {:o} once created, not 0700",
                        st.st_mode & 0o7777
                    )));
                }
                fd
            }
            other => other,
        };
        dir = opened.map_err(|e| match e {
            Errno::NOTDIR | Errno::LOOP if is_link(&dir, p) => {
                at("is a symbolic link: qd follows no link in an export's path".into())
            }
            Errno::NOTDIR | Errno::LOOP => at("is not a directory".into()),
            Errno::NOENT => at("does not exist".into()),
            other => at(words(other, who)),
        })?;
    }
    Ok(dir)
}

/// Creates `path` (exclusively, mode 0600) and writes `content` to it, in the
/// calling thread's rights. A file that cannot be written whole is removed again.
fn create_here(path: &Path, content: &[u8], make_dirs: bool, who: &str) -> Result<(), String> {
    let (parts, name) = split(path)?;
    // A write past the file size limit (`ulimit -f`, which the operator's shell passes
    // on through sudo) would kill qd with SIGXFSZ halfway, leaving half a file.
    if let Some(max) = rustix::process::getrlimit(rustix::process::Resource::Fsize).current
        && content.len() as u64 > max
    {
        return Err(err(
            path,
            format!(
                "{} bytes are more than the file size limit of {max} bytes (ulimit -f)",
                content.len()
            ),
        ));
    }
    let dir = open_dir(path, &parts, make_dirs, who)?;
    let flags = OFlags::WRONLY
        | OFlags::CREATE
        | OFlags::EXCL
        | OFlags::NOFOLLOW
        | OFlags::NOCTTY
        | OFlags::CLOEXEC;
    let fd =
        rustix::fs::openat(&dir, name, flags, Mode::from_raw_mode(0o600)).map_err(|e| match e {
            Errno::EXIST if is_link(&dir, name) => {
                err(path, "exists (a symbolic link): choose another name")
            }
            Errno::EXIST => err(path, "exists: choose another name"),
            other => err(path, words(other, who)),
        })?;
    let written = (|| {
        // The umask may have taken bits off, never added any: 0600 exactly.
        rustix::fs::fchmod(&fd, Mode::from_raw_mode(0o600))
            .map_err(|e| format!("cannot set its mode: {e}"))?;
        let mut f = std::fs::File::from(fd.try_clone().map_err(|e| e.to_string())?);
        std::io::Write::write_all(&mut f, content)
            .map_err(|e| format!("write: {}", crate::sys::errno::io_sentence(&e)))?;
        rustix::fs::fsync(&fd).map_err(|e| format!("fsync: {}", words(e, who)))
    })();
    if let Err(e) = written {
        // The name was free and the file is ours: a half export would only block it.
        let _ = rustix::fs::unlinkat(&dir, name, AtFlags::empty());
        return Err(err(path, e));
    }
    // The new name survives a crash once its directory is synced too.
    if let Ok(d) = rustix::fs::openat(
        &dir,
        ".",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    ) {
        let _ = rustix::fs::fsync(&d);
    }
    Ok(())
}

/// Creates the new file `path` holding `content`, as `user` when given (qd is root
/// for them: their filesystem ids and groups on a thread of its own) or with qd's
/// own rights. `make_dirs`: missing parents are created 0700 (the default dir only;
/// a path the operator typed must name an existing directory). Errors say the path
/// and the reason, never the content.
pub fn create(
    path: &Path,
    content: &[u8],
    user: Option<&Account>,
    make_dirs: bool,
) -> Result<(), String> {
    let who = match user {
        Some(a) => format!("as {}", a.name),
        None => format!(
            "as {}",
            crate::sys::users::UserDb::new().name(rustix::process::geteuid().as_raw())
        ),
    };
    match user {
        Some(a) => super::sitefile::as_owner(a, || create_here(path, content, make_dirs, &who))?,
        None => create_here(path, content, make_dirs, &who),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::symlink_metadata(p)
            .expect("meta")
            .permissions()
            .mode()
            & 0o7777
    }

    #[test]
    fn bad_paths_are_refused_with_the_reason() {
        let d = tempfile::tempdir().expect("dir");
        let rel = create(Path::new("out.csv"), b"x", None, false);
        assert!(rel.is_err_and(|e| e.contains("not an absolute path")));
        assert_eq!(
            create(Path::new(""), b"x", None, false),
            Err("no path given".into())
        );
        let dotdot = d.path().join("a/../b.csv");
        assert!(create(&dotdot, b"x", None, true).is_err_and(|e| e.contains("..")));
        let slash = format!("{}/x/", d.path().display());
        assert!(
            create(Path::new(&slash), b"x", None, true).is_err_and(|e| e.contains("directory"))
        );
        assert!(!d.path().join("x").exists() && !d.path().join("a").exists());
    }

    #[test]
    fn a_new_file_is_0600_missing_dirs_0700_and_an_existing_name_is_kept() {
        let d = tempfile::tempdir().expect("dir");
        let p = d.path().join("a/b/t.csv");
        let e = create(&p, b"1", None, false).expect_err("no parent, none made");
        assert!(e.contains("does not exist") && e.contains("/a"), "{e}");
        create(&p, b"one\r\n", None, true).expect("create");
        assert_eq!(std::fs::read(&p).expect("read"), b"one\r\n");
        assert_eq!(mode(&p), 0o600);
        assert_eq!(mode(&d.path().join("a")), 0o700);
        assert_eq!(mode(&d.path().join("a/b")), 0o700);
        let e = create(&p, b"two", None, true).expect_err("exists");
        assert!(e.ends_with("exists: choose another name"), "{e}");
        assert_eq!(std::fs::read(&p).expect("read"), b"one\r\n");
    }
}
