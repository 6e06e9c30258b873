//! Configuration: TOML files, validated strictly, merged in layers.
//!
//! Layers, lowest first: built-in defaults, the system file
//! (`/etc/quarterdeck/config.toml`, a fixed path: no variable moves it), then the user's
//! file in the XDG config dir, or instead of it a file given with `--config`. Errors
//! name the file, line, column and key. Files are read through `trust::open`: the text
//! parsed is the text of the descriptor whose owner and mode were checked.
//!
//! What each layer may set depends on the mode (see `layers` for the rules):
//! - **privileged mode** (`sys::privileged()`: euid 0 for an operator who is not root,
//!   e.g. `sudo qd`): everything that can make root act comes only from trusted files.
//!   A `--config` file that is not trusted is refused; a trusted one is applied over
//!   the system file but its `[policy]` is ignored (reported). The operator's own file
//!   holds UI preferences only; anything else in it is reported and ignored;
//! - otherwise (a user running qd, or root as itself) `--config` replaces the system
//!   and user files, as documented in config.example.toml;
//! - a system file that exists but cannot be read, is a dangling link, is not trusted
//!   or does not parse makes every action fail closed (`PolicySpec::Untrusted`), and
//!   nothing from it is used; viewing still works.

pub mod access;
pub mod command;
pub mod command_args;
pub mod duration;
pub mod error;
pub mod keymap;
pub mod keys;
pub mod layers;
pub mod logfile;
pub mod paths;
pub mod registry;
pub mod sites;
pub mod ssh;
pub mod theme;
pub mod trust;

pub use command::{Command, SortKey};
pub use error::ConfigError;
pub use keymap::{Binding, Keymap, Section};

use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;

#[derive(Debug, Clone)]
pub struct Config {
    pub refresh: Duration,
    pub theme: String,
    pub restart_grace: Duration,
    pub show_kernel_threads: bool,
    pub log_level: String,
    /// The key bindings by section: the defaults, then each file's `[[keys]]` and
    /// `[[keymap.<section>]]`.
    pub keys: Keymap,
    pub systemd: SystemdConfig,
    /// The sites this server hosts (`[[site]]`).
    pub sites: std::sync::Arc<crate::model::site::Sites>,
    /// `[policy]`: who may do what (only from a trusted file, see `access`).
    pub policy: crate::model::policy::PolicySpec,
    pub audit: access::AuditConfig,
    /// `[jobs] concurrency`: targets of a bulk command job run at once.
    pub jobs_concurrency: usize,
    /// `[ssh]`: connections, host keys, panes.
    pub ssh: crate::ssh::SshSettings,
    /// `[[host]]`: the fleet's servers named in the config (`~/.ssh/config`'s are
    /// added at start, see `ssh::ssh_config::fleet`).
    pub hosts: Vec<crate::ssh::Host>,
    /// `[ssh] prefix`: the chord that leaves a shell pane's input mode.
    pub pane_prefix: Option<keys::KeySpec>,
    /// Files that were read, in order.
    pub sources: Vec<PathBuf>,
    /// What each config file was found to be and what of it was ignored, in order.
    pub files: Vec<FileReport>,
    /// Problems that did not stop qd (a broken user file).
    pub warnings: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            refresh: Duration::from_millis(1000),
            theme: "dark".into(),
            restart_grace: Duration::from_secs(5),
            show_kernel_threads: false,
            log_level: "info".into(),
            keys: keymap::defaults(),
            systemd: SystemdConfig::default(),
            sites: Default::default(),
            policy: Default::default(),
            audit: Default::default(),
            jobs_concurrency: access::DEFAULT_CONCURRENCY,
            ssh: Default::default(),
            hosts: Vec::new(),
            pane_prefix: None,
            sources: Vec::new(),
            files: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

/// `[systemd]`: which manager to talk to and how site units are named and written.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemdConfig {
    /// Talk to the user manager (`systemd --user`) instead of the system one.
    pub user_bus: bool,
    /// `[systemd] bus_address`: the D-Bus address of the user manager's bus. Under
    /// sudo root connects the user bus only to this (or, unset, to its own
    /// `/run/user/<euid>/bus`), never to one the operator's environment names.
    pub bus_address: Option<String>,
    /// `[systemd] direct`: read units through the manager's private socket where qd
    /// may (root for the system manager; the user's own manager), not the bus daemon.
    pub direct: bool,
    /// `qd-{site}-{service}.service`
    pub unit_template: String,
    /// Where `qd service install` writes unit files; `None`: /etc/systemd/system, or
    /// $XDG_CONFIG_HOME/systemd/user with the user bus.
    pub unit_dir: Option<PathBuf>,
    /// A unit file template replacing the built-in one (placeholders in
    /// config.example.toml).
    pub unit_file_template: Option<PathBuf>,
}

