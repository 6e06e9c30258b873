//! Just enough of the D-Bus wire format to frame messages and drop one header field,
//! for the private socket (`direct`): everything else is zbus's. Every length comes
//! from the peer and is checked before it is used; a message that does not parse is an
//! error for the connection, never a panic.

use std::io;

/// The fixed part of a header: endianness, type, flags, version, body length, serial,
/// and the length of the header fields array.
pub const FIXED_HEADER: usize = 16;
/// The specification's limit on a whole message.
const MAX_MESSAGE: usize = 128 * 1024 * 1024;
const SENDER: u8 = 7;

fn bad(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("malformed D-Bus message: {what}"),
    )
}

fn align8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

fn u32_at(msg: &[u8], at: usize, little: bool) -> Option<u32> {
    let b: [u8; 4] = msg.get(at..at + 4)?.try_into().ok()?;
    Some(if little {
        u32::from_le_bytes(b)
    } else {
        u32::from_be_bytes(b)
    })
}

fn little_endian(msg: &[u8]) -> io::Result<bool> {
    match msg.first() {
        Some(b'l') => Ok(true),
        Some(b'B') => Ok(false),
        _ => Err(bad("unknown byte order")),
    }
}

/// The length of the message at the start of `buf`, once its fixed header is in.
pub fn message_len(buf: &[u8]) -> io::Result<Option<usize>> {
    if buf.len() < FIXED_HEADER {
        return Ok(None);
    }
    let little = little_endian(buf)?;
    let body = u32_at(buf, 4, little).ok_or_else(|| bad("short header"))? as usize;
    let fields = u32_at(buf, 12, little).ok_or_else(|| bad("short header"))? as usize;
    let len = FIXED_HEADER
        .checked_add(align8(fields))
        .and_then(|n| n.checked_add(body))
        .filter(|n| *n <= MAX_MESSAGE)
        .ok_or_else(|| bad("longer than 128 MiB"))?;
    Ok(Some(len))
}

/// Where the header field starting at `at` ends (its value's last byte + 1).
fn field_end(msg: &[u8], at: usize, little: bool) -> io::Result<usize> {
    // A field: its code, then a variant: a one-type signature (1, type, NUL), then the value.
    let sig = msg.get(at + 1..at + 4).ok_or_else(|| bad("short field"))?;
    if sig[0] != 1 || sig[2] != 0 {
        return Err(bad("field signature"));
    }
    let value = at + 4;
    let end = match sig[1] {
        // A string or an object path: its length, the bytes, a NUL.
        b's' | b'o' => {
            let n = u32_at(msg, value, little).ok_or_else(|| bad("short field"))? as usize;
            value + 4 + n + 1
        }
        // A signature: a one-byte length, the bytes, a NUL.
        b'g' => value + 1 + *msg.get(value).ok_or_else(|| bad("short field"))? as usize + 1,
        b'u' => value + 4,
        _ => return Err(bad("field type")),
    };
    Ok(end)
}

/// `msg` (one whole message) without its SENDER header field; the message unchanged
/// when it has none.
pub fn without_sender(msg: Vec<u8>) -> io::Result<Vec<u8>> {
    let little = little_endian(&msg)?;
    let fields_len = u32_at(&msg, 12, little).ok_or_else(|| bad("short header"))? as usize;
    let fields_end = FIXED_HEADER + fields_len;
    let body_start = align8(fields_end);
    if body_start > msg.len() {
        return Err(bad("fields past the end"));
    }
    let mut at = FIXED_HEADER;
    let mut sender = None;
    while at < fields_end {
        let end = field_end(&msg, at, little)?;
        if end > fields_end {
            return Err(bad("field past the fields"));
        }
        if msg[at] == SENDER {
            sender = Some((at, end));
        }
        at = align8(end);
    }
    let Some((start, end)) = sender else {
        return Ok(msg);
    };
    // Fields start on 8-byte boundaries and align their values from there, so a field
    // moved from one boundary to another keeps its bytes.
    let mut out = Vec::with_capacity(msg.len());
    out.extend_from_slice(&msg[..start]);
    let after = align8(end).min(fields_end);
    out.extend_from_slice(&msg[after..fields_end]);
    // The array's length runs to the end of its last field, without padding after it.
    let mut new_len = out.len() - FIXED_HEADER;
    if after == fields_end {
        // The sender was last: what was before it ends where its last value ended.
        new_len = last_field_end(&out, little)? - FIXED_HEADER;
        out.truncate(FIXED_HEADER + new_len);
    }
    let len_bytes = if little {
        (new_len as u32).to_le_bytes()
    } else {
        (new_len as u32).to_be_bytes()
    };
    out[12..16].copy_from_slice(&len_bytes);
    out.resize(align8(out.len()), 0);
    out.extend_from_slice(&msg[body_start..]);
    Ok(out)
}

