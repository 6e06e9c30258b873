//! A table's columns: each table has its own column enum saying the title, width,
//! alignment, how soon it hides on a narrow terminal, whether it sorts and in which
//! direction first, and the name `:sort NAME` knows it by. The layout functions here
//! are pure functions of the columns and the width, so drawing and the mouse agree on
//! where every column is.

/// One column of one table (an enum variant, usually).
pub trait Column: Copy + Eq + std::fmt::Debug + 'static {
    /// Every column of this table, in drawing order (a source may show fewer).
    fn all() -> &'static [Self];
    fn title(self) -> &'static str;
    /// Cells wide. The last column shown fills what is left whatever this says.
    fn width(self) -> u16;
    /// Right-aligned (numbers).
    fn right(self) -> bool {
        false
    }
    /// 0: always shown. Otherwise, on a narrow terminal the highest is hidden first.
    fn priority(self) -> u8 {
        0
    }
    fn sortable(self) -> bool {
        true
    }
    /// The direction a first sort on this column takes: amounts (CPU, memory, time)
    /// read best largest first, names alphabetically.
    fn descending(self) -> bool {
        false
    }
    /// The name `:sort NAME` and the config know it by, lower case.
    fn name(self) -> &'static str;
    /// Other names for it in this table (`command` for a `process` column).
    fn aliases(self) -> &'static [&'static str] {
        &[]
    }
    /// The column called `name` (case-insensitive, its name or an alias).
    fn parse(name: &str) -> Option<Self> {
        let name = name.trim().to_lowercase();
        Self::all()
            .iter()
            .copied()
            .find(|c| c.name() == name || c.aliases().contains(&name.as_str()))
    }
}

/// The last (filling) column keeps at least this much before others are hidden.
const MIN_LAST: u16 = 8;

/// x offset and width of each column of `cols` in `width` cells, one cell between
/// columns; the last one fills the rest. When the columns do not fit, the ones with
/// the highest `priority` are hidden first (width 0), never a priority-0 one.
pub fn spans<C: Column>(cols: &[C], width: u16) -> Vec<(u16, u16)> {
    let mut fixed: u16 = cols
        .iter()
        .map(|c| c.width().saturating_add(1))
        .fold(0, u16::saturating_add);
    let mut ranked: Vec<(u8, usize)> = cols
        .iter()
        .enumerate()
        .filter(|(i, c)| c.priority() > 0 && i + 1 < cols.len())
        .map(|(i, c)| (c.priority(), i))
        .collect();
    // Highest priority first; among equals, the rightmost goes first.
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    let mut hidden = vec![false; cols.len()];
    for (_, i) in ranked {
        if width >= fixed.saturating_add(MIN_LAST) {
            break;
        }
        hidden[i] = true;
        fixed = fixed.saturating_sub(cols[i].width() + 1);
    }
    let mut x = 0u16;
    let mut out = Vec::with_capacity(cols.len());
    for (i, c) in cols.iter().enumerate() {
        let w = if i + 1 == cols.len() {
            width.saturating_sub(x)
        } else if hidden[i] {
            0
        } else {
            c.width().min(width.saturating_sub(x))
        };
        out.push((x, w));
        if w > 0 {
            x = x.saturating_add(w + 1).min(width);
        }
    }
    out
}

/// The column shown under `x` (the gap after a column counts as that column), for
/// clicks on the header.
pub fn column_at<C: Column>(cols: &[C], width: u16, x: u16) -> Option<C> {
    spans(cols, width)
        .into_iter()
        .zip(cols.iter())
        .find(|((cx, w), _)| *w > 0 && x >= *cx && x <= cx.saturating_add(*w))
        .map(|(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum C {
        Pid,
        User,
        Time,
        Start,
        Command,
    }

    impl Column for C {
        fn all() -> &'static [C] {
            &[C::Pid, C::User, C::Time, C::Start, C::Command]
        }
        fn title(self) -> &'static str {
            "x"
        }
        fn width(self) -> u16 {
            match self {
                C::Pid => 7,
                C::User => 9,
                C::Time => 9,
                C::Start => 5,
                C::Command => 0,
            }
        }
        fn priority(self) -> u8 {
            match self {
                C::Time => 1,
                C::Start => 2,
                _ => 0,
            }
        }
        fn name(self) -> &'static str {
            match self {
                C::Pid => "pid",
                C::User => "user",
                C::Time => "time",
                C::Start => "start",
                C::Command => "command",
            }
        }
        fn aliases(self) -> &'static [&'static str] {
            match self {
                C::Command => &["cmd", "process"],
                _ => &[],
            }
        }
    }

    #[test]
    fn wide_terminals_show_everything_and_the_last_fills() {
        let s = spans(C::all(), 80);
        assert_eq!(s, vec![(0, 7), (8, 9), (18, 9), (28, 5), (34, 46)]);
    }

    #[test]
    fn narrow_terminals_hide_the_highest_priority_first() {
        // Everything needs 7+9+9+5 + 5 gaps + 8 for the command = 43.
        assert!(spans(C::all(), 43).iter().all(|(_, w)| *w > 0));
        let s = spans(C::all(), 42);
        assert_eq!(s[3].1, 0, "START (priority 2) goes first");
        assert!(s[2].1 > 0, "TIME stays while it fits");
        let s = spans(C::all(), 36);
        assert_eq!((s[2].1, s[3].1), (0, 0), "then TIME");
        assert!(s[0].1 > 0 && s[1].1 > 0, "priority 0 never hides");
        assert_eq!(s[4], (18, 18), "the command takes the room");
    }

    #[test]
    fn clicks_find_the_column_under_the_pointer() {
        assert_eq!(column_at(C::all(), 80, 0), Some(C::Pid));
        assert_eq!(column_at(C::all(), 80, 7), Some(C::Pid), "its gap");
        assert_eq!(column_at(C::all(), 80, 8), Some(C::User));
        assert_eq!(column_at(C::all(), 80, 79), Some(C::Command));
        // Hidden columns take no clicks: at 36 cells, x 18 is the command.
        assert_eq!(column_at(C::all(), 36, 18), Some(C::Command));
    }

    #[test]
    fn parse_knows_names_and_aliases_in_any_case() {
        assert_eq!(C::parse("pid"), Some(C::Pid));
        assert_eq!(C::parse("START"), Some(C::Start));
        assert_eq!(C::parse("process"), Some(C::Command));
        assert_eq!(C::parse("Cmd"), Some(C::Command));
        assert_eq!(C::parse("mem"), None);
    }
}
