//! A hostile host's output through the pane's clamp and the real vt100 emulator:
//! every shape of control sequence (ESC inside the parameters, intermediates,
//! private markers, colon sub-parameters, REP, thousands of parameters, huge
//! OSC/DCS/APC strings, controls and 8-bit bytes inside a sequence), split at every
//! chunk boundary. What the emulator sees is inspected: no count above the pane's
//! size, no more than 32 parameters, no string above 4 KB; the screen stays sane.

use quarterdeck::ssh::pane::Clamp;
use std::time::{Duration, Instant};

const ROWS: u16 = 24;
const COLS: u16 = 80;

fn hostile() -> Vec<(&'static str, Vec<u8>)> {
    let long_params = format!("\x1b[{}L", "9999;".repeat(10_000)).into_bytes();
    let mut osc = b"\x1b]0;".to_vec();
    osc.extend(std::iter::repeat_n(b'A', 100_000));
    osc.push(0x07);
    let mut dcs = b"\x1bPq".to_vec();
    dcs.extend(std::iter::repeat_n(b'#', 100_000));
    dcs.extend(b"\x1b\\");
    let mut apc = b"\x1b_G".to_vec();
    apc.extend(std::iter::repeat_n(b'x', 100_000));
    apc.extend(b"\x1b\\");
    vec![
        ("IL", b"\x1b[9999L".to_vec()),
        ("huge number", b"\x1b[99999999999999999999M".to_vec()),
        ("ESC inside", b"\x1b[12\x1b[9999L".to_vec()),
        ("ESC ESC", b"\x1b\x1b[9999L".to_vec()),
        ("intermediate", b"\x1b[9999 @\x1b[9999$x".to_vec()),
        (
            "private",
            b"\x1b[?9999J\x1b[>9999c\x1b[<9999L\x1b[=9999L".to_vec(),
        ),
        (
            "colon",
            b"\x1b[38:2:9999:9999:9999m\x1b[9999:9999L".to_vec(),
        ),
        ("REP", b"a\x1b[99999b".to_vec()),
        ("ICH/DCH/ECH", b"\x1b[9999@\x1b[9999P\x1b[9999X".to_vec()),
        ("scroll", b"\x1b[9999S\x1b[9999T\x1b[1;9999r".to_vec()),
        ("cursor", b"\x1b[9999;9999H\x1b[9999A\x1b[9999C".to_vec()),
        ("control inside", b"\x1b[99\n99L\x1b[9\x189999L".to_vec()),
        ("8-bit inside", b"\x1b[\x9b9999L\x1b\x9b[9999M".to_vec()),
        ("modes", b"\x1b[?1049h\x1b[?99999h\x1b[?1049l".to_vec()),
        ("long params", long_params),
        ("huge OSC", osc),
        ("huge DCS", dcs),
        ("huge APC", apc),
    ]
}

/// One CSI the emulator would see: (marker, params, intermediates, final).
type Seq = (Option<u8>, Vec<u64>, Vec<u8>, u8);

