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
}
