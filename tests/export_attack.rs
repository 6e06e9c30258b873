//! Attacks on where a table export writes, each as a test: a parent swapped for a
//! link mid-walk, a made directory swapped for one before its chmod, hard links,
//! sockets, FIFOs and devices, /proc and /dev/fd paths, NUL, `/.` and overlong names,
//! a full disk and a file size limit. Hostile text in the file, the audit log and on
//! screen: tests/export_attack_text.rs; as root for an operator (sudo):
//! tests/export_attack_sudo.rs. Every body runs in a child process
//! (support::export::in_child).

mod support;

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use support::export::*;
use support::qdconf::is_root;
/// Runs `swap` in a loop on a thread of its own until `body` returns.
fn racing<T>(swap: impl Fn() + Send + 'static, body: impl FnOnce() -> T) -> T {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let t = std::thread::spawn(move || {
        while !s.load(Ordering::Relaxed) {
            swap();
        }
    });
    let out = body();
    stop.store(true, Ordering::Relaxed);
    t.join().expect("the swapping thread");
    out
}

#[test]
fn a_parent_swapped_for_a_link_mid_export_never_leads_the_write_out() {
    let Some(dir) = in_child(
        "a_parent_swapped_for_a_link_mid_export_never_leads_the_write_out",
        |_| vec![],
    ) else {
        return;
    };
    // `race/d` is a real directory and `race/l` a link to `victim`; the thread swaps
    // the two names atomically (RENAME_EXCHANGE), so `race/d` is now one, now the other.
    let race = dir.join("race");
    let victim = dir.join("victim");
    std::fs::create_dir_all(race.join("d")).expect("mkdir");
    std::fs::create_dir(&victim).expect("mkdir");
    std::os::unix::fs::symlink(&victim, race.join("l")).expect("link");
    let r = race.clone();
    let swap = move || {
        let flags = rustix::fs::RenameFlags::EXCHANGE;
        let cwd = rustix::fs::CWD;
        rustix::fs::renameat_with(cwd, r.join("d"), cwd, r.join("l"), flags).expect("exchange");
    };
    let d = open(&dir);
    let (ok, refused) = racing(swap, || {
        let (mut ok, mut refused) = (0, 0);
        for i in 0..400 {
            let o = export(&d, &race.join(format!("d/x{i}.csv")), "row\r\n");
            if o.ok() {
                ok += 1;
            } else {
                // The reason is read after the refusal: swapped back by then, the link
                // is a directory again, and the walk says it was none.
                let m = &o.message;
                assert!(
                    m.contains("race/d: is a symbolic link")
                        || m.contains("race/d: is not a directory"),
                    "{o:?}"
                );
                refused += 1;
            }
        }
        (ok, refused)
    });
    assert!(names(&victim).is_empty(), "written through the link");
    eprintln!("{ok} written, {refused} refused at a link");
}

#[test]
fn a_made_dir_swapped_for_a_link_gets_no_chmod_through_it() {
    // Broke: the default dir was made and then chmodded 0700 by name, which follows a
    // link swapped in between. qd run as root itself with its state dir in the
    // operator's home (`su -m`) then chmodded any file they chose.
    let Some(dir) = in_child(
        "a_made_dir_swapped_for_a_link_gets_no_chmod_through_it",
        |d| vec![var("XDG_STATE_HOME", d.join("state"))],
    ) else {
        return;
    };
    // An owner without x on a new dir: the mode needs setting, so the race is open.
    // SAFETY: umask(2) has no preconditions.
    unsafe { libc::umask(0o177) };
    let q = dir.join("state/quarterdeck");
    std::fs::create_dir_all(&q).expect("mkdir");
    let exports = quarterdeck::config::paths::exports_dir().expect("default dir");
    assert_eq!(exports, q.join("exports"));
    let victim = dir.join("victim");
    std::fs::write(&victim, "v").expect("write");
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let (e, v) = (exports.clone(), victim.clone());
    let n = std::sync::atomic::AtomicU64::new(0);
    let swap = move || {
        let i = n.fetch_add(1, Ordering::Relaxed);
        if std::fs::rename(&e, e.with_file_name(format!("moved{i}"))).is_ok() {
            let _ = std::os::unix::fs::symlink(&v, &e);
        }
    };
    racing(swap, || {
        for i in 0..1500 {
            let _ = std::fs::remove_file(&exports);
            let p = exports.join(format!("x{i}.csv"));
            let _ = quarterdeck::sys::ownfile::create(&p, b"x", None, true);
            assert_eq!(mode(&victim), 0o644, "chmodded through the link at try {i}");
        }
    });
    // Unraced, the dir is made 0700 whatever the umask.
    let _ = std::fs::remove_file(&exports);
    let p = exports.join("last.csv");
    quarterdeck::sys::ownfile::create(&p, b"x", None, true).expect("create");
    assert_eq!((mode(&exports), mode(&p)), (0o700, 0o600));
}

