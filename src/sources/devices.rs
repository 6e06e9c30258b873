//! The header's networks, disks and temperatures: interface traffic as rates over
//! each refresh and each sensor that reports a temperature (sysinfo), each mounted
//! disk's space (/proc/self/mounts and `statvfs`, read as bytes). Only the TUI's
//! collector thread keeps one (`LocalCollector::devices`); one-shot snapshots leave
//! these lists empty.
//!
//! Disks and sensors change slowly and cost a `statvfs` or a hwmon read each, so they
//! are read every few refreshes; the networks every refresh (their rates need it).
//!
//! The disks are read on a thread of their own: a `stat`/`statvfs` of a mount point
//! waits on whatever serves it (a user's FUSE daemon mounted `allow_other`, a dead
//! network mount), and the collector thread must never wait with it (the process
//! table would freeze). A FUSE mount is not a disk of this host and is left out: a
//! user's daemon would choose its name, its size and so its place in the header.

use crate::model::text::inert;
use crate::model::{DiskUse, NetRate, Temp};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use sysinfo::{Components, Networks};

/// How often the disks and sensors are read again.
const SLOW_EVERY: Duration = Duration::from_secs(5);

pub struct Devices {
    networks: Option<Networks>,
    /// The disk thread's latest list; the thread ends when this is the last holder.
    disks: Arc<Mutex<Vec<DiskUse>>>,
    components: Option<Components>,
    last_net: Instant,
    last_slow: Option<Instant>,
    pub disks_now: Vec<DiskUse>,
    pub temps_now: Vec<Temp>,
}

impl Devices {
    /// Lists what there is. A part sysinfo cannot read (no /sys in a container) stays
    /// absent and its list empty.
    pub fn new() -> Self {
        Self {
            networks: Networks::new_with_refreshed_list().ok(),
            disks: spawn_disks(),
            components: Components::new_with_refreshed_list().ok(),
            last_net: Instant::now(),
            last_slow: None,
            disks_now: Vec::new(),
            temps_now: Vec::new(),
        }
    }

    /// The rates since the last call, busiest first, loopback left out.
    pub fn networks(&mut self) -> Vec<NetRate> {
        let Some(nets) = self.networks.as_mut() else {
            return Vec::new();
        };
        nets.refresh(true);
        let secs = self.last_net.elapsed().as_secs_f64().max(0.001);
        self.last_net = Instant::now();
        let mut out: Vec<NetRate> = nets
            .iter()
            .filter(|(name, _)| name.as_os_str() != "lo")
            .map(|(name, data)| NetRate {
                name: inert(&name.to_string_lossy(), 32).into_owned(),
                rx_bytes_per_sec: data.received() as f64 / secs,
                tx_bytes_per_sec: data.transmitted() as f64 / secs,
            })
            .collect();
        out.sort_by(|a, b| {
            (b.rx_bytes_per_sec + b.tx_bytes_per_sec)
                .total_cmp(&(a.rx_bytes_per_sec + a.tx_bytes_per_sec))
                .then_with(|| a.name.cmp(&b.name))
        });
        out
    }

    /// Disks and temperatures, read again when `SLOW_EVERY` has passed.
    pub fn refresh_slow(&mut self) {
        // The disk thread's latest list (it reads every SLOW_EVERY itself).
        if let Ok(d) = self.disks.lock() {
            self.disks_now.clone_from(&d);
        }
        if self.last_slow.is_some_and(|t| t.elapsed() < SLOW_EVERY) {
            return;
        }
        self.last_slow = Some(Instant::now());
        if let Some(comps) = self.components.as_mut() {
            comps.refresh(true);
            let mut out: Vec<Temp> = comps
                .iter()
                .filter_map(|c| {
                    let t = c.temperature().filter(|t| t.is_finite())?;
                    Some(Temp {
                        label: inert(c.label(), 32).into_owned(),
                        celsius: t,
                    })
                })
                .collect();
            out.sort_by(|a, b| b.celsius.total_cmp(&a.celsius));
            self.temps_now = out;
        }
    }
}

