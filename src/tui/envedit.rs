//! `e` on a service: its env file in the operator's editor, the way sudoedit does it.
//! The current text comes from `Dispatcher::reveal_env` (checked: admins only; the
//! reveal is recorded). The copy goes into a fresh directory only the operator can
//! write; the editor runs **as the operator** (never as root: an editor runs plugins,
//! shells out, reads the operator's dotfiles); the edited copy is read back with the
//! operator's rights (they own that directory and could plant a link to /etc/shadow in
//! it) and validated. A valid change is handed back as the content of an
//! `Action::WriteEnv`, which the TUI dispatches like any action (confirmation, policy,
//! audit). A copy that does not validate stays where it is, and its path is shown:
//! nothing typed is lost, and nothing is ever written beside the site's file.

use super::terminal::{self, Term};
use crate::actions::files::MAX_ENV;
use crate::actions::{CommandTarget, Denial, Dispatcher, Operator};
use crate::model::envfile;
use crate::sys::account::Account;
use std::ffi::CString;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// What came of an edit.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Unchanged,
    /// A valid change: the new content, to be dispatched as `Action::WriteEnv`.
    Edited {
        content: String,
        vars: usize,
    },
    /// The copy does not parse: it is kept at `kept` (the operator's own directory).
    Rejected {
        line: usize,
        message: String,
        kept: String,
    },
    Failed(String),
    /// The reveal was refused (recorded by the dispatcher): no editor was run.
    Denied(Denial),
}

/// The editor command line: `$VISUAL`, else `$EDITOR`, else `vi`, split into words
/// (`code -w` works) and never run by a shell.
pub fn editor_words() -> Vec<String> {
    let e = std::env::var("VISUAL")
        .ok()
        .filter(|e| !e.trim().is_empty())
        .or_else(|| std::env::var("EDITOR").ok())
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    e.split_whitespace().map(String::from).collect()
}

/// Who the editor runs as: the operator, with a switch of ids when qd runs as root for
/// someone else (privileged mode); otherwise qd already runs as the operator.
pub struct Editor {
    pub account: Account,
    pub switch: bool,
}

impl Editor {
    pub fn for_operator(op: &Operator) -> Result<Self, String> {
        let account = Account::by_name(&op.name)
            .ok_or_else(|| format!("operator {} has no account on this host", op.name))?;
        let switch = crate::sys::privileged() && account.uid != 0;
        Ok(Self { account, switch })
    }
}

/// The operator's private copy: a directory made new (mode 0700) holding one file
/// (mode 0600), both the operator's.
pub struct Copy {
    pub dir: PathBuf,
    pub file: PathBuf,
}

impl Copy {
    pub fn create(who: &Editor, name: &str, text: &str) -> Result<Self, String> {
        // In privileged mode TMPDIR is the operator's to set: use /tmp itself.
        let base = if who.switch {
            PathBuf::from("/tmp")
        } else {
            std::env::temp_dir()
        };
        let dir = make_dir(&base)?;
        let file = dir.join(name);
        let r = (|| {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&file)
                .map_err(|e| format!("cannot create {}: {e}", file.display()))?;
            f.write_all(text.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
            if who.switch {
                let (u, g) = (Some(who.account.uid), Some(who.account.gid));
                std::os::unix::fs::fchown(&f, u, g)
                    .map_err(|e| format!("cannot chown {}: {e}", file.display()))?;
                // The directory last: once it is the operator's, qd writes nothing in it.
                std::os::unix::fs::lchown(&dir, u, g)
                    .map_err(|e| format!("cannot chown {}: {e}", dir.display()))?;
            }
            Ok(())
        })();
        match r {
            Ok(()) => Ok(Self { dir, file }),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                Err(e)
            }
        }
    }

    pub fn remove(&self) {
        // remove_dir_all follows no link the operator may have put in the directory.
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// mkdtemp: a new directory `qd-env-XXXX` (mode 0700) under `base`, never one that
/// exists (mkdir fails on any name already there, a planted link included).
fn make_dir(base: &Path) -> Result<PathBuf, String> {
    let mut last = String::new();
    for n in 0..64u32 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir = base.join(format!(
            "qd-env-{}-{:08x}",
            std::process::id(),
            nanos ^ n.wrapping_mul(0x9e37_79b9)
        ));
        match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = e.to_string(),
            Err(e) => {
                return Err(format!(
                    "cannot make a directory in {}: {e}",
                    base.display()
                ));
            }
        }
    }
    Err(format!(
        "cannot make a new directory in {}: {last}",
        base.display()
    ))
}