impl Default for SystemdConfig {
    fn default() -> Self {
        Self {
            user_bus: false,
            bus_address: None,
            direct: true,
            unit_template: sites::DEFAULT_UNIT_TEMPLATE.into(),
            unit_dir: None,
            unit_file_template: None,
        }
    }
}

/// Which layer a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    System,
    /// Given with `--config` (or to `qd config check`).
    Explicit,
    /// The operator's own file in the XDG config dir.
    User,
}

/// One config file as `qd config check` reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileReport {
    pub path: PathBuf,
    pub layer: Layer,
    /// `Ok` when the file is trusted, else why not.
    pub trust: Result<(), String>,
    /// Whether anything of it was applied.
    pub used: bool,
    /// What was ignored in it, and why.
    pub ignored: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    general: Option<RawGeneral>,
    keys: Option<Vec<keymap::RawKey>>,
    keymap: Option<keymap::RawSections>,
    systemd: Option<sites::RawSystemd>,
    site: Option<Vec<sites::RawSite>>,
    policy: Option<access::RawPolicy>,
    audit: Option<access::RawAudit>,
    jobs: Option<access::RawJobs>,
    ssh: Option<ssh::RawSsh>,
    host: Option<Vec<ssh::RawHost>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawGeneral {
    refresh_ms: Option<Spanned<u64>>,
    theme: Option<Spanned<String>>,
    restart_grace: Option<Spanned<String>>,
    show_kernel_threads: Option<bool>,
    log_level: Option<Spanned<String>>,
}

const LOG_LEVELS: [&str; 5] = ["error", "warn", "info", "debug", "trace"];

/// Parses one file's text; errors name the file, line, column and key.
pub fn parse(path: &Path, text: &str) -> Result<RawFile, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))
}

/// Parses and validates `text` (the content of `path`) and applies it over `cfg`;
/// `trust` is the verdict on the descriptor the text was read from.
pub fn apply_text(
    cfg: &mut Config,
    path: &Path,
    text: &str,
    trust: &Result<(), String>,
) -> Result<(), ConfigError> {
    let raw = parse(path, text)?;
    apply_raw(cfg, path, text, raw, trust)
}

