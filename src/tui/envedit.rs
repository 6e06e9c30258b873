//! `e` on a service: its env file in `$EDITOR` (qd suspended), validated before it is
//! written. The edit happens on a private copy; a copy that does not validate is kept
//! beside the file as `FILE.rejected` (nothing typed is lost) and the file itself is
//! unchanged. A valid change is written atomically, then qd offers to restart the
//! unit so the service reads it.

use super::terminal::{self, Term};
use crate::actions::unitfile::write as write_atomic;
use crate::model::envfile;
use std::path::Path;

/// What came of an edit.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Unchanged,
    Saved {
        vars: usize,
    },
    Rejected {
        line: usize,
        message: String,
        kept: String,
    },
    Failed(String),
}

fn editor() -> String {
    std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .ok()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".into())
}

/// Suspends the TUI, runs the editor on a copy of `path`, resumes, validates.
pub fn edit(term: &mut Term, path: &Path) -> std::io::Result<Outcome> {
    let before = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Ok(Outcome::Failed(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    // A private directory (mode 700, created new) for the copy: env files hold secrets.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("qd-env-{}-{nanos}", std::process::id()));
    std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700).create(&dir)?;
    let result = edit_in(term, path, &dir, &before);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn edit_in(term: &mut Term, path: &Path, dir: &Path, before: &str) -> std::io::Result<Outcome> {
    let copy = dir.join(path.file_name().unwrap_or_else(|| "env".as_ref()));
    std::fs::write(&copy, before)?;
    terminal::restore();
    // $EDITOR may carry arguments (`code -w`): split as words, never run by a shell.
    let words: Vec<String> = editor().split_whitespace().map(String::from).collect();
    let status = std::process::Command::new(&words[0])
        .args(&words[1..])
        .arg(&copy)
        .status();
    terminal::resume(term)?;
    if let Err(e) = status {
        return Ok(Outcome::Failed(format!(
            "cannot run the editor `{}`: {e} (set $EDITOR)",
            words[0]
        )));
    }
    let after = std::fs::read_to_string(&copy)?;
    if after == *before {
        return Ok(Outcome::Unchanged);
    }
    match envfile::parse(&after) {
        Ok(vars) => {
            let parent = path.parent().unwrap_or(Path::new("/"));
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("env");
            match write_atomic(parent, name, &after) {
                Ok(()) => Ok(Outcome::Saved { vars: vars.len() }),
                Err(e) => Ok(Outcome::Failed(e)),
            }
        }
        Err((line, message)) => {
            let kept = format!("{}.rejected", path.display());
            let _ = std::fs::write(&kept, &after);
            Ok(Outcome::Rejected {
                line,
                message,
                kept,
            })
        }
    }
}
