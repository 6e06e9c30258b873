//! Parsing of /proc/PID/stat, the one file read for every process on every refresh.

/// The fields of /proc/PID/stat that the process table uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Stat {
    /// Where the command name sits in the buffer parsed (no allocation per read).
    pub comm: std::ops::Range<usize>,
    pub state: char,
    pub ppid: i32,
    pub tty_nr: i32,
    pub flags: u64,
    pub utime: u64,
    pub stime: u64,
    pub priority: i32,
    pub nice: i32,
    pub threads: u32,
    pub starttime: u64,
    pub vsize: u64,
    pub rss_pages: u64,
}

impl Stat {
    /// The command name, from the buffer this was parsed from.
    pub fn comm<'a>(&self, buf: &'a [u8]) -> std::borrow::Cow<'a, str> {
        String::from_utf8_lossy(buf.get(self.comm.clone()).unwrap_or_default())
    }
}

/// PF_KTHREAD in the stat flags marks a kernel thread.
pub const PF_KTHREAD: u64 = 0x0020_0000;

/// Parses a stat buffer. The command name sits in parentheses and may itself hold
/// spaces and parentheses, so the fields are counted from the *last* `)`.
pub fn parse_stat(buf: &[u8]) -> Option<Stat> {
    let open = buf.iter().position(|b| *b == b'(')?;
    let close = buf.iter().rposition(|b| *b == b')')?;
    if close < open {
        return None;
    }
    let comm = open + 1..close;
    let rest = std::str::from_utf8(buf.get(close + 2..)?).ok()?;
    let mut f = rest.split_ascii_whitespace();
    // Field numbers below are those of proc(5); `rest` starts at field 3.
    let state = f.next()?.chars().next()?;
    let ppid = f.next()?.parse().ok()?; // 4
    let skip = |n: usize, f: &mut std::str::SplitAsciiWhitespace| {
        for _ in 0..n {
            f.next();
        }
    };
    skip(2, &mut f); // 5 pgrp, 6 session
    let tty_nr = f.next()?.parse().ok()?; // 7
    skip(1, &mut f); // 8 tpgid
    let flags = f.next()?.parse().ok()?; // 9
    skip(4, &mut f); // 10-13 faults
    let utime = f.next()?.parse().ok()?; // 14
    let stime = f.next()?.parse().ok()?; // 15
    skip(2, &mut f); // 16-17 cutime cstime
    let priority = f.next()?.parse().ok()?; // 18
    let nice = f.next()?.parse().ok()?; // 19
    let threads = f.next()?.parse().ok()?; // 20
    skip(1, &mut f); // 21 itrealvalue
    let starttime = f.next()?.parse().ok()?; // 22
    let vsize = f.next()?.parse().ok()?; // 23
    let rss: i64 = f.next()?.parse().ok()?; // 24
    Some(Stat {
        comm,
        state,
        ppid,
        tty_nr,
        flags,
        utime,
        stime,
        priority,
        nice,
        threads,
        starttime,
        vsize,
        rss_pages: rss.max(0) as u64,
    })
}

/// Reads only the start time of `pid` (clock ticks since boot): the identity check
/// done right before acting on a process.
pub fn read_starttime(pid: i32) -> std::io::Result<u64> {
    let buf = std::fs::read(format!("/proc/{pid}/stat"))?;
    parse_stat(&buf).map(|s| s.starttime).ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, "unparsable /proc stat")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_with_spaces_and_parens() {
        let line = b"4242 (a b) (c)) S 1 4242 4242 34816 4242 4194560 120 0 0 0 7 3 0 0 20 5 2 0 98765 1234567 89 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
        let s = parse_stat(line).expect("parses");
        assert_eq!(s.comm(line), "a b) (c)");
        assert_eq!((s.state, s.ppid, s.tty_nr), ('S', 1, 34816));
        assert_eq!((s.utime, s.stime, s.priority, s.nice), (7, 3, 20, 5));
        assert_eq!(
            (s.threads, s.starttime, s.vsize, s.rss_pages),
            (2, 98765, 1234567, 89)
        );
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_stat(b"").is_none());
        assert!(parse_stat(b"12 (x").is_none());
        assert!(parse_stat(b"12 (x) S notanumber").is_none());
    }
}
