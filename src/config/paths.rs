//! Where qd finds its files: the root-owned system config, the user's config and
//! themes (XDG config dir), its own log (XDG state dir), and where table exports go
//! by default (the operator's XDG state dir, never root's under sudo).

use crate::model::export::ExportFormat;
use std::path::{Component, Path, PathBuf};

pub const SYSTEM_CONFIG: &str = "/etc/quarterdeck/config.toml";

fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "quarterdeck")
}

/// `$XDG_CONFIG_HOME/quarterdeck/config.toml`
pub fn user_config() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join("config.toml"))
}

/// `$XDG_CONFIG_HOME/quarterdeck/themes`
pub fn user_themes() -> Option<PathBuf> {
    dirs().map(|d| d.config_dir().join("themes"))
}

/// `$XDG_STATE_HOME/quarterdeck` (falls back to the cache dir where no state dir exists).
pub fn state_dir() -> Option<PathBuf> {
    let d = dirs()?;
    Some(d.state_dir().unwrap_or(d.cache_dir()).to_path_buf())
}

/// `$XDG_STATE_HOME/quarterdeck/exports`: where a table export goes when no path is
/// given. In privileged mode (`sudo qd`) it is the operator's, not root's: under their
/// passwd home (HOME is ignored: `sudo` may keep the operator's, or set root's), and
/// XDG_STATE_HOME counts only when it lies inside that home, since the operator sets
/// the environment and the default dir is the one path qd creates directories on.
/// The write itself runs with the operator's rights either way.
pub fn exports_dir() -> Option<PathBuf> {
    if crate::sys::privileged() {
        let op = crate::sys::operator_account()?;
        return operator_exports_dir(
            Path::new(&op.home),
            std::env::var_os("XDG_STATE_HOME").as_deref(),
        );
    }
    dirs().and_then(|d| d.state_dir().map(|s| s.join("exports")))
}

/// The privileged-mode rule of [`exports_dir`] for the operator's `home` and the
/// XDG_STATE_HOME they passed: that one when it is absolute, plain (no `.` or `..`,
/// which would climb out while looking inside) and inside `home`, else
/// `home/.local/state`. `None` when the passwd home is no absolute path.
pub fn operator_exports_dir(home: &Path, xdg_state: Option<&std::ffi::OsStr>) -> Option<PathBuf> {
    let plain = |p: &Path| {
        p.is_absolute()
            && p.components()
                .all(|c| matches!(c, Component::RootDir | Component::Normal(_)))
    };
    if !plain(home) {
        return None;
    }
    let state = xdg_state
        .map(PathBuf::from)
        .filter(|x| plain(x) && x.starts_with(home))
        .unwrap_or_else(|| home.join(".local/state"));
    Some(state.join("quarterdeck/exports"))
}

/// `<table>-<UTC yyyymmddThhmmss.mmmZ>.<ext>`: `hosts-20261121T090503.250Z.csv` (the
/// milliseconds keep two exports of one table in the same second apart). The table's
/// name keeps letters, digits, `-` and `_` (anything else is `_`), so it is one plain
/// file name whatever it is called.
pub fn export_file_name(table: &str, format: ExportFormat, now: std::time::SystemTime) -> String {
    let since = now
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let (s, ms) = (since.as_secs(), since.subsec_millis());
    let (y, m, d) = crate::model::format::civil(s);
    let day = s % 86400;
    let name: String = table
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = if name.is_empty() {
        "table".into()
    } else {
        name
    };
    format!(
        "{name}-{y:04}{m:02}{d:02}T{:02}{:02}{:02}.{ms:03}Z.{}",
        day / 3600,
        (day % 3600) / 60,
        day % 60,
        format.ext()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn an_export_file_is_named_by_table_and_utc_time() {
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_999);
        assert_eq!(
            export_file_name("hosts", ExportFormat::Csv, t),
            "hosts-20231114T221320.999Z.csv"
        );
        assert_eq!(
            export_file_name("../etc/x y", ExportFormat::Json, t),
            "___etc_x_y-20231114T221320.999Z.json"
        );
        assert_eq!(
            export_file_name("", ExportFormat::Json, UNIX_EPOCH),
            "table-19700101T000000.000Z.json"
        );
    }

    #[test]
    fn the_operators_state_dir_is_inside_their_home_or_the_default() {
        let home = Path::new("/home/op");
        let want = |s: &str| Some(PathBuf::from(s));
        let dir = |x: Option<&str>| operator_exports_dir(home, x.map(OsStr::new));
        assert_eq!(dir(None), want("/home/op/.local/state/quarterdeck/exports"));
        assert_eq!(
            dir(Some("/home/op/st")),
            want("/home/op/st/quarterdeck/exports")
        );
        // Outside the home, climbing out of it, relative, or a sibling by prefix.
        for x in [
            "/root/.local/state",
            "/home/op/../../root",
            "st",
            "/home/operator2",
            "",
        ] {
            assert_eq!(
                dir(Some(x)),
                want("/home/op/.local/state/quarterdeck/exports"),
                "{x}"
            );
        }
        assert_eq!(operator_exports_dir(Path::new("nohome"), None), None);
        assert_eq!(operator_exports_dir(Path::new(""), None), None);
    }
}
