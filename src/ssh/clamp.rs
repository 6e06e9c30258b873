//! What a remote host sends a shell pane, made safe for the emulator before vt100
//! sees it. vt100 loops `count` times for counts it is given (140 KB of `ESC[9999L`
//! cost 20 s of CPU), so every escape sequence is parsed here the way vte parses it
//! (ESC inside a sequence starts a new one, CAN/SUB cancel, C0 controls inside are
//! executed, private markers, intermediates, colon sub-parameters) and re-emitted
//! with:
//! - every count and position clamped to the pane: row operations (IL, DL, SU, SD,
//!   cursor up/down, VPA, DECSTBM) to its rows, column operations (ICH, DCH, ECH,
//!   cursor left/right, CHA, REP) to its columns, anything else to the larger of the
//!   two; only SGR (colours, up to 255) and mode numbers (`?1049h`, up to 9999) keep
//!   larger values, and neither costs work proportional to its value;
//! - at most 32 parameters (a longer list is dropped, as is a sequence vte ignores);
//! - OSC, DCS, SOS, PM and APC strings passed only up to 4 KB, dropped whole beyond;
//! - a work budget: the screen-sized operations (insert/delete/scroll lines and
//!   cells, erase, reset, alternate screen) spend cells of credit, earned at 16 cells
//!   per byte received and banked up to eight screens. A program repainting its
//!   screen never runs out; a flood of them gets its excess dropped, so 1 MB of
//!   hostile sequences costs about what 1 MB of text does.
//!
//! State survives chunk boundaries: a sequence split anywhere is handled the same.

const MAX_PARAMS: usize = 32;
const MAX_INTERMEDIATES: usize = 2;
const MAX_STRING: usize = 4096;
const CREDIT_PER_BYTE: u64 = 16;
const BANKED_SCREENS: u64 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Str {
    Osc,
    /// DCS, SOS, PM, APC: ended by ST (ESC \) or CAN/SUB only.
    Other,
}

#[derive(Debug, Default)]
struct Csi {
    marker: Option<u8>,
    /// (value, had digits, separator before it: b';' or b':')
    params: Vec<(u32, bool, u8)>,
    cur: u32,
    cur_digits: bool,
    cur_sep: u8,
    intermediates: Vec<u8>,
    /// vte would ignore the sequence (bad shape, too many parameters).
    ignore: bool,
    any: bool,
}

#[derive(Debug)]
enum State {
    Ground,
    Esc,
    Csi(Csi),
    Str {
        kind: Str,
        buf: Vec<u8>,
        dropped: bool,
    },
}

#[derive(Debug)]
pub struct Clamp {
    state: State,
    rows: u16,
    cols: u16,
    credit: u64,
}

impl Default for Clamp {
    fn default() -> Self {
        Self::new(24, 80)
    }
}

impl Clamp {
    pub fn new(rows: u16, cols: u16) -> Self {
        let mut c = Self {
            state: State::Ground,
            rows: 1,
            cols: 1,
            credit: 0,
        };
        c.set_size(rows, cols);
        c.credit = c.bank();
        c
    }

    /// The pane's size: counts are clamped to it.
    pub fn set_size(&mut self, rows: u16, cols: u16) {
        self.rows = rows.max(1);
        self.cols = cols.max(1);
    }

    fn screen(&self) -> u64 {
        u64::from(self.rows) * u64::from(self.cols)
    }

    fn bank(&self) -> u64 {
        self.screen() * BANKED_SCREENS
    }

    /// The bytes the emulator may see.
    pub fn filter(&mut self, data: &[u8]) -> Vec<u8> {
        self.credit = (self.credit + data.len() as u64 * CREDIT_PER_BYTE).min(self.bank());
        let mut out = Vec::with_capacity(data.len());
        let mut i = 0;
        while i < data.len() {
            if matches!(self.state, State::Ground) {
                // Plain text goes through in one copy up to the next ESC.
                let end = data[i..]
                    .iter()
                    .position(|b| *b == 0x1b)
                    .map_or(data.len(), |p| i + p);
                out.extend_from_slice(&data[i..end]);
                if end < data.len() {
                    self.state = State::Esc;
                }
                i = end + 1;
                continue;
            }
            self.byte(data[i], &mut out);
            i += 1;
        }
        out
    }

