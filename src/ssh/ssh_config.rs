//! The operator's `~/.ssh/config`, read for its `Host` entries: every alias without
//! wildcards becomes a host, with HostName, Port, User and IdentityFile resolved the
//! way ssh does (for each keyword the first value found, in file order, among the
//! blocks whose patterns match the alias). What qd does not do (ProxyJump,
//! ProxyCommand, Match, Include) is kept as a note on the host or a warning, never
//! silently dropped.

use super::hosts::{Host, HostSource, expand_tilde};
use std::path::{Path, PathBuf};

struct Block {
    patterns: Vec<String>,
    /// (keyword lowercased, value, line)
    opts: Vec<(String, String)>,
}

/// Glob match with `*` and `?`, as ssh's `match_pattern`.
pub fn glob(pat: &str, s: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pat.chars().collect(), s.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A pattern list (`a b !c`): any positive match and no negated one.
pub fn matches_list(patterns: &[String], name: &str) -> bool {
    let mut hit = false;
    for p in patterns {
        if let Some(neg) = p.strip_prefix('!') {
            if glob(neg, name) {
                return false;
            }
        } else if glob(p, name) {
            hit = true;
        }
    }
    hit
}

fn parse(text: &str, warnings: &mut Vec<String>, file: &Path) -> Vec<Block> {
    // Options before the first Host line apply to every host.
    let mut blocks = vec![Block {
        patterns: vec!["*".into()],
        opts: Vec::new(),
    }];
    let mut in_match = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = match line.find(|c: char| c.is_whitespace() || c == '=') {
            Some(at) => (
                &line[..at],
                line[at..].trim_start_matches(|c: char| c.is_whitespace() || c == '='),
            ),
            None => (line, ""),
        };
        let key = key.to_ascii_lowercase();
        let value = value.trim().trim_matches('"').to_string();
        match key.as_str() {
            "host" => {
                in_match = false;
                blocks.push(Block {
                    patterns: value.split_whitespace().map(String::from).collect(),
                    opts: Vec::new(),
                });
            }
            "match" => {
                in_match = true;
                warnings.push(format!(
                    "{}:{}: Match blocks are not supported; their options are ignored",
                    file.display(),
                    i + 1
                ));
            }
            "include" => warnings.push(format!(
                "{}:{}: Include is not supported; {value} is not read",
                file.display(),
                i + 1
            )),
            _ if in_match => {}
            _ => {
                if let Some(b) = blocks.last_mut() {
                    b.opts.push((key, value));
                }
            }
        }
    }
    blocks
}

/// The hosts of one ssh_config text. `defaults` are the identities used when the
/// entry names none.
pub fn hosts_from(
    text: &str,
    file: &Path,
    default_user: &str,
    default_ids: &[PathBuf],
    warnings: &mut Vec<String>,
) -> Vec<Host> {
    let blocks = parse(text, warnings, file);
    let mut aliases: Vec<String> = Vec::new();
    for b in &blocks[1..] {
        for p in &b.patterns {
            let concrete = !p.contains(['*', '?', '!']);
            if concrete && !aliases.contains(p) {
                aliases.push(p.clone());
            }
        }
    }
    aliases
        .into_iter()
        .map(|alias| {
            let first = |k: &str| -> Option<String> {
                blocks
                    .iter()
                    .filter(|b| matches_list(&b.patterns, &alias))
                    .flat_map(|b| b.opts.iter())
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v.clone())
            };
            let address = first("hostname")
                .map(|h| h.replace("%h", &alias))
                .unwrap_or_else(|| alias.clone());
            let port = first("port").and_then(|p| p.parse().ok()).unwrap_or(22);
            let user = first("user").unwrap_or_else(|| default_user.to_string());
            // IdentityFile accumulates in ssh; here: every value of matching blocks.
            let ids: Vec<PathBuf> = blocks
                .iter()
                .filter(|b| matches_list(&b.patterns, &alias))
                .flat_map(|b| b.opts.iter())
                .filter(|(k, _)| k == "identityfile")
                .map(|(_, v)| expand_tilde(v))
                .collect();
            let note = if first("proxyjump").is_some() {
                Some("ProxyJump is not supported: qd connects directly".to_string())
            } else if first("proxycommand").is_some() {
                Some("ProxyCommand is not supported: qd connects directly".to_string())
            } else {
                None
            };
            Host {
                name: alias,
                address,
                port,
                user,
                identities: if ids.is_empty() {
                    default_ids.to_vec()
                } else {
                    ids
                },
                tags: Vec::new(),
                source: HostSource::SshConfig,
                note,
            }
        })
        .collect()
}

/// The fleet: the config's hosts, then `~/.ssh/config`'s (when `[ssh] ssh_config`)
/// that the config does not name. Problems reading the file are warnings.
pub fn fleet(
    configured: &[Host],
    settings: &super::SshSettings,
    warnings: &mut Vec<String>,
) -> Vec<Host> {
    let mut all = configured.to_vec();
    if !settings.ssh_config {
        return all;
    }
    let path = super::hosts::home().join(".ssh/config");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return all,
        Err(e) => {
            warnings.push(format!(
                "{}: {} (its hosts are not listed)",
                path.display(),
                crate::sys::errno::io_sentence(&e)
            ));
            return all;
        }
    };
    let user = super::hosts::default_user();
    for h in hosts_from(&text, &path, &user, &settings.identity_files, warnings) {
        // A name is typed and shown everywhere: one that holds controls or invisible
        // format characters (`ro\u{200b}ot`) would pass for another host.
        if h.name
            .chars()
            .chain(h.address.chars())
            .any(crate::model::text::is_unsafe)
        {
            warnings.push(format!(
                "{}: Host `{}` has control or invisible characters in its name or HostName (skipped)",
                path.display(),
                crate::model::text::inert(&h.name, 80)
            ));
            continue;
        }
        if !all.iter().any(|c| c.name == h.name) {
            all.push(h);
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_value_wins_and_wildcards_apply() {
        let text = "Port 2200\nHost web1 web2\n  HostName %h.example.org\n  User deploy\nHost *.db db?\n  User pg\nHost web2\n  Port 22\n  User root\n  ProxyJump bastion\nHost *\n  IdentityFile ~/.ssh/k1\n";
        let mut w = Vec::new();
        let hosts = hosts_from(text, Path::new("cfg"), "me", &[], &mut w);
        let names: Vec<_> = hosts.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(names, ["web1", "web2"]);
        assert_eq!(hosts[0].address, "web1.example.org");
        assert_eq!(hosts[0].port, 2200, "the top-level Port comes first");
        assert_eq!(hosts[1].user, "deploy", "first value wins, as in ssh");
        assert!(hosts[1].note.as_deref().unwrap_or("").contains("ProxyJump"));
        assert!(hosts[0].identities[0].ends_with(".ssh/k1"));
    }

    #[test]
    fn negation_and_glob() {
        assert!(glob("web*", "web12"));
        assert!(glob("db?", "db1"));
        assert!(!glob("db?", "db12"));
        assert!(!matches_list(&["*".into(), "!bad".into()], "bad"));
        assert!(matches_list(&["*".into(), "!bad".into()], "good"));
    }
}
