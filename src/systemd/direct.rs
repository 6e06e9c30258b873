//! systemd's private socket: the manager's own D-Bus endpoint, without the bus daemon
//! in between. systemctl reads through it (as root for the system manager, always for
//! a user's own manager); qd does the same for what it reads in bulk (the unit list and
//! the properties of every unit), where the daemon used to cost more CPU per call than
//! systemd itself. Actions and job tracking stay on the bus.
//!
//! Which socket is derived from the same trusted source as the bus address (never
//! from an environment qd does not trust), and the peer must prove to be that manager:
//! PID 1 as root for the system, a process of qd's own user for a user manager.
//!
//! systemd stamps its replies on a private connection with the sender
//! `org.freedesktop.systemd1`, a well-known name where the D-Bus specification allows
//! only a unique one, and zbus rejects such a message whole. `NoSender` removes the
//! field from each message before zbus parses it: on a peer-to-peer connection every
//! message comes from the one peer, so the field says nothing.

use super::{Bus, TIMEOUT};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use zbus::connection::socket::{ReadHalf, Socket, Split, WriteHalf};

/// Where the manager of `bus` listens privately, if qd may use it: the system's for
/// root only (systemd refuses anyone else there); a user manager's beside the bus
/// socket it serves (`DIR/bus` and `DIR/systemd/private`, the layout of every
/// `systemd --user`). `None` when the bus address has another shape, or the direct
/// connection is turned off (`[systemd] direct = false`).
pub fn private_socket(bus: Bus) -> Option<PathBuf> {
    if !super::direct_allowed() {
        return None;
    }
    let euid = rustix::process::geteuid();
    match bus {
        Bus::System if euid.is_root() => Some(PathBuf::from("/run/systemd/private")),
        Bus::System => None,
        Bus::User => {
            let address = match super::privileged_user_bus_address() {
                Some(a) => a,
                // Not privileged: the environment's session bus, as for the bus itself.
                None => match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
                    Ok(a) => a,
                    Err(_) => format!("unix:path={}/bus", std::env::var("XDG_RUNTIME_DIR").ok()?),
                },
            };
            beside_bus(&address)
        }
    }
}

/// `DIR/systemd/private` for the address `unix:path=DIR/bus[,guid=...]`; `None` for any
/// other address (abstract sockets, several addresses, a bus not named `bus`).
fn beside_bus(address: &str) -> Option<PathBuf> {
    if address.contains(';') {
        return None;
    }
    let rest = address.strip_prefix("unix:")?;
    let path = rest.split(',').find_map(|kv| kv.strip_prefix("path="))?;
    // D-Bus escapes bytes in addresses as %XX: a path that needs it is not guessed at.
    if path.contains('%') {
        return None;
    }
    let bus = Path::new(path);
    if bus.file_name()? != "bus" || !bus.is_absolute() {
        return None;
    }
    Some(bus.parent()?.join("systemd/private"))
}

/// A connection to the manager's private socket at `path`, or why not. The peer must
/// be the manager `bus` names: PID 1 running as root for the system, a process of
/// qd's effective user for a user manager (another user's process listening there
/// would be reading the env files qd sends).
pub async fn connect(path: &Path, bus: Bus) -> io::Result<zbus::Connection> {
    let stream = tokio::time::timeout(TIMEOUT, UnixStream::connect(path))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect timed out"))??;
    let cred = stream.peer_cred()?;
    let euid = rustix::process::geteuid().as_raw();
    let genuine = match bus {
        Bus::System => cred.uid() == 0 && cred.pid() == Some(1),
        Bus::User => cred.uid() == euid,
    };
    if !genuine {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} is served by uid {} pid {:?}, not by the manager",
                path.display(),
                cred.uid(),
                cred.pid()
            ),
        ));
    }
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let guid = tokio::time::timeout(TIMEOUT, authenticate(&mut read, &mut write, euid))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "authentication timed out"))??;
    // What the handshake's reader buffered past the OK line (nothing: systemd says
    // nothing until asked) goes first to zbus.
    let early = read.buffer().to_vec();
    let read = read.into_inner();
    let socket = Direct {
        read: NoSender {
            inner: read,
            buf: early,
            out: Vec::new(),
            out_pos: 0,
        },
        write: Writer(write),
    };
    zbus::connection::Builder::authenticated_socket(socket, guid.as_str())
        .p2p()
        .method_timeout(TIMEOUT)
        .build()
        .await
        .map_err(|e| io::Error::other(e.to_string()))
}

