//! Runs the local collector in a loop, for profiling: `cargo run --release --example collect_loop -- 200`.
fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let mut c = quarterdeck::sources::LocalCollector::new();
    let mut total = 0;
    for _ in 0..n {
        total += c.snapshot().processes.len();
    }
    println!("{total}");
}
