//! What a shell pane's emulator costs per megabyte: 1 MB of plain text (log-like
//! lines, and `yes` output) against 1 MB of each hostile pattern, all through the
//! pane's clamp and vt100 at 24x80 with 10 000 lines of scrollback, as a pane runs.
//! `--raw` also times the hostile patterns without the clamp (64 KB each: unclamped,
//! 64 KB of `ESC[9999@` alone took 6 minutes).
//!
//!     cargo run --release --example pane_flood [-- --raw]

use quarterdeck::ssh::pane::Clamp;
use std::time::{Duration, Instant};

const MB: usize = 1 << 20;

fn fill(unit: &[u8], size: usize) -> Vec<u8> {
    let mut v = Vec::with_capacity(size + unit.len());
    while v.len() < size {
        v.extend_from_slice(unit);
    }
    v
}

fn run(input: &[u8], clamp: bool) -> Duration {
    let mut c = Clamp::new(24, 80);
    let mut p = vt100::Parser::new(24, 80, 10_000);
    let t = Instant::now();
    for chunk in input.chunks(32 * 1024) {
        if clamp {
            let out = c.filter(chunk);
            p.process(&out);
        } else {
            p.process(chunk);
        }
    }
    std::hint::black_box(p.screen().cursor_position());
    t.elapsed()
}

fn main() {
    let raw = std::env::args().any(|a| a == "--raw");
    let line = b"2026-12-01T20:00:00Z INFO request handled path=/api/v1/items status=200 ms=3\n";
    let mut osc = b"\x1b]0;".to_vec();
    osc.extend(std::iter::repeat_n(b'A', 100_000));
    osc.push(0x07);
    let long_params = format!("\x1b[{}L", "9999;".repeat(1000)).into_bytes();
    let patterns: Vec<(&str, Vec<u8>)> = vec![
        ("plain: log lines", line.to_vec()),
        ("plain: yes", b"y\n".to_vec()),
        ("ESC[9999L", b"\x1b[9999L".to_vec()),
        ("ESC[L", b"\x1b[L".to_vec()),
        ("ESC[9999M", b"\x1b[9999M".to_vec()),
        ("ESC[9999@", b"\x1b[9999@".to_vec()),
        ("ESC[9999P", b"\x1b[9999P".to_vec()),
        ("ESC[9999S", b"\x1b[9999S".to_vec()),
        ("ESC[9999X", b"\x1b[9999X".to_vec()),
        ("ESC[2J", b"\x1b[2J".to_vec()),
        ("ESC c (reset)", b"\x1bc".to_vec()),
        ("ESC[?1049h/l", b"\x1b[?1049h\x1b[?1049l".to_vec()),
        ("ESC inside: ESC[1ESC[9999L", b"\x1b[1\x1b[9999L".to_vec()),
        ("REP a ESC[99999b", b"a\x1b[99999b".to_vec()),
        ("1000 params", long_params),
        ("100 KB OSC", osc),
    ];
    // The first run pays for warming the allocator: measure the base after it.
    let _ = run(&fill(line, MB), true);
    let base = run(&fill(line, MB), true);
    println!("{:<28} {:>10} {:>8}", "1 MB of", "clamp+vt100", "x plain");
    for (name, unit) in &patterns {
        let d = run(&fill(unit, MB), true);
        println!(
            "{name:<28} {:>8.1}ms {:>7.2}x",
            d.as_secs_f64() * 1e3,
            d.as_secs_f64() / base.as_secs_f64()
        );
    }
    if raw {
        println!("\nwithout the clamp, 64 KB each (x = per-byte cost against plain):");
        for (name, unit) in &patterns {
            let d = run(&fill(unit, 64 * 1024), false);
            println!(
                "{name:<28} {:>8.1}ms {:>7.1}x",
                d.as_secs_f64() * 1e3,
                d.as_secs_f64() * 16.0 / base.as_secs_f64()
            );
        }
    }
}
