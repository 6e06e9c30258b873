//! What is on screen. Every full screen is one `Screen`: the four tables of this host
//! (processes, ports, services, sites), the fleet's hosts and shell panes, the session's
//! jobs and the audit log. Popups are only modal overlays (confirm, menus, input, ask,
//! error, help, detail, log) drawn over a screen.
//!
//! `App::layer` is the one place that says what has the keys and what is drawn on
//! top: `update` and `render` both ask it, so they can never disagree.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Processes,
    Ports,
    Services,
    Sites,
    Hosts,
    Panes,
    Jobs,
    Audit,
}

/// Tab's cycle: this host's tables. Within one site (`:site NAME`) the sites list
/// is left out.
const TAB: [Screen; 4] = [
    Screen::Processes,
    Screen::Ports,
    Screen::Services,
    Screen::Sites,
];

impl Screen {
    pub const ALL: [Screen; 8] = [
        Screen::Processes,
        Screen::Ports,
        Screen::Services,
        Screen::Sites,
        Screen::Hosts,
        Screen::Panes,
        Screen::Jobs,
        Screen::Audit,
    ];

    /// The name users see and type (`:jobs`), and the keymap section's name.
    pub fn name(self) -> &'static str {
        match self {
            Screen::Processes => "processes",
            Screen::Ports => "ports",
            Screen::Services => "services",
            Screen::Sites => "sites",
            Screen::Hosts => "hosts",
            Screen::Panes => "panes",
            Screen::Jobs => "jobs",
            Screen::Audit => "audit",
        }
    }

    /// The keymap section of the screen's keys (then `[global]`).
    pub fn section(self) -> crate::config::Section {
        use crate::config::Section;
        match self {
            Screen::Processes => Section::Processes,
            Screen::Ports => Section::Ports,
            Screen::Services => Section::Services,
            Screen::Sites => Section::Sites,
            Screen::Hosts => Section::Hosts,
            Screen::Panes => Section::Panes,
            Screen::Jobs => Section::Jobs,
            Screen::Audit => Section::Audit,
        }
    }

    /// One of this host's tables (the Tab cycle), drawn under the host header.
    pub fn is_host_table(self) -> bool {
        TAB.contains(&self)
    }

    fn cycle(in_site: bool) -> impl Iterator<Item = Screen> + Clone {
        TAB.into_iter()
            .filter(move |s| !(in_site && *s == Screen::Sites))
    }

    /// Tab: the next of this host's tables (from any other screen: the first).
    pub fn next(self, in_site: bool) -> Self {
        let cycle: Vec<Screen> = Self::cycle(in_site).collect();
        match cycle.iter().position(|s| *s == self) {
            Some(i) => cycle[(i + 1) % cycle.len()],
            None => cycle[0],
        }
    }

    /// Shift-Tab: `next` backwards.
    pub fn prev(self, in_site: bool) -> Self {
        let cycle: Vec<Screen> = Self::cycle(in_site).collect();
        match cycle.iter().position(|s| *s == self) {
            Some(i) => cycle[(i + cycle.len() - 1) % cycle.len()],
            None => cycle[cycle.len() - 1],
        }
    }
}

/// What has the keys and is drawn on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// A modal popup over the screen.
    Popup,
    /// The screen itself.
    Screen(Screen),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_cycles_this_hosts_tables_both_ways() {
        let mut s = Screen::Processes;
        let mut seen = Vec::new();
        for _ in 0..4 {
            seen.push(s);
            s = s.next(false);
        }
        assert_eq!(s, Screen::Processes);
        assert_eq!(seen, TAB);
        for x in TAB {
            assert_eq!(x.next(false).prev(false), x);
        }
        // Within a site the sites list is skipped; from the jobs screen Tab comes home.
        assert_eq!(Screen::Services.next(true), Screen::Processes);
        assert_eq!(Screen::Processes.prev(true), Screen::Services);
        assert_eq!(Screen::Jobs.next(false), Screen::Processes);
    }
}