/// Validates an already parsed file and applies it over `cfg` (all or nothing).
pub fn apply_raw(
    cfg: &mut Config,
    path: &Path,
    text: &str,
    raw: RawFile,
    trust: &Result<(), String>,
) -> Result<(), ConfigError> {
    let err =
        |span: std::ops::Range<usize>, m: String| ConfigError::at(path, text, Some(span.start), m);
    let mut next = cfg.clone();
    if let Some(g) = raw.general {
        if let Some(r) = g.refresh_ms {
            if !(100..=3_600_000).contains(r.get_ref()) {
                return Err(err(
                    r.span(),
                    format!(
                        "general.refresh_ms = {} is out of range (100 to 3600000)",
                        r.get_ref()
                    ),
                ));
            }
            next.refresh = Duration::from_millis(*r.get_ref());
        }
        if let Some(t) = g.theme {
            theme::ThemeSpec::load(t.get_ref())
                .map_err(|e| err(t.span(), format!("general.theme: {}", e.message)))?;
            next.theme = t.into_inner();
        }
        if let Some(d) = g.restart_grace {
            next.restart_grace = duration::parse(d.get_ref())
                .map_err(|m| err(d.span(), format!("general.restart_grace: {m}")))?;
        }
        if let Some(k) = g.show_kernel_threads {
            next.show_kernel_threads = k;
        }
        if let Some(l) = g.log_level {
            if !LOG_LEVELS.contains(&l.get_ref().as_str()) {
                return Err(err(
                    l.span(),
                    format!(
                        "general.log_level = `{}`: use one of {}",
                        l.get_ref(),
                        LOG_LEVELS.join(", ")
                    ),
                ));
            }
            next.log_level = l.into_inner();
        }
    }
    keymap::apply(&mut next.keys, raw.keys, raw.keymap).map_err(|(span, m)| err(span, m))?;
    if let Some(sd) = raw.systemd {
        if let Some(b) = sd.bus {
            next.systemd.user_bus = match b.get_ref().as_str() {
                "system" => false,
                "user" => true,
                other => {
                    return Err(err(
                        b.span(),
                        format!("systemd.bus = `{other}`: use \"system\" or \"user\""),
                    ));
                }
            };
        }
        if let Some(a) = sd.bus_address {
            let addr = a.get_ref().trim();
            if !addr.starts_with("unix:") || addr.contains(char::is_control) {
                return Err(err(
                    a.span(),
                    "systemd.bus_address: a unix socket address such as \"unix:path=/run/user/1000/bus\"".into(),
                ));
            }
            next.systemd.bus_address = Some(addr.to_string());
        }
        if let Some(d) = sd.direct {
            next.systemd.direct = d;
        }
        if let Some(t) = sd.unit_template {
            let ok = t.get_ref().contains("{service}") && t.get_ref().ends_with(".service");
            if !ok {
                return Err(err(
                    t.span(),
                    format!(
                        "systemd.unit_template = `{}`: it must contain {{service}} and end in .service",
                        t.get_ref()
                    ),
                ));
            }
            next.systemd.unit_template = t.into_inner();
        }
        if let Some(d) = sd.unit_dir {
            next.systemd.unit_dir = Some(d);
        }
        if let Some(f) = sd.unit_file_template {
            next.systemd.unit_file_template = Some(f);
        }
    }
    access::apply(
        &mut next, path, text, trust, raw.policy, raw.audit, raw.jobs,
    )
    .map_err(|(span, m)| err(span, m))?;
    ssh::apply(&mut next, raw.ssh, raw.host).map_err(|(span, m)| err(span, m))?;
    if let Some(raw_sites) = raw.site {
        let mut built = sites::build(raw_sites, &next.systemd.unit_template)
            .map_err(|(span, m)| err(span, m))?;
        for s in &mut built {
            s.trusted = trust.is_ok();
        }
        // A later file's site replaces the earlier one of the same name.
        let names: std::collections::HashSet<&str> = built.iter().map(|b| &*b.name).collect();
        let mut all: Vec<_> = next
            .sites
            .sites
            .iter()
            .filter(|s| !names.contains(&*s.name))
            .cloned()
            .collect();
        all.extend(built);
        next.sites = std::sync::Arc::new(crate::model::site::Sites::new(all));
    }
    next.sources.push(path.to_path_buf());
    *cfg = next;
    Ok(())
}

pub use layers::{check, load};

#[cfg(test)]
mod tests {
    use super::*;

    fn systemd(text: &str) -> Result<SystemdConfig, ConfigError> {
        let mut cfg = Config::default();
        apply_text(&mut cfg, Path::new("/etc/qd.toml"), text, &Ok(()))?;
        Ok(cfg.systemd)
    }

    #[test]
    fn bus_address_is_a_unix_address_or_an_error_naming_the_key() {
        let sd =
            systemd("[systemd]\nbus = \"user\"\nbus_address = \"unix:path=/run/user/7/bus\"\n")
                .expect("valid");
        assert_eq!(sd.bus_address.as_deref(), Some("unix:path=/run/user/7/bus"));
        assert_eq!(systemd("").expect("empty").bus_address, None);
        let e = systemd("[systemd]\nbus_address = \"tcp:host=10.0.0.1,port=1\"\n")
            .expect_err("tcp refused");
        assert!(e.to_string().contains("systemd.bus_address"), "{e}");
    }
}
