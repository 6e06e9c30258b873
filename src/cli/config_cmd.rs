//! `qd config check [PATH]`: validate a config and say what it sets.

use super::{EXIT_OK, EXIT_USAGE};
use crate::config;
use crate::model::policy::PolicySpec;
use std::path::Path;

/// `path`: the file to check alone; else the files qd would run with (`explicit`
/// being `--config`), layered as `config::layers` says.
pub fn check(path: Option<&Path>, explicit: Option<&Path>) -> i32 {
    let result = match path {
        Some(p) => config::check(p),
        None => config::load(explicit),
    };
    match result {
        Ok(cfg) => {
            for w in &cfg.warnings {
                eprintln!("qd: warning: {w}");
            }
            if cfg.files.is_empty() {
                println!("no config file found: built-in defaults");
            }
            for f in &cfg.files {
                println!("{}", config::layers::describe(f));
                for i in &f.ignored {
                    println!("  ignored: {i}");
                }
            }
            println!(
                "refresh {} ms, theme {}, restart grace {:?}, {} key bindings in {} sections",
                cfg.refresh.as_millis(),
                cfg.theme,
                cfg.restart_grace,
                cfg.keys.len(),
                cfg.keys.sections.len()
            );
            println!(
                "systemd: {} bus, units named {}; {} site(s), {} service(s)",
                if cfg.systemd.user_bus {
                    "user"
                } else {
                    "system"
                },
                cfg.systemd.unit_template,
                cfg.sites.sites.len(),
                cfg.sites.services().count()
            );
            println!(
                "ssh: {} host(s) in the config, host_key_checking {:?}, keepalive {:?} x {}",
                cfg.hosts.len(),
                cfg.ssh.host_key_checking,
                cfg.ssh.keepalive_interval,
                cfg.ssh.keepalive_count
            );
            let policy_ok = match &cfg.policy {
                PolicySpec::Open => {
                    println!("policy: none (qd acts with whatever the OS allows each user)");
                    true
                }
                PolicySpec::Rules { rules, file } => {
                    println!("policy: {} rule(s) from {file}", rules.len());
                    true
                }
                PolicySpec::Untrusted { reason } => {
                    eprintln!("qd: {reason}");
                    false
                }
            };
            if cfg.warnings.is_empty() && policy_ok {
                EXIT_OK
            } else {
                EXIT_USAGE
            }
        }
        Err(e) => {
            eprintln!("qd: {e}");
            EXIT_USAGE
        }
    }
}
