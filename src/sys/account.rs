//! A Linux account as the C library (and so NSS) knows it: uid, primary gid, home,
//! and every group it is in. Used to run commands as a site's user (the supplementary
//! groups initgroups would set, computed before fork) and to match `group =` rules of
//! the policy.

use std::ffi::{CStr, CString};

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
    /// Primary and supplementary group ids.
    pub groups: Vec<u32>,
}

/// Calls a `get*_r` function with a growing buffer until it fits.
fn with_buffer<T>(mut f: impl FnMut(&mut [libc::c_char]) -> Result<Option<T>, i32>) -> Option<T> {
    let mut size = 4096;
    loop {
        let mut buf = vec![0 as libc::c_char; size];
        match f(&mut buf) {
            Ok(v) => return v,
            Err(libc::ERANGE) if size < 1 << 20 => size *= 4,
            Err(_) => return None,
        }
    }
}

impl Account {
    /// The account called `name`, or `None` when there is no such user.
    pub fn by_name(name: &str) -> Option<Self> {
        let cname = CString::new(name).ok()?;
        let (uid, gid, home) = with_buffer(|buf| {
            // SAFETY: passwd is plain data filled by getpwnam_r, whose strings point
            // into `buf`, which outlives their use below.
            let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
            let mut out: *mut libc::passwd = std::ptr::null_mut();
            let rc = unsafe {
                libc::getpwnam_r(
                    cname.as_ptr(),
                    &mut pw,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut out,
                )
            };
            if rc != 0 {
                return Err(rc);
            }
            if out.is_null() {
                return Ok(None);
            }
            // SAFETY: pw_dir is a NUL-terminated string inside `buf` (or null).
            let home = if pw.pw_dir.is_null() {
                String::from("/")
            } else {
                unsafe { CStr::from_ptr(pw.pw_dir) }
                    .to_string_lossy()
                    .into_owned()
            };
            Ok(Some((pw.pw_uid, pw.pw_gid, home)))
        })?;
        Some(Self {
            name: name.to_string(),
            uid,
            gid,
            home,
            groups: group_list(&cname, gid),
        })
    }

    /// The account of `uid`, by its name.
    pub fn by_uid(uid: u32) -> Option<Self> {
        let name = with_buffer(|buf| {
            // SAFETY: as in by_name.
            let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
            let mut out: *mut libc::passwd = std::ptr::null_mut();
            let rc =
                unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr(), buf.len(), &mut out) };
            if rc != 0 {
                return Err(rc);
            }
            if out.is_null() || pw.pw_name.is_null() {
                return Ok(None);
            }
            // SAFETY: pw_name is a NUL-terminated string inside `buf`.
            Ok(Some(
                unsafe { CStr::from_ptr(pw.pw_name) }
                    .to_string_lossy()
                    .into_owned(),
            ))
        })?;
        Self::by_name(&name)
    }
}

/// getgrouplist(3): the groups initgroups(3) would give the user.
fn group_list(name: &CStr, gid: u32) -> Vec<u32> {
    let mut n: libc::c_int = 32;
    loop {
        let mut groups = vec![0 as libc::gid_t; n as usize];
        let want = n;
        // SAFETY: `groups` has room for `n` entries; getgrouplist writes at most `n`
        // and sets `n` to the number it needs.
        let rc = unsafe { libc::getgrouplist(name.as_ptr(), gid, groups.as_mut_ptr(), &mut n) };
        if rc >= 0 {
            groups.truncate(n.max(0) as usize);
            return groups;
        }
        if n <= want {
            n = want * 2;
        }
        if n > 65536 {
            return vec![gid];
        }
    }
}

/// The gid of the group called `name`.
pub fn group_gid(name: &str) -> Option<u32> {
    let cname = CString::new(name).ok()?;
    with_buffer(|buf| {
        // SAFETY: group is plain data filled by getgrnam_r with strings in `buf`.
        let mut gr: libc::group = unsafe { std::mem::zeroed() };
        let mut out: *mut libc::group = std::ptr::null_mut();
        let rc = unsafe {
            libc::getgrnam_r(
                cname.as_ptr(),
                &mut gr,
                buf.as_mut_ptr(),
                buf.len(),
                &mut out,
            )
        };
        if rc != 0 {
            return Err(rc);
        }
        Ok((!out.is_null()).then_some(gr.gr_gid))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_uid_zero_in_group_zero() {
        let root = Account::by_name("root").expect("root exists");
        assert_eq!((root.uid, root.gid), (0, 0));
        assert!(root.groups.contains(&0));
        assert_eq!(Account::by_uid(0).map(|a| a.name), Some("root".into()));
        assert_eq!(group_gid("root"), Some(0));
        assert_eq!(Account::by_name("no-such-user-qd"), None);
    }
}
