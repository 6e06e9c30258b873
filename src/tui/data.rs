//! What every screen reads: this host's snapshot, the configured sites, who is
//! operating, the session's jobs, the site in focus. App owns it beside the screens, so
//! a screen gets `&Data` while it changes itself (`&mut self`) — no screen holds App,
//! and the tables take their rows from here rather than from one snapshot.

use crate::actions::Operator;
use crate::model::Snapshot;
use crate::model::site::Sites;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

pub struct Data {
    /// This host, as the operator may see it.
    pub snapshot: Arc<Snapshot>,
    /// The sites the operator may see, with their services' commands.
    pub sites: Arc<Sites>,
    /// The configured sites' names (for `:site NAME` before the first services list).
    pub site_names: Vec<Arc<str>>,
    /// Some site service declares a port: the services view needs the sockets.
    pub service_ports: bool,
    /// unit -> its service's env file (`e` edits it).
    pub env_files: HashMap<String, PathBuf>,
    /// One site's services, processes and ports (`:site NAME`, Enter on a site).
    pub site: Option<Arc<str>>,
    pub operator: Operator,
    /// The session is readonly (`--readonly`, Ctrl-R): every action is refused.
    pub readonly: bool,
    /// Every action of the session (`:jobs`).
    pub jobs: super::jobs::Jobs,
    /// The audit log as last read for `:audit` (what the operator may see of the
    /// last 7 days, oldest first), and why the last read failed.
    pub audit: Vec<crate::audit::Record>,
    pub audit_error: Option<String>,
    /// Rows of a table that fit on screen (paging).
    pub page: usize,
    /// Where `:export` writes without a path (the operator's state dir), and the
    /// directory a relative path is taken from; read once at start.
    pub exports_dir: Option<PathBuf>,
    pub cwd: Option<PathBuf>,
    /// The fleet (`:hosts`), in config order.
    pub hosts: Vec<crate::ssh::Host>,
    /// The pool's state of each host, in fleet order (`None`: never connected).
    pub host_status: Vec<Option<crate::ssh::pool::HostStatus>>,
    /// The terminal's size (columns, rows): screens that size things outside their
    /// draw (a shell pane's emulator follows its box) lay themselves out from it.
    pub size: (u16, u16),
}
