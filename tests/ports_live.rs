//! The ports table against real sockets: listeners, an established connection, and a
//! socket shared by two processes, read back through `qd snapshot ports --json`.

mod support;

use quarterdeck::model::port::{PortTable, Scope};
use quarterdeck::sources::ports::PortCollector;
use serde_json::Value;
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::process::{Command, Stdio};
use std::time::Duration;
use support::*;

fn ports(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["snapshot", "ports", "--json"];
    all.extend_from_slice(args);
    let out = QdEnv::new().run(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(
        v.get("processes").is_none(),
        "only the ports table was asked for"
    );
    v["ports"].as_array().expect("ports array").clone()
}

fn rows_for<'a>(rows: &'a [Value], local: &str) -> Vec<&'a Value> {
    rows.iter().filter(|r| r["local"] == local).collect()
}

#[test]
fn listeners_show_pid_user_state_and_exposure() {
    let me = std::process::id() as i64;
    let tcp_lo = TcpListener::bind("127.0.0.1:0").expect("bind tcp loopback");
    let udp6 = UdpSocket::bind("[::1]:0").expect("bind udp6 loopback");
    let tcp_any = TcpListener::bind("0.0.0.0:0").expect("bind tcp any");
    let rows = ports(&[]);
    for (local, proto, state, exposure) in [
        (
            tcp_lo.local_addr().expect("addr").to_string(),
            "tcp",
            "LISTEN",
            "loopback",
        ),
        (
            udp6.local_addr().expect("addr").to_string(),
            "udp6",
            "UNCONN",
            "loopback",
        ),
        (
            tcp_any.local_addr().expect("addr").to_string(),
            "tcp",
            "LISTEN",
            "public",
        ),
    ] {
        let r = rows_for(&rows, &local);
        assert_eq!(r.len(), 1, "{local}: {r:?}");
        assert_eq!(r[0]["proto"], proto, "{local}");
        assert_eq!(r[0]["state"], state, "{local}");
        assert_eq!(r[0]["exposure"], exposure, "{local}");
        assert_eq!(r[0]["pid"], me, "{local}");
        assert_eq!(r[0]["uid"], rustix::process::getuid().as_raw() as i64);
        assert!(r[0]["inode"].as_u64().is_some_and(|i| i > 0));
    }
}

#[test]
fn an_established_loopback_connection_shows_both_ends_with_their_pids() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // The client end lives in another process: bash opens /dev/tcp, then becomes sleep.
    let child = Command::new("bash")
        .args([
            "-c",
            &format!("exec 3<>/dev/tcp/127.0.0.1/{port}; exec sleep 1000"),
        ])
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn bash");
    let client = Proc { child, stdin: None };
    let (_server_end, client_addr) = listener.accept().expect("accept");
    // The connection exists before bash has become sleep: wait for the second exec.
    assert!(wait_until(Duration::from_secs(5), || {
        std::fs::read(format!("/proc/{}/cmdline", client.pid()))
            .is_ok_and(|c| c.starts_with(b"sleep\0"))
    }));
    let rows = ports(&["--all"]);
    let server_side = rows_for(&rows, &format!("127.0.0.1:{port}"));
    let established: Vec<_> = server_side
        .iter()
        .filter(|r| r["state"] == "ESTABLISHED")
        .collect();
    assert_eq!(established.len(), 1, "{server_side:?}");
    assert_eq!(established[0]["remote"], client_addr.to_string());
    assert_eq!(established[0]["pid"], std::process::id() as i64);
    let client_side = rows_for(&rows, &client_addr.to_string());
    assert_eq!(client_side.len(), 1, "{client_side:?}");
    assert_eq!(client_side[0]["remote"], format!("127.0.0.1:{port}"));
    assert_eq!(client_side[0]["pid"], client.pid() as i64);
    assert_eq!(client_side[0]["process"], "sleep");
    // Listening-only (the default) leaves connections out.
    let listening = ports(&[]);
    assert!(rows_for(&listening, &client_addr.to_string()).is_empty());
}

