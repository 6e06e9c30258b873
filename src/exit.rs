//! The exit codes `qd` returns, shared by the CLI and the TUI: 0 ok, 1 an action
//! failed, 2 a usage or config error, 3 denied by policy.

pub const EXIT_OK: i32 = 0;
pub const EXIT_FAILED: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_DENIED: i32 = 3;