    fn byte(&mut self, b: u8, out: &mut Vec<u8>) {
        let state = std::mem::replace(&mut self.state, State::Ground);
        self.state = match state {
            State::Ground => unreachable_ground(b, out),
            State::Esc => self.esc(b, out),
            State::Csi(c) => self.csi(c, b, out),
            State::Str { kind, buf, dropped } => string(kind, buf, dropped, b, out),
        };
    }

    fn esc(&mut self, b: u8, out: &mut Vec<u8>) -> State {
        match b {
            b'[' => State::Csi(Csi {
                cur_sep: b';',
                ..Csi::default()
            }),
            b']' | b'P' | b'X' | b'^' | b'_' => State::Str {
                kind: if b == b']' { Str::Osc } else { Str::Other },
                buf: vec![0x1b, b],
                dropped: false,
            },
            // ESC ESC: vte stays in escape; DEL and 8-bit bytes are ignored there.
            0x1b | 0x7f | 0x80..=0xff => State::Esc,
            0x18 | 0x1a => {
                out.push(b);
                State::Ground
            }
            // Executed without leaving the escape.
            0x00..=0x1f => {
                out.push(b);
                State::Esc
            }
            _ => {
                // RIS resets the whole screen; RI may scroll one line.
                let cost = match b {
                    b'c' => self.screen(),
                    b'M' => u64::from(self.cols),
                    _ => 0,
                };
                if self.spend(cost) {
                    out.extend_from_slice(&[0x1b, b]);
                }
                State::Ground
            }
        }
    }

    fn csi(&mut self, mut c: Csi, b: u8, out: &mut Vec<u8>) -> State {
        match b {
            0x1b => return State::Esc,
            0x18 | 0x1a => {
                out.push(b);
                return State::Ground;
            }
            0x00..=0x1f => out.push(b),
            0x7f..=0xff => {}
            b'0'..=b'9' => {
                if !c.intermediates.is_empty() {
                    c.ignore = true;
                }
                c.cur = (c.cur * 10 + u32::from(b - b'0')).min(1_000_000);
                c.cur_digits = true;
                c.any = true;
            }
            b';' | b':' => {
                if !c.intermediates.is_empty() {
                    c.ignore = true;
                }
                c.params.push((c.cur, c.cur_digits, c.cur_sep));
                if c.params.len() >= MAX_PARAMS {
                    c.ignore = true;
                    c.params.truncate(MAX_PARAMS);
                }
                c.cur = 0;
                c.cur_digits = false;
                c.cur_sep = b;
                c.any = true;
            }
            0x3c..=0x3f => {
                if c.any || c.marker.is_some() || !c.intermediates.is_empty() {
                    c.ignore = true;
                } else {
                    c.marker = Some(b);
                }
                c.any = true;
            }
            0x20..=0x2f => {
                if c.intermediates.len() >= MAX_INTERMEDIATES {
                    c.ignore = true;
                } else {
                    c.intermediates.push(b);
                }
                c.any = true;
            }
            _ => {
                // 0x40..=0x7e: the final byte.
                if !c.ignore {
                    self.dispatch(c, b, out);
                }
                return State::Ground;
            }
        }
        State::Csi(c)
    }

