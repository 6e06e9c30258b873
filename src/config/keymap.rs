//! Key bindings as data, one section per screen or popup (as yazi's layers and helix's
//! modes): the defaults in `keymap-default.toml` (compiled in, `[[global]]`,
//! `[[processes]]`, ...), then each config file's `[[keymap.<section>]]` entries,
//! replacing the binding of the same key in that section only, and `[[keys]]`, the
//! global section as the flat keymap of earlier versions was (see `apply`). The TUI
//! looks a key up in the section of what is on screen, then in the global one; help
//! lists the same sections, so it cannot disagree with the keys.

use super::command::Command;
use super::keys::KeySpec;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

/// Where a binding applies: a screen, a popup, or everywhere (`Global`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    Global,
    Processes,
    Ports,
    Services,
    Sites,
    Hosts,
    Panes,
    Jobs,
    Audit,
    Log,
    Confirm,
    Input,
}

impl Section {
    pub const ALL: [Section; 12] = [
        Section::Global,
        Section::Processes,
        Section::Ports,
        Section::Services,
        Section::Sites,
        Section::Hosts,
        Section::Panes,
        Section::Jobs,
        Section::Audit,
        Section::Log,
        Section::Confirm,
        Section::Input,
    ];

    /// The TOML name: `[[global]]` in the defaults, `[[keymap.hosts]]` in a config.
    pub fn name(self) -> &'static str {
        match self {
            Section::Global => "global",
            Section::Processes => "processes",
            Section::Ports => "ports",
            Section::Services => "services",
            Section::Sites => "sites",
            Section::Hosts => "hosts",
            Section::Panes => "panes",
            Section::Jobs => "jobs",
            Section::Audit => "audit",
            Section::Log => "log",
            Section::Confirm => "confirm",
            Section::Input => "input",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.name() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub on: KeySpec,
    pub run: Command,
    /// The command as written, for help.
    pub run_text: String,
    pub desc: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKey {
    on: Spanned<String>,
    run: Spanned<String>,
    desc: Option<String>,
}

/// A config's `[keymap]` table: section name (with its place, for errors) -> entries.
pub type RawSections = BTreeMap<Spanned<String>, Vec<RawKey>>;

/// Every section's bindings, in `Section::ALL` order.
#[derive(Debug, Clone)]
pub struct Keymap {
    pub sections: Vec<(Section, Vec<Binding>)>,
}

impl Default for Keymap {
    /// Every section present, none bound.
    fn default() -> Self {
        Self {
            sections: Section::ALL.iter().map(|s| (*s, Vec::new())).collect(),
        }
    }
}

impl Keymap {
    /// Adds `b` to `section`, replacing (in place, so help keeps its order) a binding
    /// of the same key there; other sections keep theirs.
    pub fn bind(&mut self, section: Section, b: Binding) {
        let Some(i) = self.sections.iter().position(|(s, _)| *s == section) else {
            self.sections.push((section, vec![b]));
            return;
        };
        let keys = &mut self.sections[i].1;
        match keys.iter_mut().find(|x| x.on == b.on) {
            Some(x) => *x = b,
            None => keys.push(b),
        }
    }

    /// Removes the binding of `key` from `section`, if any.
    pub fn unbind(&mut self, section: Section, key: &KeySpec) {
        if let Some((_, keys)) = self.sections.iter_mut().find(|(s, _)| *s == section) {
            keys.retain(|b| b.on != *key);
        }
    }

    pub fn section(&self, s: Section) -> &[Binding] {
        self.sections
            .iter()
            .find(|(x, _)| *x == s)
            .map_or(&[], |(_, b)| b.as_slice())
    }

    /// The binding of `key` in `s` only (the caller falls back to `Global` where that
    /// is meant: screens do, modal popups do not).
    pub fn lookup(&self, s: Section, key: &KeySpec) -> Option<&Binding> {
        self.section(s).iter().find(|b| b.on == *key)
    }

    /// Bindings in all sections.
    pub fn len(&self) -> usize {
        self.sections.iter().map(|(_, b)| b.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One entry; `table` names it in errors (`keys`, `keymap.hosts`).
pub fn resolve(k: &RawKey, table: &str) -> Result<Binding, (Range<usize>, String)> {
    let on =
        KeySpec::parse(k.on.get_ref()).map_err(|m| (k.on.span(), format!("{table}.on: {m}")))?;
    let run =
        Command::parse(k.run.get_ref()).map_err(|m| (k.run.span(), format!("{table}.run: {m}")))?;
    Ok(Binding {
        on,
        run,
        run_text: k.run.get_ref().trim().to_string(),
        desc: k
            .desc
            .clone()
            .unwrap_or_else(|| k.run.get_ref().trim().to_string()),
    })
}

/// The sections the flat keymap of earlier versions covered: a `[[keys]]` entry
/// still applies there, whatever their defaults bind to the key.
pub const KEYS_SECTIONS: [Section; 4] = [
    Section::Processes,
    Section::Ports,
    Section::Services,
    Section::Sites,
];

/// Applies a config file's `[[keys]]` and `[[keymap.<section>]]` entries over `keys`.
/// A `[[keys]]` entry is global and, so that a config written for the flat keymap
/// keeps its meaning (`k` = `up` moves up in the process table), it also takes the
/// key from the table views' sections (`KEYS_SECTIONS`); `[[keymap.global]]` is the
/// global section only. An unknown section or a bad entry is an error at its place.
pub fn apply(
    keys: &mut Keymap,
    global: Option<Vec<RawKey>>,
    sections: Option<RawSections>,
) -> Result<(), (Range<usize>, String)> {
    for k in global.unwrap_or_default() {
        let b = resolve(&k, "keys")?;
        for s in KEYS_SECTIONS {
            keys.unbind(s, &b.on);
        }
        keys.bind(Section::Global, b);
    }
    for (name, entries) in sections.unwrap_or_default() {
        let Some(section) = Section::parse(name.get_ref()) else {
            let all: Vec<&str> = Section::ALL.iter().map(|s| s.name()).collect();
            return Err((
                name.span(),
                format!(
                    "keymap.{}: unknown section: use one of {}",
                    name.get_ref(),
                    all.join(", ")
                ),
            ));
        };
        let table = format!("keymap.{}", section.name());
        for k in &entries {
            keys.bind(section, resolve(k, &table)?);
        }
    }
    Ok(())
}

const DEFAULTS: &str = include_str!("keymap-default.toml");

/// The built-in bindings. The file is part of the binary and covered by tests, so an
/// entry that fails to parse is left out rather than stopping qd.
pub fn defaults() -> Keymap {
    let mut out = Keymap::default();
    let Ok(file) = toml::from_str::<BTreeMap<String, Vec<RawKey>>>(DEFAULTS) else {
        return out;
    };
    for (name, entries) in &file {
        let Some(section) = Section::parse(name) else {
            continue;
        };
        for k in entries {
            if let Ok(b) = resolve(k, name) {
                out.bind(section, b);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::keys::KeyName;

    fn key(s: &str) -> KeySpec {
        KeySpec::parse(s).expect("key spec")
    }

    fn run(m: &Keymap, s: Section, k: &str) -> Option<String> {
        m.lookup(s, &key(k)).map(|b| b.run_text.clone())
    }

    #[test]
    fn every_default_resolves_once_per_section_with_a_desc() {
        let file: BTreeMap<String, Vec<RawKey>> =
            toml::from_str(DEFAULTS).expect("default keymap parses");
        let d = defaults();
        for (name, entries) in &file {
            let section = Section::parse(name).unwrap_or_else(|| panic!("section {name}"));
            for k in entries {
                resolve(k, name).unwrap_or_else(|(_, m)| panic!("{m}"));
                assert!(k.desc.is_some(), "{name}: {} has no desc", k.on.get_ref());
            }
            assert_eq!(
                d.section(section).len(),
                entries.len(),
                "a key bound twice in [{name}]"
            );
        }
        for s in Section::ALL {
            assert!(!d.section(s).is_empty(), "[{}] has no default", s.name());
            assert_eq!(Section::parse(s.name()), Some(s));
        }
        assert_eq!(Section::parse("Hosts"), None, "names are lower case");
        assert_eq!(
            d.sections.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            Section::ALL
        );
    }

    #[test]
    fn the_defaults_keep_todays_keys_per_screen() {
        let d = defaults();
        use Section::*;
        for (s, k, want) in [
            (Global, "q", "quit"),
            (Global, "ctrl-s", "export csv"),
            (Processes, "enter", "detail"),
            (Processes, "k", "signal"),
            (Ports, "enter", "owner"),
            (Ports, "l", "listening"),
            (Ports, "k", "signal"),
            (Services, "enter", "unit"),
            (Services, "l", "unit-log"),
            (Services, "c", "run"),
            (Sites, "enter", "open-site"),
            (Hosts, "enter", "shell"),
            (Hosts, "s", "shell"),
            (Hosts, "x", "exec"),
            (Hosts, "k", "up"),
            (Hosts, "q", "back"),
            (Panes, "3", "pane-go 3"),
            (Panes, "G", "pane-scroll-down end"),
            (Panes, "H", "hosts"),
            (Jobs, "x", "cancel"),
            (Jobs, "r", "retry"),
            (Audit, "F", "follow"),
            (Log, "/", "log-search"),
            (Confirm, "enter", "confirm-accept"),
            (Confirm, "h", "confirm-toggle"),
            (Input, "ctrl-u", "input-clear"),
        ] {
            assert_eq!(run(&d, s, k).as_deref(), Some(want), "[{}] {k}", s.name());
        }
        // Screen keys stay on their screen.
        assert_eq!(run(&d, Global, "k"), None);
        assert_eq!(run(&d, Sites, "k"), None);
        assert_eq!(run(&d, Global, "enter"), None);
    }

    fn apply_text(text: &str) -> Result<Keymap, (Range<usize>, String)> {
        #[derive(Deserialize)]
        struct F {
            keys: Option<Vec<RawKey>>,
            keymap: Option<RawSections>,
        }
        let f: F = toml::from_str(text).expect("toml");
        let mut m = defaults();
        apply(&mut m, f.keys, f.keymap)?;
        Ok(m)
    }

    #[test]
    fn a_hosts_override_replaces_x_in_hosts_only() {
        let before = defaults();
        let m = apply_text("[[keymap.hosts]]\non = \"x\"\nrun = \"shell\"\ndesc = \"Shell\"\n")
            .expect("valid");
        assert_eq!(run(&m, Section::Hosts, "x").as_deref(), Some("shell"));
        let pos = |m: &Keymap| {
            m.section(Section::Hosts)
                .iter()
                .position(|b| b.on.key == KeyName::Char('x'))
        };
        assert_eq!(pos(&m), pos(&before), "replaced in place");
        assert_eq!(
            m.section(Section::Hosts).len(),
            before.section(Section::Hosts).len()
        );
        for s in Section::ALL.into_iter().filter(|s| *s != Section::Hosts) {
            assert_eq!(m.section(s), before.section(s), "[{}] unchanged", s.name());
        }
    }

    #[test]
    fn keys_is_global_and_still_rebinds_the_table_views() {
        let m = apply_text("[[keys]]\non = \"k\"\nrun = \"up\"\n").expect("valid");
        assert_eq!(run(&m, Section::Global, "k").as_deref(), Some("up"));
        let b = m.lookup(Section::Global, &key("k")).expect("bound");
        assert_eq!(b.desc, "up", "desc defaults to the command");
        // As with the flat keymap: the table views' own `k` (signal) gives way...
        for s in KEYS_SECTIONS {
            assert_eq!(run(&m, s, "k"), None, "[{}]", s.name());
        }
        // ...the other screens and the popups keep theirs.
        let d = defaults();
        for s in [Section::Hosts, Section::Panes, Section::Jobs, Section::Log] {
            assert_eq!(m.section(s), d.section(s), "[{}]", s.name());
        }
        // A section entry in the same file binds the key there again.
        let m = apply_text(
            "[[keys]]\non = \"k\"\nrun = \"up\"\n[[keymap.ports]]\non = \"k\"\nrun = \"signal KILL\"\n",
        )
        .expect("valid");
        assert_eq!(run(&m, Section::Ports, "k").as_deref(), Some("signal KILL"));
        // [[keymap.global]] is the global section only.
        let m = apply_text("[[keymap.global]]\non = \"k\"\nrun = \"up\"\n").expect("valid");
        assert_eq!(run(&m, Section::Processes, "k").as_deref(), Some("signal"));
    }

    #[test]
    fn an_unknown_section_is_an_error_at_its_name() {
        let text = "[[keymap.hosts]]\non = \"x\"\nrun = \"exec\"\n\n[[keymap.hostz]]\non = \"x\"\nrun = \"exec\"\n";
        let (span, m) = apply_text(text).expect_err("unknown section");
        assert!(
            m.contains("keymap.hostz") && m.contains("hosts, panes"),
            "{m}"
        );
        let (line, col) = crate::config::error::line_col(text, span.start);
        assert_eq!((line, col), (5, 10), "{m}");
    }

    #[test]
    fn a_bad_entry_names_its_section() {
        let (_, m) = apply_text("[[keymap.jobs]]\non = \"x\"\nrun = \"nuke\"\n").expect_err("bad");
        assert!(
            m.starts_with("keymap.jobs.run: unknown command `nuke`"),
            "{m}"
        );
    }
}
