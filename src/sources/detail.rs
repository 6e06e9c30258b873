//! The detail of one process, read on demand when the operator opens it: everything
//! the table has no room for. Each field is read independently, so a field the
//! operator may not read (another user's environment) says why instead of hiding the
//! rest. Environment values are secrets: they are masked (`KEY=****`) unless the
//! caller asks for them (the operator's own process); anyone else's go through the
//! dispatcher's recorded reveal.

use super::owners::socket_inodes;
use super::procstat::parse_stat;
use super::sockets::{SocketEntry, read_all};
use crate::model::text::split_nul;
use crate::sys::procfile::{describe_read_error, read_capped, read_io, read_status, read_unit};
use serde::Serialize;

/// A field that may be unreadable: the value, or the reason it is missing.
pub type Field<T> = Result<T, String>;

#[derive(Debug, Clone, Serialize)]
pub struct ProcDetail {
    pub pid: i32,
    pub starttime: u64,
    pub name: String,
    pub cmdline: Field<Vec<String>>,
    pub exe: Field<String>,
    pub cwd: Field<String>,
    /// Real, effective uid and gid (from /proc/PID/status).
    pub uids: Field<String>,
    pub gids: Field<String>,
    pub groups: Field<String>,
    /// Bytes read and written (/proc/PID/io: owner and root only).
    pub io: Field<IoCounts>,
    pub threads: u32,
    pub open_files: Field<usize>,
    pub sockets: Field<Vec<SocketEntry>>,
    pub cgroup: Field<String>,
    pub unit: Option<String>,
    /// Lines of /proc/PID/limits after its header.
    pub limits: Field<Vec<String>>,
    pub environ: Field<Vec<String>>,
    /// The environment's values are masked (`KEY=****`).
    pub environ_masked: bool,
}

/// A process's I/O since it started: what reached storage (`read_bytes`,
/// `write_bytes`) and everything through read/write calls, caches and pipes included
/// (`rchar`, `wchar`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct IoCounts {
    pub read_bytes: u64,
    pub write_bytes: u64,
    pub rchar: u64,
    pub wchar: u64,
}

/// `KEY=VALUE` entries with every value replaced by `****` (an entry without `=` is
/// all value).
pub fn mask_environ(vars: Vec<String>) -> Vec<String> {
    vars.into_iter()
        .map(|v| match v.split_once('=') {
            Some((k, _)) => format!("{k}=****"),
            None => "****".into(),
        })
        .collect()
}

/// `0 0 0 0`: ids as /proc/PID/status lists them.
fn join(ids: &[u32]) -> String {
    ids.iter().map(u32::to_string).collect::<Vec<_>>().join(" ")
}

fn why(e: std::io::Error) -> String {
    describe_read_error(&e)
}

/// Reads the detail of `pid`, refusing if it is no longer the process with `starttime`;
/// the environment's values only when `values` (else masked).
pub fn load(pid: i32, starttime: u64, values: bool) -> Result<ProcDetail, String> {
    // One read of stat: it both checks the identity and gives name and threads.
    let stat_buf = std::fs::read(format!("/proc/{pid}/stat")).map_err(why)?;
    let stat = parse_stat(&stat_buf);
    match &stat {
        Some(s) if s.starttime == starttime => {}
        Some(_) => return Err("the process changed since it was listed (pid reused)".into()),
        None => return Err("unreadable /proc stat".into()),
    }
    let status = read_status(pid).map_err(why);
    let ids = |f: fn(&procfs::process::Status) -> Vec<u32>| {
        status.as_ref().map(|s| join(&f(s))).map_err(Clone::clone)
    };
    let inodes = socket_inodes(pid).map_err(why);
    let sockets = inodes.as_ref().map_err(Clone::clone).and_then(|set| {
        read_all(&format!("/proc/{pid}/net"))
            .map(|all| {
                all.into_iter()
                    .filter(|s| set.binary_search(&s.inode).is_ok())
                    .collect()
            })
            .map_err(why)
    });
    let open_files = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count())
        .map_err(why);
    Ok(ProcDetail {
        pid,
        starttime,
        name: stat.as_ref().map(|s| s.comm.clone()).unwrap_or_default(),
        cmdline: read_capped(&format!("/proc/{pid}/cmdline"), 1 << 20)
            .map(|b| split_nul(&b))
            .map_err(why),
        exe: std::fs::read_link(format!("/proc/{pid}/exe"))
            .map(|p| p.to_string_lossy().into_owned())
            .map_err(why),
        cwd: std::fs::read_link(format!("/proc/{pid}/cwd"))
            .map(|p| p.to_string_lossy().into_owned())
            .map_err(why),
        uids: ids(|s| vec![s.ruid, s.euid, s.suid, s.fuid]),
        gids: ids(|s| vec![s.rgid, s.egid, s.sgid, s.fgid]),
        groups: ids(|s| s.groups.clone()),
        io: read_io(pid)
            .map(|io| IoCounts {
                read_bytes: io.read_bytes,
                write_bytes: io.write_bytes,
                rchar: io.rchar,
                wchar: io.wchar,
            })
            .map_err(why),
        threads: stat
            .as_ref()
            .and_then(|s| u32::try_from(s.num_threads).ok())
            .unwrap_or(0),
        open_files,
        sockets,
        cgroup: std::fs::read_to_string(format!("/proc/{pid}/cgroup"))
            .map(|s| s.trim_end().to_string())
            .map_err(why),
        unit: read_unit(pid).map(|u| u.to_string()),
        limits: std::fs::read_to_string(format!("/proc/{pid}/limits"))
            .map(|s| {
                s.lines()
                    .skip(1)
                    .map(|l| l.trim_end().to_string())
                    .collect()
            })
            .map_err(why),
        environ: read_capped(&format!("/proc/{pid}/environ"), 1 << 20)
            .map(|b| split_nul(&b))
            .map(|v| if values { v } else { mask_environ(v) })
            .map_err(why),
        environ_masked: !values,
    })
}
