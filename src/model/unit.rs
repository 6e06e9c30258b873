//! A systemd unit as the services views and `qd snapshot services` show it: what
//! `ListUnitsByPatterns` says of it, plus the service properties qd reads for it
//! (`props_pending`, `detail_pending` until they are read).

use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Unit {
    /// The site it belongs to, when the config names it (issue 4's sites).
    pub site: Option<Arc<str>>,
    /// The service's name within its site.
    pub service: Option<Arc<str>>,
    /// `nginx.service`
    pub unit: String,
    pub description: String,
    /// loaded, not-found, masked, error...
    pub load_state: String,
    /// active, inactive, failed, activating, deactivating, reloading
    pub active_state: String,
    /// running, exited, dead, failed, auto-restart...
    pub sub_state: String,
    /// 0 when the unit has no main process.
    pub main_pid: u32,
    /// `None` when systemd does not account it (MemoryAccounting off: u64::MAX).
    pub memory_bytes: Option<u64>,
    pub cpu_nsec: Option<u64>,
    pub tasks: Option<u64>,
    /// How often systemd restarted it automatically (NRestarts).
    pub restarts: u32,
    /// When it last entered the active state, unix microseconds (0: never).
    pub active_since_us: u64,
    /// Health check result: `ok`, `failing`, `unknown`; `None` without a check.
    pub health: Option<String>,
    /// Whether the unit supports reload (CanReload).
    pub can_reload: bool,
    /// enabled, disabled, static, masked... (UnitFileState)
    pub unit_file_state: String,
    /// The unit file systemd loaded it from.
    pub fragment_path: String,
    /// The port the site service is declared to listen on.
    pub port: Option<u16>,
    /// Whether something listens on `port` (None: no port declared, or not checked).
    pub listening: Option<bool>,
    /// Why the health check fails, or what it saw when it passed.
    pub health_detail: Option<String>,
    /// Since when (unix seconds) the health has been what it is (TUI watcher only).
    #[serde(skip_serializing_if = "is_zero")]
    pub health_since: u64,
    /// The table's columns (`main_pid`, `restarts`, `active_since_us`) are not read
    /// yet: their zeros mean "unknown", not zero. The TUI lists the units first and
    /// reads these for the rows on screen, then the rest. In JSON only when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub props_pending: bool,
    /// The other properties (memory, cpu, tasks, `can_reload`, unit file state and
    /// path) are not read yet: unknown, read in the background after the columns.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub detail_pending: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}