/// Every CSI the emulator would see.
fn csis(bytes: &[u8]) -> Vec<Seq> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] != 0x1b || bytes[i + 1] != b'[' {
            i += 1;
            continue;
        }
        let mut j = i + 2;
        let marker = bytes.get(j).copied().filter(|b| (0x3c..=0x3f).contains(b));
        if marker.is_some() {
            j += 1;
        }
        let (mut params, mut cur, mut inter) = (Vec::new(), 0u64, Vec::new());
        while j < bytes.len() {
            let b = bytes[j];
            match b {
                b'0'..=b'9' => cur = cur.saturating_mul(10).saturating_add(u64::from(b - b'0')),
                b';' | b':' => params.push(std::mem::take(&mut cur)),
                0x20..=0x2f => inter.push(b),
                0x40..=0x7e => {
                    params.push(cur);
                    out.push((marker, params, inter, b));
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        i = j;
    }
    out
}

/// The longest OSC/DCS/SOS/PM/APC string that reaches the emulator.
fn longest_string(bytes: &[u8]) -> usize {
    let mut longest = 0;
    let mut start = None;
    for (i, w) in bytes.windows(2).enumerate() {
        if w[0] == 0x1b && matches!(w[1], b']' | b'P' | b'X' | b'^' | b'_') {
            start = Some(i);
        } else if let Some(s) = start
            && (w[1] == 0x07 || w[1] == 0x1b)
        {
            longest = longest.max(i + 1 - s);
            start = None;
        }
    }
    longest
}

fn check_filtered(name: &str, out: &[u8]) {
    let max = u64::from(ROWS.max(COLS));
    for (marker, params, inter, fin) in csis(out) {
        assert!(params.len() <= 32, "{name}: {} parameters", params.len());
        let cap = match fin {
            b'm' if marker.is_none() && inter.is_empty() => 255,
            b'h' | b'l' => 9999,
            _ => max,
        };
        for p in &params {
            assert!(
                *p <= cap,
                "{name}: parameter {p} of CSI {:?} {} reached the emulator",
                marker.map(char::from),
                char::from(fin)
            );
        }
    }
    assert!(
        longest_string(out) <= 4096 + 8,
        "{name}: a huge string passed"
    );
}

fn sane(name: &str, p: &vt100::Parser) {
    let s = p.screen();
    assert_eq!(s.size(), (ROWS, COLS), "{name}");
    let (r, c) = s.cursor_position();
    assert!(r < ROWS && c <= COLS, "{name}: cursor at {r},{c}");
    assert!(s.contents().lines().count() <= usize::from(ROWS), "{name}");
}

#[test]
fn hostile_sequences_are_clamped_whatever_their_shape() {
    for (name, input) in hostile() {
        let mut clamp = Clamp::new(ROWS, COLS);
        let out = clamp.filter(&input);
        check_filtered(name, &out);
        let mut p = vt100::Parser::new(ROWS, COLS, 100);
        p.process(&out);
        p.process(b"\x1b[Hvisible");
        sane(name, &p);
        assert!(
            p.screen().contents().contains("visible"),
            "{name}: the screen stopped working"
        );
    }
}

#[test]
fn a_split_anywhere_gives_the_same_bytes() {
    for (name, input) in hostile() {
        // The short patterns at every boundary; the long ones at a few.
        let whole = Clamp::new(ROWS, COLS).filter(&input);
        let step = if input.len() > 200 {
            input.len() / 37
        } else {
            1
        };
        for at in (0..=input.len()).step_by(step.max(1)) {
            let mut c = Clamp::new(ROWS, COLS);
            let mut out = c.filter(&input[..at]);
            out.extend(c.filter(&input[at..]));
            assert_eq!(out, whole, "{name} split at {at}");
        }
        // One byte at a time.
        let mut c = Clamp::new(ROWS, COLS);
        let mut out = Vec::new();
        for b in &input {
            out.extend(c.filter(std::slice::from_ref(b)));
        }
        check_filtered(name, &out);
    }
}

#[test]
fn legitimate_sequences_pass_unchanged() {
    let ok: &[&[u8]] = &[
        b"\x1b[31;1mred\x1b[0m",
        b"\x1b[38;5;196mx\x1b[38:2::255:0:0my",
        b"\x1b[?1049h\x1b[?25l\x1b[?2004h",
        b"\x1b[5;10H\x1b[2J\x1b[K\x1b[3L\x1b[2M",
        b"\x1b]0;title\x07\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
        b"\x1b[;5H\x1b[5;H\x1b[m\x1b(B\x1b7\x1b8",
    ];
    for s in ok {
        assert_eq!(Clamp::new(ROWS, COLS).filter(s), s.to_vec(), "{s:?}");
    }
}

#[test]
fn a_megabyte_of_each_pattern_ends() {
    // Liveness only (no timing assertion): 1 MB of each pattern through the clamp and
    // the emulator finishes; before the clamp, 140 KB of ESC[9999L took 20 s.
    for (name, unit) in hostile() {
        let mut input = Vec::with_capacity(1 << 20);
        while input.len() < 1 << 20 {
            input.extend_from_slice(&unit);
        }
        let mut clamp = Clamp::new(ROWS, COLS);
        let mut p = vt100::Parser::new(ROWS, COLS, 1000);
        let t = Instant::now();
        for chunk in input.chunks(32 * 1024) {
            let out = clamp.filter(chunk);
            p.process(&out);
        }
        sane(name, &p);
        assert!(t.elapsed() < Duration::from_secs(120), "{name}");
    }
}
