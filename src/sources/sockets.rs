//! TCP/UDP sockets from /proc/net/{tcp,tcp6,udp,udp6} (or a process's own network
//! namespace under /proc/PID/net): the fallback of `sockdiag`, and the detail pane's
//! view of a process's own namespace.

pub use crate::model::port::SocketEntry;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

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
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                read_any = true;
                out.extend(text.lines().skip(1).filter_map(|l| parse_line(proto, l)));
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

/// The kernel prints each 32-bit word of an address as the hex of its in-memory
/// (network order) bytes read as a native integer.
fn parse_addr(s: &str) -> Option<SocketAddr> {
    let (ip, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let ip = match ip.len() {
        8 => IpAddr::V4(Ipv4Addr::from(
            u32::from_str_radix(ip, 16).ok()?.to_ne_bytes(),
        )),
        32 => {
            let mut b = [0u8; 16];
            for i in 0..4 {
                let w = u32::from_str_radix(ip.get(i * 8..i * 8 + 8)?, 16).ok()?;
                b[i * 4..i * 4 + 4].copy_from_slice(&w.to_ne_bytes());
            }
            IpAddr::V6(Ipv6Addr::from(b))
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

fn parse_line(proto: &'static str, line: &str) -> Option<SocketEntry> {
    let f: Vec<&str> = line.split_whitespace().collect();
    Some(SocketEntry {
        proto,
        local: parse_addr(f.get(1)?)?,
        remote: parse_addr(f.get(2)?)?,
        state: tcp_state(
            u8::from_str_radix(f.get(3)?, 16).ok()?,
            proto.starts_with("udp"),
        ),
        uid: f.get(7)?.parse().ok()?,
        inode: f.get(9)?.parse().ok()?,
    })
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
    fn parses_v4_and_v6_lines() {
        let l = "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 0 100 0 0 10 0";
        let e = parse_line("tcp", l).expect("v4");
        assert_eq!(e.local.to_string(), "127.0.0.1:8080");
        assert_eq!((e.state, e.uid, e.inode), ("LISTEN", 1000, 12345));
        let l6 = "   1: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 999 2";
        let e6 = parse_line("udp6", l6).expect("v6");
        assert_eq!(e6.local.to_string(), "[::1]:53");
        assert_eq!(e6.state, "UNCONN");
    }
}
