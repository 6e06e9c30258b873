//! TCP/UDP sockets from the kernel's `sock_diag` netlink interface (what `ss` uses).
//!
//! Chosen over parsing /proc/net/{tcp,tcp6,udp,udp6} because it is several times
//! cheaper (`benches/ports.rs` measures both): the kernel filters by state before it
//! formats anything, and the records are fixed-size binary instead of hex text.
//! /proc/net stays as the fallback where netlink is refused (some sandboxes).
//!
//! Wire format (linux/inet_diag.h): a request is an `nlmsghdr` followed by an
//! `inet_diag_req_v2`; every answer is an `nlmsghdr` followed by an `inet_diag_msg`,
//! ending with `NLMSG_DONE`. Fields are read at their fixed offsets, no casts.

use super::sockets::tcp_state;
use crate::model::port::SocketEntry;
use rustix::fd::OwnedFd;
use rustix::net::netlink::SocketAddrNetlink;
use rustix::net::{
    AddressFamily, RecvFlags, SendFlags, SocketFlags, SocketType, recv, sendto, socket_with,
};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_HDR: usize = 16;
/// `sizeof(struct inet_diag_msg)`.
const DIAG_MSG: usize = 72;

/// TCP states as the kernel numbers them (`1 << state` selects one in a request).
pub const TCP_ESTABLISHED: u32 = 1;
pub const TCP_CLOSE: u32 = 7;
pub const TCP_LISTEN: u32 = 10;

/// Which sockets of one protocol to ask for.
#[derive(Debug, Clone, Copy)]
pub struct Query {
    pub udp: bool,
    /// Bit mask of states (`1 << TCP_LISTEN`, ...); `u32::MAX` for all.
    pub states: u32,
}

/// A netlink socket for `sock_diag` dumps, opened once and reused.
pub struct SockDiag {
    fd: OwnedFd,
    seq: u32,
    buf: Vec<u8>,
}

impl SockDiag {
    pub fn open() -> io::Result<Self> {
        let fd = socket_with(
            AddressFamily::NETLINK,
            SocketType::DGRAM,
            SocketFlags::CLOEXEC,
            Some(rustix::net::netlink::SOCK_DIAG),
        )?;
        Ok(Self {
            fd,
            seq: 0,
            // ss uses 32 KiB; larger batches mean fewer recv calls on busy hosts.
            buf: vec![0; 64 << 10],
        })
    }

    /// Appends every IPv4 and IPv6 socket matching `q` to `out`.
    pub fn dump(&mut self, q: Query, out: &mut Vec<SocketEntry>) -> io::Result<()> {
        for family in [libc::AF_INET as u8, libc::AF_INET6 as u8] {
            self.dump_family(family, q, out)?;
        }
        Ok(())
    }

    fn dump_family(&mut self, family: u8, q: Query, out: &mut Vec<SocketEntry>) -> io::Result<()> {
        self.seq = self.seq.wrapping_add(1);
        let protocol = if q.udp {
            libc::IPPROTO_UDP
        } else {
            libc::IPPROTO_TCP
        } as u8;
        let mut req = [0u8; NLMSG_HDR + 56];
        let len = req.len() as u32;
        req[0..4].copy_from_slice(&len.to_ne_bytes());
        req[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
        req[6..8].copy_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
        req[8..12].copy_from_slice(&self.seq.to_ne_bytes());
        req[16] = family;
        req[17] = protocol;
        req[20..24].copy_from_slice(&q.states.to_ne_bytes());
        sendto(
            &self.fd,
            &req,
            SendFlags::empty(),
            &SocketAddrNetlink::new(0, 0),
        )?;
        let proto = match (q.udp, family == libc::AF_INET6 as u8) {
            (false, false) => "tcp",
            (false, true) => "tcp6",
            (true, false) => "udp",
            (true, true) => "udp6",
        };
        loop {
            let (n, _) = recv(&self.fd, &mut self.buf[..], RecvFlags::empty())?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "sock_diag closed the dump",
                ));
            }
            if parse_batch(&self.buf[..n], self.seq, proto, q.udp, out)? {
                return Ok(());
            }
        }
    }
}