#[test]
fn a_socket_shared_by_a_parent_and_a_child_lists_both() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let child = child_holding(&listener);
    let rows = ports(&[]);
    let r = rows_for(&rows, &listener.local_addr().expect("addr").to_string());
    let mut pids: Vec<i64> = r.iter().filter_map(|x| x["pid"].as_i64()).collect();
    pids.sort();
    let mut want = vec![std::process::id() as i64, child.pid() as i64];
    want.sort();
    assert_eq!(pids, want, "{r:?}");
    assert_eq!(r[0]["inode"], r[1]["inode"], "one socket, two holders");
    drop(TcpStream::connect(listener.local_addr().expect("addr")).ok());
}

#[test]
fn the_text_table_names_the_owner_and_exposure() {
    let l = TcpListener::bind("0.0.0.0:0").expect("bind");
    let out = QdEnv::new().run(&["snapshot", "ports"]);
    assert!(out.status.success());
    let text = stdout(&out);
    let local = l.local_addr().expect("addr").to_string();
    let line = text
        .lines()
        .find(|x| x.contains(&local))
        .unwrap_or_else(|| panic!("{local} missing:\n{text}"));
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        &cols[..7],
        &[
            "tcp",
            local.as_str(),
            "-",
            "LISTEN",
            "public",
            "0",
            &std::process::id().to_string()
        ]
    );
}

#[test]
fn snapshot_all_carries_both_tables() {
    let out = QdEnv::new().run(&["snapshot", "--json"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let me = std::process::id() as i64;
    assert!(
        v["processes"]
            .as_array()
            .is_some_and(|p| p.iter().any(|x| x["pid"] == me))
    );
    assert!(v["ports"].is_array());
}

fn owners_of(t: &PortTable, local: &std::net::SocketAddr) -> Vec<i32> {
    let mut v: Vec<i32> = t
        .rows
        .iter()
        .filter(|r| r.socket.local == *local)
        .map(|r| r.pid.unwrap_or(-1))
        .collect();
    v.sort();
    v
}

#[test]
fn refreshes_find_new_sockets_and_drop_holders_that_closed_theirs() {
    let me = std::process::id() as i32;
    let mut pc = PortCollector::new();
    let procs =
        || quarterdeck::sources::one_shot(Duration::ZERO, false, &Default::default()).processes;
    pc.collect(&procs(), Scope::Listening);
    // A socket opened by an already-scanned process is found on the next refresh.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let t = pc.collect(&procs(), Scope::Listening);
    assert_eq!(owners_of(&t, &addr), vec![me]);
    // A new holder is added...
    let child = child_holding(&listener);
    let t = pc.collect(&procs(), Scope::Listening);
    let mut both = vec![me, child.pid()];
    both.sort();
    assert_eq!(owners_of(&t, &addr), both);
    // ...and a holder that closed its copy is gone at once, not after a rotation.
    drop(listener);
    let t = pc.collect(&procs(), Scope::Listening);
    assert_eq!(owners_of(&t, &addr), vec![child.pid()]);
    let row = t.rows.iter().find(|r| r.socket.local == addr).expect("row");
    assert_eq!(row.process.as_deref(), Some("sleep"));
    assert_eq!(row.owner().map(|k| k.pid), Some(child.pid()));
}

#[test]
fn a_listener_counts_its_established_connections() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let _c1 = TcpStream::connect(addr).expect("connect");
    let _c2 = TcpStream::connect(addr).expect("connect");
    let _a1 = listener.accept().expect("accept");
    let _a2 = listener.accept().expect("accept");
    let rows = ports(&[]);
    let r = rows_for(&rows, &addr.to_string());
    assert_eq!(r.len(), 1, "{r:?}");
    assert_eq!(r[0]["connections"], 2, "{r:?}");
    // UDP sockets have no connection count.
    let u = UdpSocket::bind("127.0.0.1:0").expect("bind udp");
    let rows = ports(&[]);
    let r = rows_for(&rows, &u.local_addr().expect("addr").to_string());
    assert!(r[0].get("connections").is_none(), "{r:?}");
}
