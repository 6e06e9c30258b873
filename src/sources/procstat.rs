//! Parsing of /proc/PID/stat, the one file read for every process on every refresh.

use procfs::FromRead;
/// A parsed /proc/PID/stat: procfs's type, every field of proc(5).
pub use procfs::process::Stat;

/// PF_KTHREAD in the stat flags marks a kernel thread.
pub const PF_KTHREAD: u32 = 0x0020_0000;

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

/// The hand-written parser procfs replaced, kept for the side-by-side bench
/// (`cargo bench --bench render -- stat`): the 12 fields the table used (state, ppid,
/// tty, flags, utime, stime, priority, nice, threads, starttime, vsize, rss), read in
/// place, without allocating.
#[doc(hidden)]
pub fn parse_stat_fields(buf: &[u8]) -> Option<[i64; 12]> {
    let close = buf.iter().rposition(|b| *b == b')')?;
    let rest = std::str::from_utf8(buf.get(close + 2..)?).ok()?;
    let mut f = rest.split_ascii_whitespace();
    let mut out = [0i64; 12];
    out[0] = i64::from(*f.next()?.as_bytes().first()?); // 3 state
    let wanted = [4, 7, 9, 14, 15, 18, 19, 20, 22, 23, 24];
    let mut k = 1;
    for field in 4..=24 {
        let v = f.next()?;
        if wanted.contains(&field) {
            out[k] = v.parse().ok()?;
            k += 1;
        }
    }
    Some(out)
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
        assert_eq!(
            parse_stat_fields(line),
            Some([83, 1, 34816, 4194560, 7, 3, 20, 5, 2, 98765, 1234567, 89])
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