#[test]
fn a_hard_link_socket_fifo_or_device_at_the_name_or_as_a_parent_is_never_written() {
    let Some(dir) = in_child(
        "a_hard_link_socket_fifo_or_device_at_the_name_or_as_a_parent_is_never_written",
        |_| vec![],
    ) else {
        return;
    };
    let d = open(&dir);
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").expect("write");
    let hard = dir.join("hard.csv");
    std::fs::hard_link(&victim, &hard).expect("link");
    assert!(refused(&d, &hard).ends_with("exists: choose another name"));
    let sock = dir.join("sock.csv");
    let _l = std::os::unix::net::UnixListener::bind(&sock).expect("bind");
    assert!(refused(&d, &sock).ends_with("exists: choose another name"));
    assert!(refused(&d, Path::new("/dev/null")).ends_with("exists: choose another name"));
    let fifo = dir.join("fifo");
    let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).expect("c");
    // SAFETY: mkfifo(3) with a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    for parent in [fifo.as_path(), victim.as_path(), Path::new("/dev/null")] {
        let why = refused(&d, &parent.join("x.csv"));
        assert!(why.ends_with(": is not a directory"), "{why}");
    }
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
}

#[test]
fn proc_and_dev_fd_paths_reach_no_open_file_or_directory() {
    let Some(dir) = in_child(
        "proc_and_dev_fd_paths_reach_no_open_file_or_directory",
        |_| vec![],
    ) else {
        return;
    };
    let d = open(&dir);
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").expect("write");
    let vdir = dir.join("vdir");
    std::fs::create_dir(&vdir).expect("mkdir");
    // Descriptors qd might hold: a file open for writing, a directory.
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(&victim)
        .expect("open");
    let dfd = std::fs::File::open(&vdir).expect("open dir");
    use std::os::fd::AsRawFd;
    let (f, df) = (file.as_raw_fd(), dfd.as_raw_fd());
    let me = std::process::id();
    let cases = [
        (
            format!("/proc/{me}/fd/{f}"),
            "exists (a symbolic link)".to_string(),
        ),
        (
            format!("/proc/{me}/fd/{df}/x.csv"),
            format!("/proc/{me}/fd/{df}: is a symbolic link"),
        ),
        (
            format!("/proc/{me}/cwd/x.csv"),
            format!("/proc/{me}/cwd: is a symbolic link"),
        ),
        (
            format!("/proc/self/fd/{f}"),
            "/proc/self: is a symbolic link".into(),
        ),
        (
            "/proc/thread-self/x.csv".into(),
            "/proc/thread-self: is a symbolic link".into(),
        ),
        (format!("/dev/fd/{f}"), "/dev/fd: is a symbolic link".into()),
        ("/dev/stdout".into(), "exists (a symbolic link)".into()),
    ];
    for (p, want) in cases {
        let why = refused(&d, Path::new(&p));
        assert!(why.contains(&want), "{p}: {why}");
    }
    assert_eq!(std::fs::read_to_string(&victim).expect("read"), "precious");
    assert!(names(&vdir).is_empty());
}