/// File systems that are no disk of this host: pseudo and memory file systems, FUSE
/// (`fuse`, `fuse.sshfs`: any user mounts one with fusermount and its daemon answers
/// with any name and size; `fuseblk`, ntfs-3g on a block device, is a disk), and
/// network mounts, whose `statvfs` may hang on a dead server.
fn not_a_disk(fs: &[u8]) -> bool {
    matches!(
        fs,
        b"rootfs"
            | b"sysfs"
            | b"proc"
            | b"devtmpfs"
            | b"cgroup"
            | b"cgroup2"
            | b"pstore"
            | b"squashfs"
            | b"rpc_pipefs"
            | b"iso9660"
            | b"devpts"
            | b"hugetlbfs"
            | b"mqueue"
            | b"tmpfs"
            | b"cifs"
            | b"smb3"
            | b"nfs"
            | b"nfs4"
            | b"autofs"
            | b"fuse"
            | b"fusectl"
    ) || fs.starts_with(b"fuse.")
}

/// A /proc/mounts field with the kernel's `\ooo` escapes (space, tab, newline,
/// backslash) undone; bytes, as a mount point may be any (not UTF-8 included).
fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let oct = field
            .get(i + 1..i + 4)
            .filter(|o| o.iter().all(|b| (b'0'..=b'7').contains(b)));
        match oct {
            Some(o) if field[i] == b'\\' => {
                let v = o.iter().fold(0u32, |v, b| v * 8 + u32::from(b - b'0'));
                out.push(v as u8);
                i += 4;
            }
            _ => {
                out.push(field[i]);
                i += 1;
            }
        }
    }
    out
}

/// The mounts of a /proc/mounts text that may be disks: (mount point, device). Read as
/// bytes: sysinfo reads the file as UTF-8, and one mount point that is not (a user's
/// FUSE mount) emptied its whole list.
fn disk_mounts(mounts: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    for line in mounts.split(|b| *b == b'\n') {
        let mut f = line.split(|b| *b == b' ');
        let (Some(dev), Some(mnt), Some(fs)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let mnt = unescape(mnt);
        let skip_dir = |p: &[u8]| mnt == p || mnt.starts_with(&[p, b"/"].concat());
        if not_a_disk(fs)
            || dev.starts_with(b"sunrpc")
            || skip_dir(b"/sys")
            || skip_dir(b"/proc")
            || (skip_dir(b"/run") && !skip_dir(b"/run/media"))
        {
            continue;
        }
        out.push((mnt, dev.to_vec()));
    }
    out
}

/// Each disk's space, largest first.
fn read_disks() -> Vec<DiskUse> {
    use std::os::unix::ffi::OsStrExt;
    let Ok(mounts) = std::fs::read("/proc/self/mounts") else {
        return Vec::new();
    };
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<DiskUse> = disk_mounts(&mounts)
        .into_iter()
        .filter_map(|(mnt, dev)| {
            let path = std::path::Path::new(std::ffi::OsStr::from_bytes(&mnt));
            let st = rustix::fs::statvfs(path).ok()?;
            let total = st.f_frsize.saturating_mul(st.f_blocks);
            // One row per device: a bind mount of the same disk is not a second disk.
            (total > 0 && seen.insert(dev)).then(|| DiskUse {
                mount: inert(&path.to_string_lossy(), 48).into_owned(),
                total,
                available: st.f_frsize.saturating_mul(st.f_bavail).min(total),
            })
        })
        .collect();
    out.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.mount.cmp(&b.mount)));
    out
}

/// Starts the disk thread: a list every `SLOW_EVERY` until `Devices` is dropped.
fn spawn_disks() -> Arc<Mutex<Vec<DiskUse>>> {
    let shared = Arc::new(Mutex::new(Vec::new()));
    let weak = Arc::downgrade(&shared);
    let _ = std::thread::Builder::new()
        .name("qd-disks".into())
        .spawn(move || {
            loop {
                let now = read_disks();
                let Some(shared) = weak.upgrade() else { return };
                if let Ok(mut d) = shared.lock() {
                    *d = now;
                }
                drop(shared);
                std::thread::sleep(SLOW_EVERY);
            }
        });
    shared
}

