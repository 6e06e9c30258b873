//! What the views' rows offer the `/` filter (the matcher is `tui::table::filter`).
//! Space-separated words must all hold for a row to show:
//! - `word` matches when it is a substring of the row's text (a process: "pid user
//!   command"; a socket: "proto local remote state exposure pid process user unit"),
//!   or a fuzzy match (nucleo, fzf's scoring) of its short fields (a process: "pid user
//!   name"; a socket: "port pid process user") — fuzzy over a whole long argv would
//!   match almost anything;
//! - `!word` excludes rows that contain it anywhere.
//!
//! Smart case: a word with an upper-case letter is matched case-sensitively.

use crate::model::Process;
use crate::model::port::Port;
use std::fmt::Write;

/// What a row offers the filter: `full`, searched by substring, and `short` (a few
/// identifying fields), matched fuzzily as well.
pub trait Filterable {
    fn filter_text(&self, full: &mut String, short: &mut String);
}

impl Filterable for Process {
    fn filter_text(&self, full: &mut String, short: &mut String) {
        let _ = write!(short, "{} {} {}", self.pid, self.user, self.display_name());
        let _ = write!(full, "{} {} ", self.pid, self.user);
        if self.cmdline.is_empty() {
            let _ = write!(full, "[{}]", self.name);
        } else {
            for (i, a) in self.cmdline.iter().enumerate() {
                if i > 0 {
                    full.push(' ');
                }
                full.push_str(a);
            }
        }
    }
}

impl Filterable for Port {
    fn filter_text(&self, full: &mut String, short: &mut String) {
        let s = &self.socket;
        let pid = self.pid.map(|p| p.to_string()).unwrap_or_default();
        let process = self.process.as_deref().unwrap_or("");
        let _ = write!(short, "{} {pid} {process} {}", s.local.port(), self.user);
        let _ = write!(
            full,
            "{} {} {} {} {} {pid} {process} {} {}",
            s.proto,
            s.local,
            s.remote,
            s.state,
            self.exposure.name(),
            self.user,
            self.unit.as_deref().unwrap_or(""),
        );
    }
}

/// The matcher lives in the one table (`tui::table::filter`); the views not yet on
/// that table reach it through `Filterable`.
pub use crate::tui::table::filter::Filter;

impl Filter {
    pub fn matches(&mut self, item: &impl Filterable) -> bool {
        self.matches_with(|full, short| item.filter_text(full, short))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixture;

    fn shown(text: &str) -> Vec<i32> {
        let snap = fixture::web_host();
        let mut f = Filter::new(text).expect("filter");
        snap.processes
            .iter()
            .filter(|p| f.matches(*p))
            .map(|p| p.pid)
            .collect()
    }

    #[test]
    fn substring_over_the_command_fuzzy_over_the_name() {
        assert_eq!(shown("gunicorn"), vec![1950]);
        assert_eq!(shown("10011"), vec![1801]);
        assert_eq!(shown("rdssrv"), vec![4300], "fuzzy on the program name");
        assert_eq!(shown("site_shop node"), vec![1801, 1802]);
        assert!(
            shown("!root")
                .iter()
                .all(|p| ![1, 2, 412, 5120, 620, 2990].contains(p))
        );
        assert_eq!(shown("node !10011"), vec![1802]);
        assert!(shown("Gunicorn").is_empty(), "smart case");
        assert!(Filter::new("  ").is_none());
    }
}
