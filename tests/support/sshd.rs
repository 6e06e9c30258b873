//! A private OpenSSH server for the SSH tests: `sshd -D -f CONFIG` on a free
//! 127.0.0.1 port, with its own generated ed25519 host key, accepting one generated
//! client key for the user running the tests, logging verbosely to a file (one
//! "Connection from" line per TCP connection). Stopped by its own pid on drop.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const SSHD: &str = "/usr/sbin/sshd";

/// `ssh-keygen -t ed25519 -N '' -f PATH`.
pub fn keygen(path: &Path) {
    keygen_type(path, "ed25519");
}

/// `ssh-keygen -t TYPE -N '' -f PATH` (`rsa` is 3072 bits).
pub fn keygen_type(path: &Path, kind: &str) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", kind, "-N", "", "-C", "qd-test", "-f"])
        .arg(path)
        .stdout(Stdio::null())
        .status()
        .expect("ssh-keygen")
        .success();
    assert!(ok, "ssh-keygen failed");
}

/// `SHA256:...` of a public key file.
pub fn fingerprint(pubfile: &Path) -> String {
    let out = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(pubfile)
        .output()
        .expect("ssh-keygen -l");
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.split_whitespace().nth(1).unwrap_or_default().to_string()
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

pub struct Sshd {
    pub dir: PathBuf,
    pub port: u16,
    child: Option<Child>,
    /// The client key (private) this server accepts.
    pub client_key: PathBuf,
}

impl Sshd {
    /// A server in `dir` (a fresh host key and an accepted client key are made
    /// there unless present).
    pub fn start(dir: &Path) -> Self {
        Self::start_on(dir, free_port())
    }

    pub fn start_on(dir: &Path, port: u16) -> Self {
        Self::start_with(dir, port, false)
    }

    /// A server with an RSA host key beside its ed25519 one.
    pub fn start_rsa(dir: &Path) -> Self {
        Self::start_with(dir, free_port(), true)
    }

    fn start_with(dir: &Path, port: u16, rsa: bool) -> Self {
        std::fs::create_dir_all(dir).expect("sshd dir");
        // Debian's sshd refuses to start without its privilege separation directory.
        let _ = std::fs::create_dir_all("/run/sshd");
        let host_key = dir.join("host_ed25519");
        if !host_key.exists() {
            keygen(&host_key);
        }
        let mut host_keys = format!("HostKey {}\n", host_key.display());
        if rsa {
            let rsa_key = dir.join("host_rsa");
            if !rsa_key.exists() {
                keygen_type(&rsa_key, "rsa");
            }
            host_keys += &format!("HostKey {}\n", rsa_key.display());
        }
        let client_key = dir.join("client_ed25519");
        if !client_key.exists() {
            keygen(&client_key);
        }
        let auth = std::fs::read_to_string(client_key.with_extension("pub")).expect("client pub");
        std::fs::write(dir.join("authorized_keys"), auth).expect("authorized_keys");
        let cfg = format!(
            "Port {port}\nListenAddress 127.0.0.1\n{host_keys}PidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nUsePAM no\n\
             StrictModes no\nPermitRootLogin yes\nLogLevel VERBOSE\nMaxSessions 64\n\
             MaxStartups 100\nPrintMotd no\nAcceptEnv LANG\n",
            d = dir.display()
        );
        std::fs::write(dir.join("sshd_config"), cfg).expect("sshd_config");
        let child = Command::new(SSHD)
            .arg("-D")
            .arg("-f")
            .arg(dir.join("sshd_config"))
            .arg("-E")
            .arg(dir.join("sshd.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sshd (is openssh-server installed? scripts/test.sh installs it)");
        let s = Self {
            dir: dir.to_path_buf(),
            port,
            child: Some(child),
            client_key,
        };
        let up = super::wait_until(Duration::from_secs(10), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        assert!(up, "sshd did not listen on {port}: {}", s.log());
        s
    }

    pub fn host_pub(&self) -> PathBuf {
        self.dir.join("host_ed25519.pub")
    }

    /// The line a known_hosts file has for this server.
    pub fn known_line(&self) -> String {
        self.known_line_of(&self.host_pub())
    }

    /// The known_hosts line of its RSA host key (`start_rsa`).
    pub fn rsa_known_line(&self) -> String {
        self.known_line_of(&self.dir.join("host_rsa.pub"))
    }

    fn known_line_of(&self, pubfile: &Path) -> String {
        let k = std::fs::read_to_string(pubfile).expect("host pub");
        let mut w = k.split_whitespace();
        format!(
            "[127.0.0.1]:{} {} {}\n",
            self.port,
            w.next().unwrap_or_default(),
            w.next().unwrap_or_default()
        )
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sshd.log")).unwrap_or_default()
    }

    /// Connections that authenticated so far (the readiness probe's bare TCP
    /// connection never does, so it is not counted).
    pub fn connections(&self) -> usize {
        self.log().matches("Accepted publickey for").count()
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Stops the listener and every session it forked (its process group is its own
    /// children: each session process is killed through the listener's pid file).
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let pid = c.id() as i32;
            // Session processes are children of the listener; find them by parent pid.
            for child in children_of(pid) {
                let _ = rustix::process::kill_process(
                    rustix::process::Pid::from_raw(child).expect("pid"),
                    rustix::process::Signal::KILL,
                );
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Pids whose parent is `ppid` (and their descendants), from /proc.
fn children_of(ppid: i32) -> Vec<i32> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in rd.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if super::stat_field(pid, 4).and_then(|p| p.parse::<i32>().ok()) == Some(ppid) {
            out.push(pid);
            out.extend(children_of(pid));
        }
    }
    out
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.kill();
    }
}