/// The SASL handshake of D-Bus with EXTERNAL (the kernel tells systemd who we are):
/// the server's GUID.
async fn authenticate(
    read: &mut BufReader<OwnedReadHalf>,
    write: &mut OwnedWriteHalf,
    euid: u32,
) -> io::Result<String> {
    let hex: String = euid
        .to_string()
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    write
        .write_all(format!("\0AUTH EXTERNAL {hex}\r\n").as_bytes())
        .await?;
    let mut line = String::new();
    (&mut *read).take(512).read_line(&mut line).await?;
    let guid = line
        .trim_end()
        .strip_prefix("OK ")
        .filter(|g| g.len() == 32 && g.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the manager refused EXTERNAL authentication: {:?}",
                    line.trim_end()
                ),
            )
        })?
        .to_string();
    write.write_all(b"BEGIN\r\n").await?;
    // systemd 252's sd-bus, given BEGIN and the first message in one read, starts the
    // connection and leaves the message in its buffer until more bytes arrive (its
    // event loop waits for the socket, which has nothing more): the first call would
    // hang. So nothing is sent until systemd has read BEGIN, which is when nothing
    // of ours is left in the socket (SIOCOUTQ: the bytes the peer has not read).
    // systemd reads it within a fraction of a millisecond when idle: spin (yielding to
    // the runtime) for the first 2 ms, as a timer could not wake sooner than 1 ms.
    let spin = std::time::Instant::now();
    loop {
        let mut unread: libc::c_int = 0;
        // SAFETY: SIOCOUTQ writes one int through the pointer, on a socket we hold.
        let r = unsafe { libc::ioctl(write.as_ref().as_raw_fd(), libc::TIOCOUTQ, &mut unread) };
        if r != 0 {
            return Err(io::Error::last_os_error());
        }
        if unread == 0 {
            return Ok(guid);
        }
        if spin.elapsed() < std::time::Duration::from_millis(2) {
            tokio::task::yield_now().await;
        } else {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }
}

#[derive(Debug)]
struct Direct {
    read: NoSender,
    write: Writer,
}

impl Socket for Direct {
    type ReadHalf = NoSender;
    type WriteHalf = Writer;

    fn split(self) -> Split<NoSender, Writer> {
        Split::new(self.read, self.write)
    }
}

/// The read half: whole messages from the socket, each without its SENDER field.
#[derive(Debug)]
struct NoSender {
    inner: OwnedReadHalf,
    /// Bytes read and not yet a whole message.
    buf: Vec<u8>,
    /// Rewritten messages not yet handed to zbus.
    out: Vec<u8>,
    out_pos: usize,
}

#[async_trait::async_trait]
impl ReadHalf for NoSender {
    async fn recvmsg(&mut self, buf: &mut [u8]) -> io::Result<(usize, Vec<OwnedFd>)> {
        while self.out_pos == self.out.len() {
            self.out.clear();
            self.out_pos = 0;
            match super::wire::message_len(&self.buf)? {
                Some(len) if len <= self.buf.len() => {
                    let rest = self.buf.split_off(len);
                    let msg = std::mem::replace(&mut self.buf, rest);
                    self.out = super::wire::without_sender(msg)?;
                }
                want => {
                    let need = want.unwrap_or(super::wire::FIXED_HEADER) - self.buf.len();
                    // Read into spare capacity: a read cancelled at its await leaves
                    // `buf` as it was.
                    self.buf.reserve(need.clamp(4096, 1 << 20));
                    if self.inner.read_buf(&mut self.buf).await? == 0 {
                        return Ok((0, Vec::new()));
                    }
                }
            }
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok((n, Vec::new()))
    }
}

/// The write half: zbus's messages as they are.
#[derive(Debug)]
struct Writer(OwnedWriteHalf);

#[async_trait::async_trait]
impl WriteHalf for Writer {
    async fn sendmsg(&mut self, buffer: &[u8], fds: &[BorrowedFd<'_>]) -> io::Result<usize> {
        if !fds.is_empty() {
            return Err(io::Error::other("no file descriptors on this connection"));
        }
        self.0.write(buffer).await
    }

    async fn close(&mut self) -> io::Result<()> {
        self.0.shutdown().await
    }
}

#[cfg(test)]
mod tests {
    use super::beside_bus;
    use std::path::PathBuf;

    #[test]
    fn the_private_socket_sits_beside_the_bus_socket() {
        let p = |s: &str| beside_bus(s);
        assert_eq!(
            p("unix:path=/run/user/1000/bus"),
            Some(PathBuf::from("/run/user/1000/systemd/private"))
        );
        assert_eq!(
            p("unix:path=/tmp/x/bus,guid=0123"),
            Some(PathBuf::from("/tmp/x/systemd/private"))
        );
        assert_eq!(p("unix:abstract=/tmp/dbus-X"), None);
        assert_eq!(
            p("unix:path=/tmp/x/other"),
            None,
            "not a user manager's bus"
        );
        assert_eq!(p("unix:path=bus"), None, "relative");
        assert_eq!(p("unix:path=/tmp/%2e/bus"), None, "escaped");
        assert_eq!(p("unix:path=/a/bus;unix:path=/b/bus"), None, "several");
        assert_eq!(p("tcp:host=127.0.0.1,port=1"), None);
    }
}
