//! Whether a config file may grant anything: OpenSSH's rule for files that carry
//! authority. The file and every directory above it must be owned by root and not
//! writable by group or others (a sticky directory such as /tmp is fine: no one
//! else can replace root's entries in it). Otherwise anyone who could write the file
//! could give themselves a role.

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// `Ok` when `path` is trusted, else the first reason it is not, in words.
pub fn check(path: &Path) -> Result<(), String> {
    let abs = std::fs::canonicalize(path)
        .map_err(|e| format!("{}: cannot resolve: {e}", path.display()))?;
    let md = std::fs::metadata(&abs).map_err(|e| format!("{}: cannot stat: {e}", abs.display()))?;
    if !md.is_file() {
        return Err(format!("{} is not a regular file", abs.display()));
    }
    owned_by_root_and_closed(&abs, &md, false)?;
    let mut dir = abs.parent();
    while let Some(d) = dir {
        let md = std::fs::metadata(d).map_err(|e| format!("{}: cannot stat: {e}", d.display()))?;
        owned_by_root_and_closed(d, &md, true)?;
        dir = d.parent();
    }
    Ok(())
}

fn owned_by_root_and_closed(p: &Path, md: &std::fs::Metadata, is_dir: bool) -> Result<(), String> {
    if md.uid() != 0 {
        return Err(format!(
            "{} is owned by uid {}, not root",
            p.display(),
            md.uid()
        ));
    }
    let sticky = is_dir && md.mode() & 0o1000 != 0;
    if md.mode() & 0o022 != 0 && !sticky {
        return Err(format!(
            "{} is writable by {} (mode {:o}): make it chmod go-w",
            p.display(),
            if md.mode() & 0o020 != 0 {
                "its group"
            } else {
                "others"
            },
            md.mode() & 0o7777
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn group_writable_or_not_root_owned_is_refused() {
        let d = tempfile::tempdir().expect("tmp");
        let f = d.path().join("c.toml");
        std::fs::write(&f, "").expect("write");
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o664)).expect("chmod");
        let r = check(&f);
        if rustix::process::geteuid().is_root() {
            assert!(r.as_ref().is_err_and(|m| m.contains("its group")), "{r:?}");
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            assert_eq!(check(&f), Ok(()));
        } else {
            assert!(r.as_ref().is_err_and(|m| m.contains("not root")), "{r:?}");
        }
    }
}
