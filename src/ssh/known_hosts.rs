//! Host keys with OpenSSH's semantics, on top of nothing but the files: hashed
//! entries (`|1|salt|hash`), `[host]:port`, wildcards and negation, `@revoked`
//! (`@cert-authority` lines vouch only for certificates, which qd does not accept,
//! so they never match a plain key). A changed key is reported with the file and
//! line of the key that was expected; a key of another type known for the host is
//! not "unknown" (accept-new will not learn over it). The files are the user's and
//! the system's (`/etc/ssh/ssh_known_hosts`, `[ssh] global_known_hosts`), read alike;
//! writing is `learn::append`'s, never the system file. A missing file is empty; an
//! unreadable one is an error.

pub use super::learn::append;
use super::ssh_config::matches_list;
use data_encoding::BASE64;
use hmac::{Hmac, KeyInit, Mac};
use russh::keys::{HashAlg, PublicKey};
use sha1::Sha1;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    None,
    Revoked,
    CertAuthority,
}

#[derive(Debug, Clone)]
struct Entry {
    line: usize,
    marker: Marker,
    patterns: String,
    key: PublicKey,
}

/// Where a key was found: `~/.ssh/known_hosts:12`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: PathBuf,
    pub line: usize,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// This key is known for the host.
    Known(Place),
    /// This key is marked `@revoked`.
    Revoked(Place),
    /// A different key of the same type is known: possible man in the middle.
    Changed { expected: Place },
    /// Only keys of other types are known for the host.
    OtherType { known: Place, known_type: String },
    /// Nothing is known for the host.
    Unknown,
}

/// `[host]:port`, or `host` for port 22, as OpenSSH writes and looks up names.
pub fn host_port(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    }
}

/// `SHA256:...`, as ssh prints it.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

fn hashed_match(entry: &str, name: &str) -> bool {
    let mut parts = entry.split('|').skip(2);
    let (Some(salt), Some(hash)) = (parts.next(), parts.next()) else {
        return false;
    };
    let (Ok(salt), Ok(hash)) = (
        BASE64.decode(salt.as_bytes()),
        BASE64.decode(hash.as_bytes()),
    ) else {
        return false;
    };
    match <Hmac<Sha1> as KeyInit>::new_from_slice(&salt) {
        Ok(mac) => mac
            .chain_update(name.as_bytes())
            .verify_slice(&hash)
            .is_ok(),
        Err(_) => false,
    }
}

fn host_matches(patterns: &str, name: &str) -> bool {
    if patterns.starts_with("|1|") {
        return hashed_match(patterns, name);
    }
    let list: Vec<String> = patterns.split(',').map(String::from).collect();
    matches_list(&list, name)
}

fn parse(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let mut first = words.next().unwrap_or_default();
        let marker = match first {
            "@revoked" => Marker::Revoked,
            "@cert-authority" => Marker::CertAuthority,
            m if m.starts_with('@') => continue,
            _ => Marker::None,
        };
        if marker != Marker::None {
            first = words.next().unwrap_or_default();
        }
        let (Some(_kind), Some(b64)) = (words.next(), words.next()) else {
            continue;
        };
        // A line ssh could not read either is skipped, as ssh does.
        if let Ok(key) = russh::keys::parse_public_key_base64(b64) {
            out.push(Entry {
                line: i + 1,
                marker,
                patterns: first.to_string(),
                key,
            });
        }
    }
    out
}

/// The largest known_hosts file read: far more than any real one.
const MAX_KNOWN_HOSTS: u64 = 16 << 20;

/// Reads one file; a missing file has no entries, any other failure is an error. It
/// is read from inside a handshake: opened non-blocking (a FIFO cannot hang qd), a
/// regular file only, at most `MAX_KNOWN_HOSTS` bytes (`/dev/zero` cannot exhaust it).
fn read(path: &Path) -> Result<Vec<Entry>, String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let fail = |e: std::io::Error| {
        format!(
            "cannot read known hosts file {}: {}",
            path.display(),
            crate::sys::errno::io_sentence(&e)
        )
    };
    let f = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(fail(e)),
    };
    let md = f.metadata().map_err(fail)?;
    if !md.is_file() {
        return Err(format!(
            "cannot read known hosts file {}: not a regular file",
            path.display()
        ));
    }
    let mut text = String::new();
    f.take(MAX_KNOWN_HOSTS)
        .read_to_string(&mut text)
        .map_err(fail)?;
    Ok(parse(&text))
}

