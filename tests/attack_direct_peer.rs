//! `direct::connect` against hostile or broken peers that pass the credential check
//! (a user manager's socket served by qd's own user: here the test itself): a
//! never-ending or silent handshake, and after it garbage, lengths of up to 128 MiB,
//! truncated messages, a flood. Each must end in an error within the 10 s timeouts,
//! never a panic or a hang.

use quarterdeck::systemd::Bus;
use quarterdeck::systemd::direct;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};

const GUID: &str = "0123456789abcdef0123456789abcdef";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Serves one client at a fresh socket with `serve`, and returns what `client` makes
/// of a connection there (and how long it took).
fn against<F, Fut, C, CFut, T>(serve: F, client: C) -> (T, Duration)
where
    F: FnOnce(UnixStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
    C: FnOnce(std::path::PathBuf) -> CFut,
    CFut: std::future::Future<Output = T>,
{
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("private");
    rt().block_on(async {
        let l = UnixListener::bind(&path).expect("bind");
        tokio::spawn(async move {
            if let Ok((s, _)) = l.accept().await {
                serve(s).await;
            }
        });
        let t = Instant::now();
        let out = client(path.clone()).await;
        (out, t.elapsed())
    })
}

/// Reads the client's AUTH line and BEGIN (whatever comes before the first message).
async fn handshake(s: &mut UnixStream) {
    let mut seen = Vec::new();
    let mut b = [0u8; 256];
    while !String::from_utf8_lossy(&seen).contains("AUTH") {
        let n = s.read(&mut b).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        seen.extend_from_slice(&b[..n]);
    }
    let _ = s.write_all(format!("OK {GUID}\r\n").as_bytes()).await;
    while !String::from_utf8_lossy(&seen).contains("BEGIN\r\n") {
        let n = s.read(&mut b).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        seen.extend_from_slice(&b[..n]);
    }
}

async fn ping(path: std::path::PathBuf) -> Result<(), String> {
    let conn = direct::connect(&path, Bus::User)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    conn.call_method(
        Some("org.freedesktop.systemd1"),
        "/org/freedesktop/systemd1",
        Some("org.freedesktop.DBus.Peer"),
        "Ping",
        &(),
    )
    .await
    .map(|_| ())
    .map_err(|e| format!("call: {e}"))
}

/// The fixed header of a little-endian method return declaring `fields` bytes of
/// header fields and `body` bytes of body.
fn header(fields: u32, body: u32) -> Vec<u8> {
    let mut m = vec![b'l', 2, 0, 1];
    m.extend_from_slice(&body.to_le_bytes());
    m.extend_from_slice(&1u32.to_le_bytes());
    m.extend_from_slice(&fields.to_le_bytes());
    m
}

const LIMIT: Duration = Duration::from_secs(12);

#[test]
fn an_auth_line_that_never_ends_is_refused_at_once() {
    let (r, took) = against(
        |mut s| async move {
            let junk = vec![b'O'; 64 * 1024];
            for _ in 0..64 {
                if s.write_all(&junk).await.is_err() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_secs(30)).await;
        },
        ping,
    );
    assert!(r.is_err(), "{r:?}");
    assert!(took < Duration::from_secs(2), "took {took:?}: {r:?}");
}

#[test]
fn a_silent_peer_times_out() {
    let (r, took) = against(
        |s| async move {
            let _held = s;
            tokio::time::sleep(Duration::from_secs(30)).await
        },
        ping,
    );
    assert!(r.as_ref().is_err_and(|e| e.contains("timed out")), "{r:?}");
    assert!(took < LIMIT, "took {took:?}");
}

#[test]
fn an_auth_answer_that_is_not_ok_or_not_utf8_is_refused() {
    for answer in [
        b"REJECTED EXTERNAL\r\n".to_vec(),
        b"OK nothex\r\n".to_vec(),
        vec![0xff, 0xfe, b'\r', b'\n'],
        b"OK 0123456789abcdef0123456789abcdef0\r\n".to_vec(),
    ] {
        let (r, took) = against(
            move |mut s| async move {
                let mut b = [0u8; 256];
                let _ = s.read(&mut b).await;
                let _ = s.write_all(&answer).await;
                tokio::time::sleep(Duration::from_secs(30)).await;
            },
            ping,
        );
        assert!(r.as_ref().is_err_and(|e| e.starts_with("connect")), "{r:?}");
        assert!(took < Duration::from_secs(2), "took {took:?}");
    }
}

/// After the handshake, each of these answers to the first call: an error for the
/// call (or the connection), within the call's timeout.
#[test]
fn garbage_huge_lengths_and_truncation_after_the_handshake_are_errors() {
    let mut answers: Vec<(&str, Vec<u8>, bool)> = vec![
        ("unknown byte order", b"x234567890abcdef".to_vec(), true),
        ("over 128 MiB", header(u32::MAX, u32::MAX), true),
        ("fields over 128 MiB", header(u32::MAX - 7, 0), true),
        ("truncated and closed", header(0, 100)[..12].to_vec(), true),
        (
            "128 MiB announced, 16 bytes sent, closed",
            header(0, 127 << 20),
            true,
        ),
        // Left open: the call's timeout ends it.
        (
            "128 MiB announced, then silence",
            header(0, 127 << 20),
            false,
        ),
        (
            "a field that overruns the fields",
            {
                let mut m = header(8, 0);
                m.extend_from_slice(&[7, 1, b's', 0, 0xff, 0xff, 0xff, 0x7f]);
                m
            },
            true,
        ),
        (
            "an unknown field type",
            {
                let mut m = header(8, 0);
                m.extend_from_slice(&[7, 1, b'v', 0, 0, 0, 0, 0]);
                m
            },
            true,
        ),
    ];
    // A flood of garbage.
    answers.push(("64 MiB of zeros", vec![b'l'; 64 << 20], true));
    for (what, bytes, close) in answers {
        let (r, took) = against(
            move |mut s| async move {
                handshake(&mut s).await;
                // The call, then the answer.
                let mut b = [0u8; 4096];
                let _ = s.read(&mut b).await;
                let _ = s.write_all(&bytes).await;
                if close {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(30)).await;
            },
            ping,
        );
        assert!(r.is_err(), "{what}: {r:?}");
        assert!(took < LIMIT, "{what}: took {took:?} ({r:?})");
    }
}
