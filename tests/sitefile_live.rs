//! `sys::sitefile` against a site user who plants names in their own directory: links
//! to /etc/shadow and to another site's secret, a symlinked parent, a hard link, a
//! FIFO, a huge file, a file they may not read; for writes a planted symlink at the
//! target and at temp names, and a symlinked directory. Needs root (a test user).

mod support;

use quarterdeck::sys::account::Account;
use quarterdeck::sys::sitefile;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use support::qdconf::is_root;

const USER: &str = "qdtestsf";

fn site_user() -> Option<Account> {
    if !is_root() {
        eprintln!("skipped: needs root to create a user");
        return None;
    }
    support::ensure_user(USER);
    Account::by_name(USER)
}

/// A directory the site user owns (as their site's directory), mode 0755.
fn site_dir(u: &Account) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("dir");
    std::os::unix::fs::chown(d.path(), Some(u.uid), Some(u.gid)).expect("chown");
    std::fs::set_permissions(d.path(), PermissionsExt::from_mode(0o755)).expect("chmod");
    d
}

fn owned_file(p: &Path, u: &Account, text: &str, mode: u32) {
    std::fs::write(p, text).expect("write");
    std::os::unix::fs::chown(p, Some(u.uid), Some(u.gid)).expect("chown");
    std::fs::set_permissions(p, PermissionsExt::from_mode(mode)).expect("chmod");
}

#[test]
fn reads_refuse_every_planted_name_and_never_echo_content() {
    let Some(u) = site_user() else { return };
    let d = site_dir(&u);
    let env = d.path().join("app.env");
    owned_file(&env, &u, "GOOD=1\n", 0o600);
    assert_eq!(
        sitefile::read(&env, &u, 1 << 20).expect("own file"),
        b"GOOD=1\n"
    );

    // Another site's secret: a root-owned 0600 file elsewhere.
    let other = tempfile::tempdir().expect("other");
    let secret = other.path().join("other.env");
    std::fs::write(&secret, "OTHER_SITE_SECRET=hunter2\n").expect("secret");
    std::fs::set_permissions(&secret, PermissionsExt::from_mode(0o600)).expect("chmod");

    let check = |p: &Path, want: &str| {
        let e = sitefile::read(p, &u, 1 << 20).expect_err("refused");
        assert!(e.contains(want), "{e}");
        assert!(e.starts_with(&p.display().to_string()), "says where: {e}");
        assert!(
            !e.contains("hunter2") && !e.contains("root:"),
            "no content: {e}"
        );
    };
    let shadow = d.path().join("shadow.env");
    symlink("/etc/shadow", &shadow).expect("symlink");
    check(&shadow, "symbolic link");
    let stolen = d.path().join("stolen.env");
    symlink(&secret, &stolen).expect("symlink");
    check(&stolen, "symbolic link");
    // A symlinked parent directory.
    let linkdir = d.path().join("conf");
    symlink(other.path(), &linkdir).expect("symlink dir");
    check(&linkdir.join("other.env"), "is a symbolic link");
    // A hard link to the secret (root may make one; a site user with
    // protected_hardlinks=0 could too).
    let hard = d.path().join("hard.env");
    std::fs::hard_link(&secret, &hard).expect("hard link");
    check(&hard, "");
    // A root-owned 0600 file in the site dir: root could read it, the site user not.
    let rootonly = d.path().join("rootonly.env");
    std::fs::write(&rootonly, "ROOT_ONLY=hunter2\n").expect("write");
    std::fs::set_permissions(&rootonly, PermissionsExt::from_mode(0o600)).expect("chmod");
    check(&rootonly, "permission denied");
    // A huge file.
    let huge = d.path().join("huge.env");
    owned_file(&huge, &u, &"X=hunter2\n".repeat(200_000), 0o600);
    check(&huge, "more than the limit");
    // A FIFO: no writer ever comes; the read must not hang.
    let fifo = d.path().join("fifo.env");
    let st = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(st.success());
    let (tx, rx) = std::sync::mpsc::channel();
    let (f, uu) = (fifo.clone(), u.clone());
    std::thread::spawn(move || {
        let _ = tx.send(sitefile::read(&f, &uu, 1 << 20));
    });
    let r = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("a FIFO does not hang the read");
    assert!(r.is_err_and(|e| e.contains("FIFO")));
}

#[test]
fn replace_follows_no_planted_name_and_keeps_the_site_owner() {
    let Some(u) = site_user() else { return };
    let d = site_dir(&u);
    let victim_dir = tempfile::tempdir().expect("victim dir");
    let victim = victim_dir.path().join("victim");
    std::fs::write(&victim, "untouched\n").expect("victim");

    // The existing env file keeps 0600 site:site.
    let env = d.path().join("app.env");
    owned_file(&env, &u, "A=1\n", 0o600);
    sitefile::replace(&env, &u, b"A=2\n").expect("replace");
    let m = std::fs::metadata(&env).expect("meta");
    assert_eq!((m.uid(), m.gid(), m.mode() & 0o7777), (u.uid, u.gid, 0o600));
    assert_eq!(std::fs::read(&env).expect("read"), b"A=2\n");

    // Planted names at the temp names of today's and common editors.
    for t in [
        ".app.env.qd-tmp",
        "app.env.tmp",
        ".app.env.swp",
        "app.env.rejected",
    ] {
        symlink(&victim, d.path().join(t)).expect("plant");
    }
    sitefile::replace(&env, &u, b"A=3\n").expect("replace with planted temp names");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "untouched\n"
    );

    // A symlink at the target name is replaced, not followed.
    let target = d.path().join("linked.env");
    symlink(&victim, &target).expect("plant target");
    sitefile::replace(&target, &u, b"B=1\n").expect("replace a link");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "untouched\n"
    );
    let m = std::fs::symlink_metadata(&target).expect("meta");
    assert!(m.file_type().is_file(), "now a regular file");
    assert_eq!((m.uid(), m.gid(), m.mode() & 0o7777), (u.uid, u.gid, 0o600));

    // A symlinked directory: refused, nothing written where it points.
    let linkdir = d.path().join("etc");
    symlink(victim_dir.path(), &linkdir).expect("plant dir");
    let e = sitefile::replace(&linkdir.join("victim"), &u, b"PWNED\n").expect_err("refused");
    assert!(e.contains("symbolic link"), "{e}");
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "untouched\n"
    );
    let e = sitefile::remove(&linkdir.join("victim")).expect_err("refused");
    assert!(e.contains("symbolic link"), "{e}");
    assert!(victim.exists());

    // A new file: the owner's ids, 0600; a root-owned directory with owner root
    // (unit files) gets root:root and the mode asked for.
    let fresh = d.path().join("new.env");
    sitefile::replace(&fresh, &u, b"N=1\n").expect("new");
    let m = std::fs::metadata(&fresh).expect("meta");
    assert_eq!((m.uid(), m.gid(), m.mode() & 0o7777), (u.uid, u.gid, 0o600));
    let root = Account::by_name("root").expect("root");
    let unit = victim_dir.path().join("qd-x.service");
    sitefile::replace_mode(&unit, &root, b"[Service]\n", 0o644).expect("unit");
    let m = std::fs::metadata(&unit).expect("meta");
    assert_eq!((m.uid(), m.gid(), m.mode() & 0o7777), (0, 0, 0o644));
    // Nothing but the files above is left in the site dir (no temp files).
    let mut names: Vec<String> = std::fs::read_dir(d.path())
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".qd-") && n != ".app.env.qd-tmp")
        .collect();
    names.sort();
    assert!(names.is_empty(), "temp files left: {names:?}");
}
