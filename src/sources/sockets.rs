//! TCP/UDP sockets from /proc/net/{tcp,tcp6,udp,udp6} (or a process's own network
//! namespace under /proc/PID/net): the fallback of `sockdiag`, and the detail pane's
//! view of a process's own namespace.

pub use crate::model::port::SocketEntry;

const TABLES: [(&str, &str); 4] = [
    ("tcp", "tcp"),
    ("tcp6", "tcp6"),
    ("udp", "udp"),
    ("udp6", "udp6"),
];

/// All sockets of the namespace seen through `net_dir` (`/proc/net` or `/proc/PID/net`).
/// A missing table (no IPv6 in the kernel) is skipped; an error only when none can be
/// read.
pub fn read_all(net_dir: &str) -> std::io::Result<Vec<SocketEntry>> {
    let mut out = Vec::new();
    let mut first_err = None;
    let mut read_any = false;
    for (file, proto) in TABLES {
        let path = format!("{net_dir}/{file}");
        match std::fs::read(&path).and_then(|text| parse_table(proto, &text)) {
            Ok(rows) => {
                read_any = true;
                out.extend(rows);
            }
            Err(e) => {
                first_err
                    .get_or_insert_with(|| std::io::Error::new(e.kind(), format!("{path}: {e}")));
            }
        }
    }
    match first_err {
        Some(e) if !read_any => Err(e),
        _ => Ok(out),
    }
}

/// What procfs needs for the net tables: the byte order of the addresses.
const SYSTEM: procfs::ExplicitSystemInfo = procfs::ExplicitSystemInfo {
    boot_time_secs: 0,
    ticks_per_second: 100,
    page_size: 4096,
    is_little_endian: cfg!(target_endian = "little"),
};

/// One /proc/net table (its header line first), parsed by procfs.
fn parse_table(proto: &'static str, text: &[u8]) -> std::io::Result<Vec<SocketEntry>> {
    use procfs::FromBufReadSI;
    use procfs::net::{TcpNetEntries, UdpNetEntries};
    let bad = |e: procfs::ProcError| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, format!("unparsable: {e}"))
    };
    let udp = proto.starts_with("udp");
    // The two tables' entries are two types with the same fields.
    let entry = |local, remote, state: u8, uid, inode| SocketEntry {
        proto,
        local,
        remote,
        state: tcp_state(state, udp),
        uid,
        inode,
    };
    Ok(if udp {
        let rows = UdpNetEntries::from_buf_read(text, &SYSTEM).map_err(bad)?.0;
        rows.into_iter()
            .map(|e| {
                entry(
                    e.local_address,
                    e.remote_address,
                    e.state.to_u8(),
                    e.uid,
                    e.inode,
                )
            })
            .collect()
    } else {
        let rows = TcpNetEntries::from_buf_read(text, &SYSTEM).map_err(bad)?.0;
        rows.into_iter()
            .map(|e| {
                entry(
                    e.local_address,
                    e.remote_address,
                    e.state.to_u8(),
                    e.uid,
                    e.inode,
                )
            })
            .collect()
    })
}

pub(crate) fn tcp_state(code: u8, udp: bool) -> &'static str {
    match (code, udp) {
        (0x07, true) => "UNCONN",
        (0x01, _) => "ESTABLISHED",
        (0x02, _) => "SYN_SENT",
        (0x03, _) => "SYN_RECV",
        (0x04, _) => "FIN_WAIT1",
        (0x05, _) => "FIN_WAIT2",
        (0x06, _) => "TIME_WAIT",
        (0x07, _) => "CLOSE",
        (0x08, _) => "CLOSE_WAIT",
        (0x09, _) => "LAST_ACK",
        (0x0A, _) => "LISTEN",
        (0x0B, _) => "CLOSING",
        _ => "UNKNOWN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_namespace_is_an_error_naming_the_file() {
        let e = read_all("/nonexistent/net").expect_err("no tables");
        assert!(e.to_string().contains("/nonexistent/net/tcp"), "{e}");
        assert!(read_all("/proc/net").is_ok());
    }

    #[test]
    fn parses_v4_and_v6_tables() {
        let head = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
        let l = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0 100 0 0 10 0\n";
        let t = parse_table("tcp", format!("{head}{l}").as_bytes()).expect("v4");
        assert_eq!(t[0].local.to_string(), "127.0.0.1:8080");
        assert_eq!((t[0].state, t[0].uid, t[0].inode), ("LISTEN", 1000, 12345));
        let l6 = "   1: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 999 2\n";
        let u = parse_table("udp6", format!("{head}{l6}").as_bytes()).expect("v6");
        assert_eq!(u[0].local.to_string(), "[::1]:53");
        assert_eq!(u[0].state, "UNCONN");
        let e = parse_table("tcp", format!("{head}garbage\n").as_bytes()).expect_err("bad line");
        assert!(e.to_string().contains("unparsable"), "{e}");
    }
}
