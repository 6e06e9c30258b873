//! Plain data shared by every layer: processes, host stats, snapshots, and the one
//! place where foreign text is made inert. Nothing here does I/O.

pub mod argv;
pub mod envfile;
pub mod export;
pub mod fixture;
pub mod format;
pub mod host;
pub mod policy;
pub mod port;
pub mod process;
pub mod services;
pub mod signal;
pub mod site;
pub mod snapshot;
pub mod text;
pub mod unit;

pub use host::{DiskUse, HostStats, NetRate, Temp};
pub use process::{ProcKey, Process};
pub use snapshot::Snapshot;