#[test]
fn nul_a_trailing_dot_and_long_names_get_a_clear_error_and_deep_paths_work() {
    let Some(dir) = in_child(
        "nul_a_trailing_dot_and_long_names_get_a_clear_error_and_deep_paths_work",
        |_| vec![],
    ) else {
        return;
    };
    let d = open(&dir);
    // Broke: "Invalid argument" (NUL), and `new/.` made the *file* `new`.
    let nul = PathBuf::from(std::ffi::OsStr::from_bytes(
        format!("{}/a\0b.csv", dir.display()).as_bytes(),
    ));
    let why = refused(&d, &nul);
    assert!(why.contains("holds a NUL byte"), "{why}");
    let dot = format!("{}/new/.", dir.display());
    let why = refused(&d, Path::new(&dot));
    assert!(why.contains("names a directory, not a file"), "{why}");
    assert!(!dir.join("new").exists());
    // The longest name is fine, one more byte is said so.
    let long = dir.join("n".repeat(251) + ".csv");
    assert!(export(&d, &long, "x\r\n").ok());
    let why = refused(&d, &dir.join("n".repeat(252) + ".csv"));
    assert!(why.ends_with("the name is too long"), "{why}");
    // The walk goes one component at a time: a path longer than PATH_MAX works.
    std::env::set_current_dir(&dir).expect("cd");
    let mut deep = dir.clone();
    for _ in 0..1000 {
        std::fs::create_dir("dddd").expect("mkdir");
        std::env::set_current_dir("dddd").expect("cd");
        deep.push("dddd");
    }
    let p = deep.join("x.csv");
    assert!(p.as_os_str().len() > 4096);
    let o = export(&d, &p, "deep\r\n");
    assert!(o.ok(), "{}", o.message.len());
    assert_eq!(std::fs::read_to_string("x.csv").expect("read"), "deep\r\n");
}

#[test]
fn a_full_disk_mid_write_leaves_no_file_and_no_content_in_the_error() {
    if !is_root() {
        eprintln!("skipped: a small tmpfs needs root");
        return;
    }
    let Some(dir) = in_child(
        "a_full_disk_mid_write_leaves_no_file_and_no_content_in_the_error",
        |_| vec![],
    ) else {
        return;
    };
    // A 64 KiB tmpfs in a mount namespace of this thread's own (gone with the child).
    // SAFETY: unshare(2) and mount(2) with NUL-terminated strings; the namespace is
    // this thread's (its fs is unshared with it), made private first.
    let small = dir.join("small");
    std::fs::create_dir(&small).expect("mkdir");
    let c = |s: &str| std::ffi::CString::new(s).expect("c");
    unsafe {
        assert_eq!(libc::unshare(libc::CLONE_NEWNS), 0, "unshare");
        let (root, none) = (c("/"), c("none"));
        let private = libc::MS_REC | libc::MS_PRIVATE;
        let r = libc::mount(
            none.as_ptr(),
            root.as_ptr(),
            std::ptr::null(),
            private,
            std::ptr::null(),
        );
        assert_eq!(r, 0, "make / private");
        let (fs, at, opt) = (c("tmpfs"), c(small.to_str().expect("utf8")), c("size=64k"));
        let r = libc::mount(
            fs.as_ptr(),
            at.as_ptr(),
            fs.as_ptr(),
            0,
            opt.as_ptr().cast(),
        );
        assert_eq!(r, 0, "mount tmpfs");
    }
    let d = open(&dir);
    let p = small.join("big.csv");
    let content = "SECRET-CELL-7f3a,".repeat(16 * 1024);
    let o = export(&d, &p, &content);
    assert!(!o.ok(), "a 272 KiB file in 64 KiB");
    assert!(o.message.contains("no space left"), "{o:?}");
    assert!(!o.message.contains("SECRET"));
    assert!(names(&small).is_empty(), "a half file was left");
    assert!(!audit_text(&dir.join("audit")).contains("SECRET"));
    // The name is free again.
    assert!(export(&d, &p, "small\r\n").ok());
}

#[test]
fn a_file_size_limit_refuses_the_export_before_writing() {
    // Broke: `ulimit -f` (passed on through sudo) killed qd with SIGXFSZ mid-write,
    // leaving half a file, the terminal raw and the job without its outcome.
    let Some(dir) = in_child(
        "a_file_size_limit_refuses_the_export_before_writing",
        |_| vec![],
    ) else {
        return;
    };
    let d = open(&dir);
    let limit = 64 * 1024;
    let lim = libc::rlimit {
        rlim_cur: limit,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: setrlimit(2) with a valid struct; the limit is this child's own.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_FSIZE, &lim) }, 0);
    let p = dir.join("big.csv");
    let o = export(&d, &p, &"x".repeat(limit as usize + 1));
    assert!(!o.ok());
    assert!(o.message.ends_with("(ulimit -f)"), "{o:?}");
    assert!(!p.exists());
    assert!(export(&d, &p, &"x".repeat(limit as usize)).ok());
}
