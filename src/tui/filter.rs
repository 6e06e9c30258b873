//! What the older views' rows (services, sites) offer the `/` filter (the matcher is
//! `tui::table::filter`; the tables on it give their texts as `Source::filter_text`).
//! Space-separated words must all hold for a row to show:
//! - `word` matches when it is a substring of the row's text, or a fuzzy match
//!   (nucleo, fzf's scoring) of its short fields;
//! - `!word` excludes rows that contain it anywhere.
//!
//! Smart case: a word with an upper-case letter is matched case-sensitively.

use std::fmt::Write;

/// What a row offers the filter: `full`, searched by substring, and `short` (a few
/// identifying fields), matched fuzzily as well.
pub trait Filterable {
    fn filter_text(&self, full: &mut String, short: &mut String);
}

impl Filterable for crate::model::services::ServiceRow {
    fn filter_text(&self, full: &mut String, short: &mut String) {
        let u = &self.unit;
        let site = u.site.as_deref().unwrap_or("");
        let svc = u.service.as_deref().unwrap_or("");
        let _ = write!(short, "{site} {svc} {}", u.unit);
        let _ = write!(
            full,
            "{site}/{svc} {} {} {} {} {} {}",
            u.unit,
            u.active_state,
            u.sub_state,
            u.main_pid,
            u.port.map(|p| format!(":{p}")).unwrap_or_default(),
            u.health.as_deref().unwrap_or(""),
        );
    }
}

impl Filterable for crate::model::services::SiteRow {
    fn filter_text(&self, full: &mut String, short: &mut String) {
        let _ = write!(short, "{} {}", self.name, self.user);
        let _ = write!(full, "{} {}", self.name, self.user);
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
