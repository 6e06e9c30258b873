//! The export executor: a table's rows (already serialized by the TUI) written to a
//! new file as the operator. In privileged mode the write runs with the operator's
//! filesystem ids (`sys::ownfile`, the way `sys::sitefile` acts for site users), so
//! a path only root could write is refused and the file is the operator's; no link
//! is followed, the file is created exclusively with mode 0600, and only the default
//! exports dir is created when missing. What it wrote goes to the audit log as
//! table, format, rows and path; the content never does.

use super::{Target, TargetKind, TargetOutcome};
use crate::model::export::ExportFormat;
use std::path::Path;

/// The file target of an export.
pub fn target(path: &Path) -> Target {
    Target::local(TargetKind::File {
        path: path.to_path_buf(),
    })
}

/// Writes `content` to the new file `path`: as the operator in privileged mode,
/// else with qd's own rights (qd runs as the operator, or root runs it as itself).
pub fn write(
    table: &str,
    format: ExportFormat,
    path: &Path,
    content: &[u8],
    rows: usize,
) -> TargetOutcome {
    let r = (|| {
        let user = if crate::sys::privileged() {
            // Never fall back to root's rights: without the operator's account there
            // is nobody to write as.
            Some(crate::sys::operator_account().ok_or_else(|| {
                format!(
                    "{}: not written: the operator's account is unknown, and qd writes exports only with the operator's rights",
                    path.display()
                )
            })?)
        } else {
            None
        };
        let default_dir = crate::config::paths::exports_dir();
        let make_dirs = default_dir.is_some() && path.parent() == default_dir.as_deref();
        crate::sys::ownfile::create(path, content, user.as_ref(), make_dirs)?;
        let what = if rows == 1 { "row" } else { "rows" };
        // The path is the target (the record's and the status line's label).
        Ok(format!(
            "exported {rows} {what} of {} as {}",
            crate::model::text::inert(table, 64),
            format.name(),
        ))
    })();
    TargetOutcome::new(target(path), r)
}
