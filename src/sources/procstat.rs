//! Parsing of /proc/PID/stat: procfs's parser for every read but one, and the hot
//! path's own (every process, every refresh) where procfs cost too much.

use procfs::FromRead;
/// A parsed /proc/PID/stat: procfs's type, every field of proc(5).
pub use procfs::process::Stat;

/// PF_KTHREAD in the stat flags marks a kernel thread.
pub const PF_KTHREAD: u32 = 0x0020_0000;
/// The same flag as the hot path's parser reads it.
pub const PF_KTHREAD_U64: u64 = PF_KTHREAD as u64;

/// Parses a stat buffer read by qd (through its kept descriptor) with procfs.
///
/// procfs slices the line at its parentheses without checking them first
/// (`line[..open - 1]`, `line[close + 2..]`, `line[open + 1..close]`): a line with no
/// `(` after the pid, a `)` before the `(`, nothing after the last `)`, or an invalid
/// byte next to a parenthesis (slicing inside its replacement character) would panic it, and qd aborts on a panic. The kernel always writes `PID (COMM) S ...` (COMM may
/// hold spaces and parentheses, so fields count from the last `)`), so the check below
/// costs a scan and only turns a broken or foreign file into `None`.
pub fn parse_stat(buf: &[u8]) -> Option<Stat> {
    // The same text procfs looks at: lossy UTF-8, trimmed.
    let text = String::from_utf8_lossy(buf);
    let line = text.trim();
    let open = line.find('(')?;
    let close = line.rfind(')')?;
    // procfs slices at `open - 1` and `close + 2`: both must be in the line and on a
    // character boundary (a replaced invalid byte is three bytes long).
    if open == 0 || close <= open || !line.is_char_boundary(open - 1) {
        return None;
    }
    if !line.is_char_boundary(close + 2) {
        return None;
    }
    Stat::from_read(buf).ok()
}

/// The fields of /proc/PID/stat that the process table uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields {
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

impl Fields {
    /// The command name, from the buffer this was parsed from.
    pub fn comm<'a>(&self, buf: &'a [u8]) -> std::borrow::Cow<'a, str> {
        String::from_utf8_lossy(buf.get(self.comm.clone()).unwrap_or_default())
    }
}

/// The hot path's parser: each process, each refresh. It reads the 12 fields the
/// table uses in place and allocates nothing; procfs's `Stat::from_read` copies the
/// line, allocates the name and parses all 52 fields, which measured +28% of qd's CPU
/// per refresh side by side (`bench/compare.sh` with `qd-base`, README Performance).
/// The command name sits in parentheses and may itself hold
/// spaces and parentheses, so the fields are counted from the *last* `)`.
pub fn parse_fields(buf: &[u8]) -> Option<Fields> {
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
    Some(Fields {
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
        assert_eq!(s.comm, "a b) (c)");
        assert_eq!((s.state, s.ppid, s.tty_nr), ('S', 1, 34816));
        assert_eq!((s.utime, s.stime, s.priority, s.nice), (7, 3, 20, 5));
        assert_eq!(
            (s.num_threads, s.starttime, s.vsize, s.rss),
            (2, 98765, 1234567, 89)
        );
        let f = parse_fields(line).expect("fast parser");
        assert_eq!(f.comm(line), s.comm);
        assert_eq!(
            (f.state, f.ppid, f.tty_nr, f.flags, f.utime, f.stime),
            (
                s.state,
                s.ppid,
                s.tty_nr,
                u64::from(s.flags),
                s.utime,
                s.stime
            )
        );
        assert_eq!(
            (
                f.priority,
                f.nice,
                f.threads,
                f.starttime,
                f.vsize,
                f.rss_pages
            ),
            (20, 5, 2, s.starttime, s.vsize, s.rss)
        );
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        // Each of these would panic procfs's parser (or is simply not a stat line).
        for bad in [
            &b""[..],
            b"12 (x",
            b"12 (x) S notanumber",
            b"(x) S 1",
            b"12 )x( S 1",
            b"12 (x)",
            b"12 (x) ",
            b"12 (x)\n\n",
            b"\xff\xfe (x) S",
            b"\xff(x) S 1",
            b"1 (x)\xff S 1",
            b"1 (x) \xff",
            b"   ",
        ] {
            assert!(parse_stat(bad).is_none(), "{bad:?}");
            assert!(parse_fields(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn reads_this_process() {
        let buf = std::fs::read("/proc/self/stat").expect("own stat");
        let s = parse_stat(&buf).expect("parses");
        assert_eq!(s.pid, std::process::id() as i32);
        assert_eq!(read_starttime(s.pid).expect("starttime"), s.starttime);
    }
}