impl Default for Devices {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    const MOUNTS: &[u8] = b"/dev/vda / ext4 rw,relatime 0 0\n\
proc /proc proc rw 0 0\n\
tmpfs /run tmpfs rw 0 0\n\
/dev/sdb1 /run/media/usb vfat rw 0 0\n\
/dev/vda /srv/bind\\040dir ext4 rw 0 0\n\
/dev/sdc /mnt/x\xff\\012y xfs rw 0 0\n\
/dev/vda /home/u/fake fuse.evil rw,nosuid,nodev 0 0\n\
evil /tmp/u fuse rw 0 0\n\
/dev/sdd1 /mnt/win fuseblk rw 0 0\n\
server:/x /net nfs4 rw 0 0\n";

    #[test]
    fn disks_of_a_mounts_file() {
        let got: Vec<Vec<u8>> = disk_mounts(MOUNTS).into_iter().map(|(m, _)| m).collect();
        // A mount point that is not UTF-8 (sysinfo's read_to_string failed on it and
        // listed no disk at all), escapes undone; no FUSE mount (a user's daemon picks
        // its name and size), no network mount (read_disks keeps one row a device).
        let want: Vec<&[u8]> = vec![
            b"/",
            b"/run/media/usb",
            b"/srv/bind dir",
            b"/mnt/x\xff\ny",
            b"/mnt/win",
        ];
        assert_eq!(got, want);
        assert_eq!(unescape(b"a\\134b\\040\\9"), b"a\\b \\9");
        assert_eq!(unescape(b"\\04"), b"\\04");
    }

    /// Run by `a_mount_point_not_utf8_hides_no_disk` inside a mount namespace that
    /// holds such a mount point.
    #[test]
    #[ignore]
    fn inner_disks_with_a_non_utf8_mount() {
        let mounts = std::fs::read("/proc/self/mounts").expect("mounts");
        assert!(mounts.windows(2).any(|w| w == b"\xff "), "no such mount");
        assert!(read_disks().iter().any(|d| d.total > 0), "no disk listed");
    }

    #[test]
    fn a_mount_point_not_utf8_hides_no_disk() {
        // A real mount namespace (unprivileged: `unshare -rm`) with a tmpfs mounted on a
        // directory whose name is not UTF-8, as a user's FUSE mount may be.
        let dir = std::env::temp_dir().join(format!("qd-devices-{}", std::process::id()));
        let odd = dir.join(std::ffi::OsStr::from_bytes(b"m\xff"));
        std::fs::create_dir_all(&odd).expect("dir");
        let me = std::env::current_exe().expect("test binary");
        let out = std::process::Command::new("unshare")
            .args(["-rm", "sh", "-c", r#"mount -t tmpfs qd "$1" && exec "$2" --exact --ignored sources::devices::tests::inner_disks_with_a_non_utf8_mount"#, "sh"])
            .arg(&odd)
            .arg(&me)
            .output();
        let _ = std::fs::remove_dir_all(&dir);
        let Ok(out) = out else {
            eprintln!("skipped: no unshare");
            return;
        };
        let text = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() && !text.contains("running 1 test") {
            eprintln!(
                "skipped: no user namespace: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return;
        }
        assert!(out.status.success(), "{text}");
    }

    #[test]
    fn reads_this_machine() {
        let mut d = Devices::new();
        // The disk thread's first list.
        for _ in 0..100 {
            d.refresh_slow();
            if !d.disks_now.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // Every machine this runs on has a root filesystem with space.
        assert!(
            d.disks_now
                .iter()
                .any(|u| u.total > 0 && u.available <= u.total),
            "{:?}",
            d.disks_now
        );
        let nets = d.networks();
        assert!(
            nets.iter()
                .all(|n| n.name != "lo" && n.rx_bytes_per_sec >= 0.0)
        );
        // A second call within SLOW_EVERY reads nothing new.
        let before = d.last_slow;
        d.refresh_slow();
        assert_eq!(before, d.last_slow);
    }
}