    fn dispatch(&mut self, mut c: Csi, fin: u8, out: &mut Vec<u8>) {
        if c.any && (c.cur_digits || !c.params.is_empty()) {
            c.params.push((c.cur, c.cur_digits, c.cur_sep));
        }
        let (rows, cols) = (u32::from(self.rows), u32::from(self.cols));
        let plain = c.marker.is_none() && c.intermediates.is_empty();
        let cap = |i: usize| -> u32 {
            match fin {
                b'm' if plain => 255,
                b'h' | b'l' => 9999,
                b'A' | b'B' | b'E' | b'F' | b'L' | b'M' | b'S' | b'T' | b'd' | b'r' | b'e' => rows,
                b'@' | b'P' | b'X' | b'C' | b'D' | b'G' | b'b' | b'a' | b'`' | b'I' | b'Z' => cols,
                b'H' | b'f' => {
                    if i == 0 {
                        rows
                    } else {
                        cols
                    }
                }
                _ => rows.max(cols),
            }
        };
        for (i, p) in c.params.iter_mut().enumerate() {
            p.0 = p.0.min(cap(i));
        }
        let first = c.params.first().map_or(0, |p| p.0);
        let n = u64::from(first.max(1));
        let (r, k, screen) = (u64::from(rows), u64::from(cols), self.screen());
        let alt = |v: u32| matches!(v, 47 | 1047 | 1049);
        let cost = match (plain || c.marker == Some(b'?'), fin) {
            (true, b'L' | b'M' | b'S' | b'T') => n.min(r) * k,
            (true, b'@' | b'P') => n.min(k) * k,
            (true, b'X') => n.min(k),
            (true, b'J') => screen,
            (true, b'K') => k,
            (true, b'h' | b'l') if c.params.iter().any(|p| alt(p.0)) => screen,
            _ => 0,
        };
        // Out of credit: a count-taking operation gets what the credit pays for,
        // anything else screen-sized is dropped.
        if !self.spend(cost) {
            let unit = match fin {
                b'L' | b'M' | b'S' | b'T' | b'@' | b'P' => k,
                b'X' => 1,
                _ => return,
            };
            let afford = self.credit / unit;
            if afford == 0 {
                return;
            }
            self.credit -= afford * unit;
            match c.params.first_mut() {
                Some(p) => {
                    p.0 = afford as u32;
                    p.1 = true;
                }
                None => c.params.push((afford as u32, true, b';')),
            }
        }
        out.extend_from_slice(b"\x1b[");
        if let Some(m) = c.marker {
            out.push(m);
        }
        for (i, (v, digits, sep)) in c.params.iter().enumerate() {
            if i > 0 {
                out.push(*sep);
            }
            if *digits {
                out.extend_from_slice(v.to_string().as_bytes());
            }
        }
        out.extend_from_slice(&c.intermediates);
        out.push(fin);
    }

    fn spend(&mut self, cost: u64) -> bool {
        if cost <= self.credit {
            self.credit -= cost;
            true
        } else {
            false
        }
    }
}

fn unreachable_ground(b: u8, out: &mut Vec<u8>) -> State {
    // `filter` handles ground text itself; kept total for safety.
    out.push(b);
    State::Ground
}

/// One byte of an OSC/DCS/SOS/PM/APC string: kept up to `MAX_STRING`, then the
/// whole string is dropped; ended by BEL (OSC), ESC (ST), CAN or SUB.
fn string(kind: Str, mut buf: Vec<u8>, mut dropped: bool, b: u8, out: &mut Vec<u8>) -> State {
    let end = |buf: &[u8], dropped: bool, out: &mut Vec<u8>| {
        if !dropped {
            out.extend_from_slice(buf);
        }
    };
    match b {
        0x07 if kind == Str::Osc => {
            end(&buf, dropped, out);
            if !dropped {
                out.push(b);
            }
            State::Ground
        }
        0x1b => {
            end(&buf, dropped, out);
            State::Esc
        }
        0x18 | 0x1a => {
            end(&buf, dropped, out);
            out.push(b);
            State::Ground
        }
        _ => {
            if !dropped {
                if buf.len() >= MAX_STRING {
                    dropped = true;
                    buf = Vec::new();
                } else {
                    buf.push(b);
                }
            }
            State::Str { kind, buf, dropped }
        }
    }
}
