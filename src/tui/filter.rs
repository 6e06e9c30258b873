//! The `/` filter: fzf syntax over "pid user command" of each row, with nucleo's
//! matcher. `!word` excludes, `'word` is exact, `^word` a prefix, `word$` a suffix;
//! space-separated atoms must all hold.

use crate::model::Process;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

pub struct Filter {
    pattern: Pattern,
    matcher: Matcher,
    hay: String,
    buf: Vec<char>,
}

impl Filter {
    /// `None` when the text filters nothing.
    pub fn new(text: &str) -> Option<Self> {
        if text.trim().is_empty() {
            return None;
        }
        Some(Self {
            pattern: Pattern::parse(text, CaseMatching::Smart, Normalization::Smart),
            matcher: Matcher::new(Config::DEFAULT),
            hay: String::new(),
            buf: Vec::new(),
        })
    }

    pub fn matches(&mut self, p: &Process) -> bool {
        use std::fmt::Write;
        self.hay.clear();
        let _ = write!(self.hay, "{} {} ", p.pid, p.user);
        if p.cmdline.is_empty() {
            let _ = write!(self.hay, "[{}]", p.name);
        } else {
            for (i, a) in p.cmdline.iter().enumerate() {
                if i > 0 {
                    self.hay.push(' ');
                }
                // Long argv costs matching time and never helps a fuzzy search.
                self.hay.push_str(a.get(..a.len().min(512)).unwrap_or(a));
            }
        }
        let hay = Utf32Str::new(&self.hay, &mut self.buf);
        self.pattern.score(hay, &mut self.matcher).is_some()
    }
}
