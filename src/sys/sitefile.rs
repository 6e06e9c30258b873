//! Files in a directory a site user controls, handled as hostile: read and written
//! without following any name the site user could plant, keeping owner and mode,
//! through a temp file created exclusively, and never echoing their content in errors.
//! (Interface fixed first so the action path can call it; see the module's tests.)

use crate::sys::account::Account;
use std::path::Path;

/// Reads `path` as `owner` would be allowed to: no symlink is followed in the last
/// component, the file must be a regular file owned by `owner` or root, at most `max`
/// bytes. Errors say what and where, never the content.
pub fn read(path: &Path, owner: &Account, max: usize) -> Result<Vec<u8>, String> {
    let _ = (path, owner, max);
    Err("sitefile::read is not implemented yet".into())
}

/// Replaces `path` with `content`: a temp file created exclusively (O_EXCL, no
/// follow) in the same directory, given the old file's owner and mode (or `owner`'s
/// uid/gid and mode 0600 for a new file), fsynced, renamed over the target.
pub fn replace(path: &Path, owner: &Account, content: &[u8]) -> Result<(), String> {
    let _ = (path, owner, content);
    Err("sitefile::replace is not implemented yet".into())
}

/// Removes `path` without following a link at its name: `Ok(false)` when there was
/// nothing to remove.
pub fn remove(path: &Path) -> Result<bool, String> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!(
            "cannot remove {}: {}",
            path.display(),
            crate::sys::errno::io_sentence(&e)
        )),
    }
}
