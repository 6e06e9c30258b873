//! Where qd finds its files: the root-owned system config, the user's config and
//! themes (XDG config dir), and its own log (XDG state dir).

use std::path::PathBuf;

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