/// What the files say about `key` presented by `host` on `port`.
pub fn check(files: &[PathBuf], host: &str, port: u16, key: &PublicKey) -> Result<Verdict, String> {
    let name = host_port(host, port);
    let mut other: Option<(Place, String)> = None;
    let mut changed: Option<Place> = None;
    let mut known: Option<Place> = None;
    for f in files {
        for e in read(f)? {
            let place = || Place {
                file: f.clone(),
                line: e.line,
            };
            // Revocation is by key alone, whatever host it is listed for.
            if e.marker == Marker::Revoked && e.key.key_data() == key.key_data() {
                return Ok(Verdict::Revoked(place()));
            }
            if e.marker != Marker::None || !host_matches(&e.patterns, &name) {
                continue;
            }
            if e.key.key_data() == key.key_data() {
                known.get_or_insert_with(place);
            } else if e.key.algorithm() == key.algorithm() {
                changed.get_or_insert_with(place);
            } else if other.is_none() {
                other = Some((place(), e.key.algorithm().to_string()));
            }
        }
    }
    Ok(match (known, changed, other) {
        (Some(p), _, _) => Verdict::Known(p),
        (None, Some(expected), _) => Verdict::Changed { expected },
        (None, None, Some((known, known_type))) => Verdict::OtherType { known, known_type },
        (None, None, None) => Verdict::Unknown,
    })
}

/// The key types known for `host`:`port` (plain entries, not revoked ones), in file
/// order: the connection offers these first, as OpenSSH orders its host key
/// algorithms, so a host known by its RSA key is asked for that key.
pub fn known_algorithms(
    files: &[PathBuf],
    host: &str,
    port: u16,
) -> Result<Vec<russh::keys::Algorithm>, String> {
    let name = host_port(host, port);
    let mut out = Vec::new();
    for f in files {
        for e in read(f)? {
            if e.marker == Marker::None
                && host_matches(&e.patterns, &name)
                && !out.contains(&e.key.algorithm())
            {
                out.push(e.key.algorithm());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED1: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ";
    const ED2: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIA6rWI3G1sz07DnfFlrouTcysQlj2P+jpNSOEWD9OJ3X";

    fn key(b: &str) -> PublicKey {
        russh::keys::parse_public_key_base64(b).expect("test key")
    }

    fn file(text: &str) -> (tempfile::TempDir, Vec<PathBuf>) {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join("kh");
        std::fs::write(&p, text).expect("write");
        (d, vec![p])
    }

    #[test]
    fn known_changed_unknown_revoked() {
        let text = format!("# c\nother ssh-ed25519 {ED2}\n[h]:2222 ssh-ed25519 {ED1}\n");
        let (_d, f) = file(&text);
        assert!(matches!(check(&f, "h", 2222, &key(ED1)), Ok(Verdict::Known(p)) if p.line == 3));
        assert!(
            matches!(check(&f, "h", 2222, &key(ED2)), Ok(Verdict::Changed { expected }) if expected.line == 3)
        );
        assert_eq!(check(&f, "h", 22, &key(ED1)), Ok(Verdict::Unknown));
        let (_d2, f2) = file(&format!(
            "@revoked * ssh-ed25519 {ED1}\nh ssh-ed25519 {ED1}\n"
        ));
        assert!(matches!(check(&f2, "h", 22, &key(ED1)), Ok(Verdict::Revoked(p)) if p.line == 1));
    }

    #[test]
    fn hashed_and_learned_entries() {
        // `ssh-keygen -H` of "[127.0.0.1]:2222" with this salt.
        let salt = [7u8; 20];
        let mac = <Hmac<Sha1> as KeyInit>::new_from_slice(&salt)
            .expect("key")
            .chain_update(b"[127.0.0.1]:2222")
            .finalize()
            .into_bytes();
        let line = format!(
            "|1|{}|{} ssh-ed25519 {ED1}\n",
            BASE64.encode(&salt),
            BASE64.encode(&mac)
        );
        let (d, f) = file(&line);
        assert!(matches!(
            check(&f, "127.0.0.1", 2222, &key(ED1)),
            Ok(Verdict::Known(_))
        ));
        assert_eq!(
            check(&f, "127.0.0.1", 2223, &key(ED1)),
            Ok(Verdict::Unknown)
        );
        let line = super::super::learn::entry_line("127.0.0.1", 2223, &key(ED2)).expect("line");
        append(&f[0], &line).expect("learn");
        assert!(
            matches!(check(&f, "127.0.0.1", 2223, &key(ED2)), Ok(Verdict::Known(p)) if p.line == 2)
        );
        drop(d);
    }

    #[test]
    fn unreadable_file_is_an_error() {
        let d = tempfile::tempdir().expect("tmp");
        // A directory cannot be read as a file: an error, never "no keys known".
        let r = check(&[d.path().to_path_buf()], "h", 22, &key(ED1));
        assert!(r.is_err(), "{r:?}");
        let missing = check(&[d.path().join("none")], "h", 22, &key(ED1));
        assert_eq!(missing, Ok(Verdict::Unknown));
    }
}
