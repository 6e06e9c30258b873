//! The `/` filter every table shares. Space-separated words must all hold for a row
//! to show:
//! - `word` matches when it is a substring of the row's full text, or a fuzzy match
//!   (nucleo, fzf's scoring) of its short text — a few identifying fields: fuzzy over
//!   a whole long argv would match almost anything;
//! - `!word` excludes rows whose full text contains it.
//!
//! Smart case: a word with an upper-case letter is matched case-sensitively.
//!
//! A row gives its two texts by writing into buffers the filter owns and reuses, so a
//! 10k-row table is filtered without a string allocated per row.

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use nucleo_matcher::{Config, Matcher, Utf32Str};

struct Word {
    text: String,
    case_sensitive: bool,
    negated: bool,
    fuzzy: Atom,
}

pub struct Filter {
    words: Vec<Word>,
    matcher: Matcher,
    full: String,
    short: String,
    buf: Vec<char>,
}

impl Filter {
    /// `None` when the text filters nothing.
    pub fn new(text: &str) -> Option<Self> {
        let words: Vec<Word> = text
            .split_whitespace()
            .filter_map(|w| {
                let (negated, w) = match w.strip_prefix('!') {
                    Some(rest) => (true, rest),
                    None => (false, w),
                };
                (!w.is_empty()).then(|| {
                    let case_sensitive = w.chars().any(char::is_uppercase);
                    Word {
                        text: if case_sensitive {
                            w.to_string()
                        } else {
                            w.to_lowercase()
                        },
                        case_sensitive,
                        negated,
                        fuzzy: Atom::new(
                            w,
                            CaseMatching::Smart,
                            Normalization::Smart,
                            AtomKind::Fuzzy,
                            false,
                        ),
                    }
                })
            })
            .collect();
        if words.is_empty() {
            return None;
        }
        Some(Self {
            words,
            matcher: Matcher::new(Config::DEFAULT),
            full: String::new(),
            short: String::new(),
            buf: Vec::new(),
        })
    }

    /// Whether the row whose texts `fill(full, short)` writes passes every word.
    pub fn matches_with(&mut self, fill: impl FnOnce(&mut String, &mut String)) -> bool {
        self.short.clear();
        self.full.clear();
        fill(&mut self.full, &mut self.short);
        let lower = self
            .words
            .iter()
            .any(|w| !w.case_sensitive)
            .then(|| self.full.to_lowercase());
        for w in &self.words {
            let hay = if w.case_sensitive {
                &self.full
            } else {
                lower.as_deref().unwrap_or(&self.full)
            };
            let contains = hay.contains(&w.text);
            let ok = if w.negated {
                !contains
            } else {
                contains || {
                    let short = Utf32Str::new(&self.short, &mut self.buf);
                    w.fuzzy.score(short, &mut self.matcher).is_some()
                }
            };
            if !ok {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROWS: [(&str, &str); 4] = [
        (
            "1950 site_blog /usr/bin/gunicorn app:wsgi",
            "1950 site_blog gunicorn",
        ),
        (
            "1801 site_shop node server.js --port 10011",
            "1801 site_shop node",
        ),
        ("1802 site_shop node worker.js", "1802 site_shop node"),
        (
            "4300 redis /usr/bin/redis-server *:6379",
            "4300 redis redis-server",
        ),
    ];

    fn shown(text: &str) -> Vec<usize> {
        let mut f = Filter::new(text).expect("a filter");
        (0..ROWS.len())
            .filter(|&i| {
                f.matches_with(|full, short| {
                    full.push_str(ROWS[i].0);
                    short.push_str(ROWS[i].1);
                })
            })
            .collect()
    }

    #[test]
    fn words_all_hold_substring_fuzzy_and_negation() {
        assert_eq!(shown("gunicorn"), vec![0]);
        assert_eq!(shown("10011"), vec![1], "substring of the full text");
        assert_eq!(shown("rdssrv"), vec![3], "fuzzy over the short text");
        assert_eq!(shown("site_shop node"), vec![1, 2]);
        assert_eq!(shown("node !10011"), vec![2]);
        assert_eq!(shown("!site_shop"), vec![0, 3]);
        assert!(shown("Gunicorn").is_empty(), "smart case");
        assert_eq!(shown("SITE_BLOG").len(), 0);
        assert!(Filter::new("  ").is_none());
        assert!(Filter::new("!").is_none(), "a bare ! filters nothing");
    }
}