/// Runs the editor on `file` as `who` and waits for it.
pub fn run_editor(who: &Editor, words: &[String], file: &Path) -> Result<(), String> {
    let Some((prog, args)) = words.split_first() else {
        return Err("no editor (set $EDITOR)".into());
    };
    let mut cmd = std::process::Command::new(prog);
    cmd.args(args).arg(file);
    if who.switch {
        let a = &who.account;
        cmd.env("HOME", &a.home)
            .env("USER", &a.name)
            .env("LOGNAME", &a.name);
        let (uid, gid, groups) = (a.uid, a.gid, a.groups.clone());
        let dir = file
            .parent()
            .and_then(|d| CString::new(d.as_os_str().as_bytes()).ok());
        // SAFETY: the closure runs in the child between fork and exec and makes only
        // async-signal-safe system calls on data prepared before the fork.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
                if libc::setgroups(groups.len(), groups.as_ptr()) != 0
                    || libc::setgid(gid) != 0
                    || libc::setuid(uid) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                // root's working directory may be closed to the operator.
                if let Some(d) = &dir {
                    libc::chdir(d.as_ptr());
                }
                Ok(())
            });
        }
    }
    match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("the editor `{prog}` failed ({s})")),
        Err(e) => Err(format!("cannot run the editor `{prog}`: {e} (set $EDITOR)")),
    }
}

/// Reads the copy back with the operator's rights and decides what came of the edit.
/// The copy is removed unless it is rejected (then it is the operator's to fix).
pub fn judge(who: &Editor, copy: &Copy, before: &str) -> Outcome {
    let after = match crate::sys::sitefile::read(&copy.file, &who.account, MAX_ENV)
        .and_then(|b| String::from_utf8(b).map_err(|_| "the edit is not UTF-8 text".into()))
    {
        Ok(t) => t,
        Err(e) => {
            return Outcome::Failed(format!(
                "{e}; the env file is unchanged, your edit is in {}",
                copy.file.display()
            ));
        }
    };
    if after == before {
        copy.remove();
        return Outcome::Unchanged;
    }
    match envfile::parse(&after) {
        Ok(vars) => {
            copy.remove();
            Outcome::Edited {
                vars: vars.len(),
                content: after,
            }
        }
        Err((line, message)) => Outcome::Rejected {
            line,
            message,
            kept: copy.file.display().to_string(),
        },
    }
}

/// Reveals the file, suspends the TUI, edits a private copy as the operator, resumes.
pub fn edit(term: &mut Term, d: &Dispatcher, service: &CommandTarget) -> std::io::Result<Outcome> {
    let before = match d.reveal_env(service) {
        Err(denial) => return Ok(Outcome::Denied(denial)),
        Ok(Err(e)) => return Ok(Outcome::Failed(e)),
        Ok(Ok(t)) => t,
    };
    let who = match Editor::for_operator(d.operator()) {
        Ok(w) => w,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    let name = format!("{}.env", service.service.replace('/', "_"));
    let copy = match Copy::create(&who, &name, &before) {
        Ok(c) => c,
        Err(e) => return Ok(Outcome::Failed(e)),
    };
    terminal::restore();
    let ran = run_editor(&who, &editor_words(), &copy.file);
    terminal::resume(term)?;
    if let Err(e) = ran {
        copy.remove();
        return Ok(Outcome::Failed(e));
    }
    Ok(judge(&who, &copy, &before))
}
