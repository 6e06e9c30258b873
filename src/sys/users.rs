//! uid -> user name, from /etc/passwd, cached. An uid missing from the cache makes
//! the file be read again, at most once per interval, so new users appear without a
//! restart and a host with many unknown uids costs no repeated reads. Names are
//! looked up once per process (on first sight), not per refresh.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RELOAD_EVERY: Duration = Duration::from_secs(10);

#[derive(Default)]
pub struct UserDb {
    names: HashMap<u32, Arc<str>>,
    loaded_at: Option<Instant>,
}

impl UserDb {
    pub fn new() -> Self {
        let mut db = Self::default();
        db.reload();
        db
    }

    fn reload(&mut self) {
        self.loaded_at = Some(Instant::now());
        let Ok(text) = std::fs::read_to_string("/etc/passwd") else {
            return;
        };
        for line in text.lines() {
            let mut parts = line.split(':');
            let (Some(name), _, Some(uid)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            if let Ok(uid) = uid.parse::<u32>() {
                self.names.entry(uid).or_insert_with(|| Arc::from(name));
            }
        }
    }

    /// The name of `uid`, or the number itself when no user has it.
    pub fn name(&mut self, uid: u32) -> Arc<str> {
        if let Some(n) = self.names.get(&uid) {
            return n.clone();
        }
        if self.loaded_at.is_none_or(|t| t.elapsed() > RELOAD_EVERY) {
            self.reload();
            if let Some(n) = self.names.get(&uid) {
                return n.clone();
            }
        }
        // Not cached: a user created later gets its name on a later reload.
        Arc::from(uid.to_string())
    }
}

/// The uid and primary gid of the user `name`, from /etc/passwd.
pub fn lookup(name: &str) -> Option<(u32, u32)> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    text.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() >= 4 && f[0] == name {
            Some((f[2].parse().ok()?, f[3].parse().ok()?))
        } else {
            None
        }
    })
}