fn u16_ne(b: &[u8], at: usize) -> u16 {
    u16::from_ne_bytes([b[at], b[at + 1]])
}

fn u32_ne(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Parses one datagram of answers; `Ok(true)` once the dump is complete.
fn parse_batch(
    mut b: &[u8],
    seq: u32,
    proto: &'static str,
    udp: bool,
    out: &mut Vec<SocketEntry>,
) -> io::Result<bool> {
    let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, format!("sock_diag: {what}"));
    while b.len() >= NLMSG_HDR {
        let len = u32_ne(b, 0) as usize;
        if len < NLMSG_HDR || len > b.len() {
            return Err(bad("truncated message"));
        }
        let kind = u16_ne(b, 4);
        // Answers to an earlier, abandoned dump are skipped, not misread.
        if u32_ne(b, 8) == seq {
            match kind {
                NLMSG_DONE => return Ok(true),
                NLMSG_ERROR => {
                    let errno = if len >= NLMSG_HDR + 4 {
                        -(u32_ne(b, NLMSG_HDR) as i32)
                    } else {
                        libc::EIO
                    };
                    return Err(io::Error::from_raw_os_error(errno));
                }
                SOCK_DIAG_BY_FAMILY if len >= NLMSG_HDR + DIAG_MSG => {
                    out.push(entry(&b[NLMSG_HDR..len], proto, udp));
                }
                _ => return Err(bad("unexpected message")),
            }
        }
        // Messages are 4-byte aligned.
        let next = (len + 3) & !3;
        b = b.get(next..).unwrap_or(&[]);
    }
    Ok(false)
}

/// One `inet_diag_msg` (at least `DIAG_MSG` bytes).
fn entry(m: &[u8], proto: &'static str, udp: bool) -> SocketEntry {
    let v6 = m[0] == libc::AF_INET6 as u8;
    let addr = |at: usize, port_at: usize| {
        let port = u16::from_be_bytes([m[port_at], m[port_at + 1]]);
        let ip = if v6 {
            let mut a = [0u8; 16];
            a.copy_from_slice(&m[at..at + 16]);
            IpAddr::V6(Ipv6Addr::from(a))
        } else {
            IpAddr::V4(Ipv4Addr::new(m[at], m[at + 1], m[at + 2], m[at + 3]))
        };
        SocketAddr::new(ip, port)
    };
    SocketEntry {
        proto,
        local: addr(8, 4),
        remote: addr(24, 6),
        state: tcp_state(m[1], udp),
        uid: u32_ne(m, 64),
        inode: u64::from(u32_ne(m, 68)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn lists_a_listener_with_its_inode_and_uid() {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = l.local_addr().expect("addr");
        let mut d = SockDiag::open().expect("netlink");
        let mut out = Vec::new();
        d.dump(
            Query {
                udp: false,
                states: 1 << TCP_LISTEN,
            },
            &mut out,
        )
        .expect("dump");
        let e = out.iter().find(|e| e.local == addr).expect("listed");
        assert_eq!(e.state, "LISTEN");
        assert_eq!(e.proto, "tcp");
        assert_eq!(e.uid, rustix::process::geteuid().as_raw());
        // The same inode the process's fd table shows.
        let mine = super::super::owners::socket_inodes(std::process::id() as i32).expect("fds");
        assert!(mine.binary_search(&e.inode).is_ok());
        // Nothing but listeners was asked for.
        assert!(out.iter().all(|e| e.state == "LISTEN"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut out = Vec::new();
        let mut msg = vec![0u8; 20];
        msg[0..4].copy_from_slice(&500u32.to_ne_bytes());
        assert!(parse_batch(&msg, 1, "tcp", false, &mut out).is_err());
        msg[0..4].copy_from_slice(&20u32.to_ne_bytes());
        msg[4..6].copy_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
        msg[8..12].copy_from_slice(&1u32.to_ne_bytes());
        // Too short to hold an inet_diag_msg, and of a kind we do not know.
        assert!(parse_batch(&msg, 1, "tcp", false, &mut out).is_err());
        assert!(out.is_empty());
    }
}