/// The end of the last field of the fields in `msg[16..]`, which may carry padding.
fn last_field_end(msg: &[u8], little: bool) -> io::Result<usize> {
    let mut at = FIXED_HEADER;
    let mut end = FIXED_HEADER;
    while at < msg.len() {
        end = field_end(msg, at, little)?;
        at = align8(end);
    }
    Ok(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message as systemd sends it on its private socket: the sender is the
    /// well-known name (as long as the unique name it is built with), which zbus
    /// refuses. With a body, the signature field follows the sender; without one,
    /// the sender may be the last field.
    fn from_systemd(body: bool) -> Vec<u8> {
        let unique = ":1.000000000000000000000";
        let well_known = "org.freedesktop.systemd1";
        let b = zbus::message::Message::method_call("/o", "M")
            .sender(unique)
            .destination(":1.5");
        let m = match body {
            true => b.build(&("a string body", 42u32)).unwrap(),
            false => b.build(&()).unwrap(),
        };
        let mut bytes = m.data().to_vec();
        let pos = bytes
            .windows(unique.len())
            .position(|w| w == unique.as_bytes())
            .unwrap();
        bytes[pos..pos + unique.len()].copy_from_slice(well_known.as_bytes());
        bytes
    }

    fn parse(bytes: Vec<u8>) -> zbus::Result<zbus::message::Message> {
        use zbus::wire::serialized::{Context, Data};
        let ctx = Context::new(zbus::wire::LE, 0);
        // SAFETY: the bytes are one whole message, without file descriptors.
        unsafe { zbus::message::Message::from_bytes(Data::new(bytes, ctx)) }
    }

    #[test]
    fn a_well_known_sender_is_refused_by_zbus_and_accepted_without_it() {
        for body in [true, false] {
            let forged = from_systemd(body);
            assert_eq!(message_len(&forged).unwrap(), Some(forged.len()));
            assert!(
                parse(forged.clone()).is_err(),
                "zbus refuses a well-known sender"
            );
            let fixed = without_sender(forged.clone()).unwrap();
            assert!(fixed.len() < forged.len());
            assert_eq!(message_len(&fixed).unwrap(), Some(fixed.len()));
            let m = parse(fixed).expect("parses without the sender");
            let h = m.header();
            assert!(h.sender().is_none());
            assert_eq!(h.destination().map(|d| d.to_string()), Some(":1.5".into()));
            assert_eq!(h.path().map(|p| p.to_string()), Some("/o".into()));
            assert_eq!(h.member().map(|p| p.to_string()), Some("M".into()));
            if body {
                let body: (String, u32) = m.body().deserialize().unwrap();
                assert_eq!(body, ("a string body".into(), 42));
            }
        }
    }

    #[test]
    fn a_message_without_a_sender_is_left_alone() {
        let m = zbus::message::Message::method_call("/o", "M")
            .build(&(7u32,))
            .unwrap();
        let bytes = m.data().to_vec();
        assert_eq!(without_sender(bytes.clone()).unwrap(), bytes);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let good = from_systemd(true);
        assert!(message_len(b"x123456789abcdefgh").is_err(), "byte order");
        assert_eq!(message_len(&good[..10]).unwrap(), None, "not yet whole");
        let mut huge = good.clone();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(message_len(&huge).is_err(), "over 128 MiB");
        // Every truncation and every single-byte corruption of the header.
        for cut in 0..good.len() {
            let _ = without_sender(good[..cut].to_vec());
        }
        for i in 0..align8(FIXED_HEADER + u32_at(&good, 12, true).unwrap() as usize) {
            for v in [0u8, 1, 7, b's', b'g', b'u', 0x7f, 0xff] {
                let mut m = good.clone();
                m[i] = v;
                let _ = without_sender(m);
            }
        }
    }

    /// A header field's value, as the builder below writes it.
    #[derive(Clone)]
    enum Val {
        S(&'static str),
        O(&'static str),
        G(&'static str),
        U(u32),
    }

    /// A little-endian message written by hand: `fields` in the order given (so the
    /// sender can be anywhere), `body` as it is.
    fn by_hand(kind: u8, fields: &[(u8, Val)], body: &[u8]) -> Vec<u8> {
        let mut m = vec![b'l', kind, 0, 1];
        m.extend_from_slice(&(body.len() as u32).to_le_bytes());
        m.extend_from_slice(&7u32.to_le_bytes());
        m.extend_from_slice(&0u32.to_le_bytes());
        for (code, v) in fields {
            m.resize(align8(m.len()), 0);
            m.push(*code);
            match v {
                Val::S(t) | Val::O(t) => {
                    m.extend_from_slice(&[1, if matches!(v, Val::S(_)) { b's' } else { b'o' }, 0]);
                    m.extend_from_slice(&(t.len() as u32).to_le_bytes());
                    m.extend_from_slice(t.as_bytes());
                    m.push(0);
                }
                Val::G(t) => {
                    m.extend_from_slice(&[1, b'g', 0, t.len() as u8]);
                    m.extend_from_slice(t.as_bytes());
                    m.push(0);
                }
                Val::U(n) => {
                    m.extend_from_slice(&[1, b'u', 0]);
                    m.extend_from_slice(&n.to_le_bytes());
                }
            }
        }
        let fields_len = (m.len() - FIXED_HEADER) as u32;
        m[12..16].copy_from_slice(&fields_len.to_le_bytes());
        m.resize(align8(m.len()), 0);
        m.extend_from_slice(body);
        m
    }

    /// A tiny xorshift: the same cases on every run, no crate.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// Every order of the fields, the sender first, in the middle, last, alone; values
    /// of every length mod 8 (so every padding); with and without a body: zbus parses
    /// the result, which has every field but the sender and the same body.
    #[test]
    fn the_sender_anywhere_among_any_fields_is_dropped_and_the_rest_kept() {
        let names = [
            "",
            "a",
            "ab.c",
            "org.x",
            "org.xy.z",
            "org.freedesktop.systemd1",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..2000 {
            let with_body = round % 2 == 0;
            let mut fields: Vec<(u8, Val)> = vec![
                (
                    1,
                    Val::O(["/", "/o", "/org/freedesktop/systemd1"][rng.below(3)]),
                ),
                (
                    2,
                    Val::S(["a.b", "org.freedesktop.DBus.Properties"][rng.below(2)]),
                ),
                (3, Val::S(["M", "PropertiesChanged", "Get1"][rng.below(3)])),
            ];
            if rng.below(2) == 0 {
                fields.push((6, Val::S([":1.5", ":1.123456"][rng.below(2)])));
            }
            if rng.below(2) == 0 {
                fields.push((5, Val::U(rng.next() as u32)));
            }
            if with_body {
                fields.push((8, Val::G("u")));
            }
            // Shuffle, then put the sender at a random place.
            for i in (1..fields.len()).rev() {
                let j = rng.below(i + 1);
                fields.swap(i, j);
            }
            let at = rng.below(fields.len() + 1);
            let sender = names[rng.below(names.len())];
            let mut with_sender = fields.clone();
            with_sender.insert(at, (SENDER, Val::S(sender)));
            let body: &[u8] = if with_body { &[42, 0, 0, 0] } else { &[] };
            let input = by_hand(4, &with_sender, body);
            let expect = by_hand(4, &fields, body);
            assert_eq!(message_len(&input).unwrap(), Some(input.len()));
            let out = without_sender(input.clone()).unwrap();
            assert_eq!(
                out,
                expect,
                "round {round}: the sender {sender:?} at {at} of {}",
                with_sender.len()
            );
            let m = parse(out).unwrap_or_else(|e| panic!("round {round}: {e}"));
            assert!(m.header().sender().is_none());
            if with_body {
                assert_eq!(m.body().deserialize::<u32>().unwrap(), 42);
            }
        }
        // The sender as the only field.
        let only = by_hand(4, &[(SENDER, Val::S("org.freedesktop.systemd1"))], &[]);
        assert_eq!(without_sender(only).unwrap(), by_hand(4, &[], &[]));
    }

    /// Random corruption of real messages, framed the way the reader frames them:
    /// never a panic, and whatever comes out is one whole message by its own lengths
    /// (else zbus, reading after it, would lose the stream).
    #[test]
    fn corrupted_messages_give_errors_or_whole_messages_never_a_panic() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let seeds = [
            from_systemd(true),
            from_systemd(false),
            by_hand(
                2,
                &[
                    (5, Val::U(9)),
                    (SENDER, Val::S("org.freedesktop.systemd1")),
                    (8, Val::G("u")),
                ],
                &[1, 0, 0, 0],
            ),
            by_hand(
                4,
                &[
                    (SENDER, Val::S("")),
                    (1, Val::O("/")),
                    (SENDER, Val::S("x")),
                    (3, Val::S("")),
                ],
                &[],
            ),
        ];
        for round in 0..200_000 {
            let mut m = seeds[round % seeds.len()].clone();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(m.len());
                m[i] = match rng.below(4) {
                    0 => rng.next() as u8,
                    1 => [0, 1, 7, 8, b's', b'o', b'g', b'u', 0xff][rng.below(9)],
                    2 => m[i].wrapping_add(1),
                    _ => m[i].wrapping_sub(1),
                };
            }
            match rng.below(3) {
                0 => m.truncate(rng.below(m.len() + 1)),
                1 => m.extend((0..rng.below(64)).map(|_| rng.next() as u8)),
                _ => {}
            }
            // As the reader does: a whole message by its own lengths, or nothing.
            let Ok(Some(len)) = message_len(&m) else {
                continue;
            };
            if len > 1 << 16 {
                continue;
            }
            m.resize(len, 0);
            if let Ok(out) = without_sender(m) {
                assert_eq!(
                    message_len(&out).ok().flatten(),
                    Some(out.len()),
                    "round {round}: a message whose lengths do not frame it"
                );
            }
        }
    }
}
