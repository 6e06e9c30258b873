//! placeholder
pub fn run(_c: crate::config::Config, _d: crate::actions::Dispatcher) -> i32 {
    0
}
