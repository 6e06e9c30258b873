//! The SSH layer attacked: servers that accept and stay silent or send only a banner
//! (connect_timeout bounds the whole establishment, frees the slot and the permit,
//! never delays another host), the system known_hosts file (read, never written, a
//! contradiction is CHANGED), a host known only by its RSA key in strict mode, learned
//! keys going only through the installed recorder, and `sudo -E` with a HOME holding
//! a malicious `~/.ssh/config`. Real sshd servers and real sockets on 127.0.0.1.

mod support;

use quarterdeck::ssh::pool::ConnState;
use quarterdeck::ssh::{
    Host, HostKeyChecking, HostSource, KeyRecorder, LearnHow, LearnRequest, Pool, SshSettings,
    prompt::Prompter,
};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;
use support::qdconf::{QdConf, is_root, me};
use support::sshd::{Sshd, keygen_type};
use support::{stderr, stdout};

/// A listener that accepts and never says anything (`banner`: only `SSH-2.0-x`).
/// Each connection's end (EOF or error from the client side) is reported on the
/// returned channel.
fn hostile_listener(banner: bool) -> (u16, mpsc::Receiver<()>) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = l.local_addr().expect("addr").port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for s in l.incoming() {
            let Ok(mut s) = s else { continue };
            let tx = tx.clone();
            std::thread::spawn(move || {
                if banner {
                    let _ = s.write_all(b"SSH-2.0-x\r\n");
                }
                // Read (and ignore) whatever the client sends until it hangs up.
                let mut buf = [0u8; 4096];
                while matches!(s.read(&mut buf), Ok(n) if n > 0) {}
                let _ = tx.send(());
            });
        }
    });
    (port, rx)
}

fn host_entry(name: &str, port: u16, key: &Path) -> String {
    format!(
        "[[host]]\nname = \"{name}\"\naddress = \"127.0.0.1\"\nport = {port}\nuser = \"{}\"\nidentity = \"{}\"\n",
        me(),
        key.display()
    )
}

fn ssh_toml(checking: &str, known: &Path, global: &Path, extra: &str) -> String {
    format!(
        "[ssh]\nhost_key_checking = \"{checking}\"\nssh_config = false\nknown_hosts = [\"{}\"]\n\
         global_known_hosts = [\"{}\"]\nconnect_timeout = \"2s\"\n{extra}",
        known.display(),
        global.display()
    )
}

/// Runs qd with a liveness bound: a hang fails the test instead of blocking it.
fn run_bounded(c: &QdConf, home: &Path, args: &[&str]) -> std::process::Output {
    std::fs::create_dir_all(home).expect("home");
    let child = c
        .cmd(None, args)
        .env("HOME", home)
        .env_remove("SSH_AUTH_SOCK")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qd");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(o) => o.expect("qd output"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("qd {args:?} still running after 60 s: a silent host hangs it");
        }
    }
}

fn outcome<'a>(v: &'a Value, host: &str) -> &'a Value {
    v["outcomes"]
        .as_array()
        .and_then(|a| a.iter().find(|o| o["host"] == host))
        .unwrap_or_else(|| panic!("no outcome for {host}: {v}"))
}

#[test]
fn silent_and_banner_only_hosts_time_out_without_stalling_others() {
    let tmp = tempfile::tempdir().expect("tmp");
    let good = Sshd::start(&tmp.path().join("good"));
    let known = tmp.path().join("kh");
    std::fs::write(&known, good.known_line()).expect("kh");
    let global = tmp.path().join("global");
    let (silent, _s_rx) = hostile_listener(false);
    let (banner, _b_rx) = hostile_listener(true);
    // The hostile hosts first: with one permit, the good host waits for both.
    let hosts = host_entry("silent", silent, &good.client_key)
        + &host_entry("banner", banner, &good.client_key)
        + &host_entry("good", good.port, &good.client_key);
    for limit in ["", "max_connects = 1\n"] {
        let c = QdConf::new(&(ssh_toml("strict", &known, &global, limit) + &hosts));
        let o = run_bounded(
            &c,
            &tmp.path().join("home"),
            &[
                "exec", "--host", "silent", "--host", "banner", "--host", "good", "--json", "--",
                "echo", "hi",
            ],
        );
        assert_eq!(o.status.code(), Some(1), "{limit}: {}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
        let g = outcome(&v, "good");
        assert_eq!(g["exit_status"], 0, "{limit}: {v}");
        assert_eq!(g["stdout"], "hi\n");
        let e = outcome(&v, "silent")["error"].as_str().unwrap_or_default();
        assert!(
            e.contains("timed out after 2.0s during the SSH banner"),
            "{limit}: {e}"
        );
        let e = outcome(&v, "banner")["error"].as_str().unwrap_or_default();
        assert!(
            e.contains("timed out after 2.0s during the key exchange"),
            "{limit}: {e}"
        );
    }
}

fn settings(known: &Path, global: &Path, checking: HostKeyChecking) -> SshSettings {
    SshSettings {
        host_key_checking: checking,
        known_hosts: vec![known.to_path_buf()],
        global_known_hosts: vec![global.to_path_buf()],
        ssh_config: false,
        connect_timeout: Duration::from_secs(2),
        max_connects: 1,
        ..Default::default()
    }
}

fn host(name: &str, port: u16, key: &Path) -> Host {
    Host {
        name: name.into(),
        address: "127.0.0.1".into(),
        port,
        user: me(),
        identities: vec![key.to_path_buf()],
        tags: vec![],
        source: HostSource::Config,
        note: None,
    }
}

#[test]
fn a_timed_out_attempt_frees_its_slot_and_permit_and_closes_its_socket() {
    let tmp = tempfile::tempdir().expect("tmp");
    let good = Sshd::start(&tmp.path().join("good"));
    let known = tmp.path().join("kh");
    std::fs::write(&known, good.known_line()).expect("kh");
    let (banner, closed) = hostile_listener(true);
    let pool = Pool::new(
        settings(&known, &tmp.path().join("g"), HostKeyChecking::Strict),
        Prompter::none(),
    );
    let bad = host("banner", banner, &good.client_key);
    let ok = host("good", good.port, &good.client_key);
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let bound = Duration::from_secs(30);
        let r = tokio::time::timeout(bound, pool.session(&bad))
            .await
            .expect("bounded");
        let e = r.err().expect("must fail");
        assert!(e.contains("during the key exchange"), "{e}");
        assert!(matches!(pool.status(&bad).state, ConnState::Failed(_)));
        // The slot is free: a second attempt runs (and fails) again on its own.
        let again = tokio::time::timeout(bound, pool.session(&bad))
            .await
            .expect("slot not held");
        assert!(again.is_err());
        // The only permit is free: the good host connects.
        let s = tokio::time::timeout(bound, pool.session(&ok))
            .await
            .expect("permit not held");
        assert!(s.is_ok(), "{:?}", s.err());
    });
    // The handshake task russh spawned for the abandoned attempts hung up.
    for _ in 0..2 {
        closed
            .recv_timeout(Duration::from_secs(30))
            .expect("the abandoned connection was closed by qd");
    }
}

#[test]
fn a_silent_host_holds_no_connect_permit() {
    let tmp = tempfile::tempdir().expect("tmp");
    let good = Sshd::start(&tmp.path().join("good"));
    let known = tmp.path().join("kh");
    std::fs::write(&known, good.known_line()).expect("kh");
    let (silent, _rx) = hostile_listener(false);
    // One permit and a long timeout: if the silent host held the permit, the good
    // one would wait the whole 120 s.
    let mut st = settings(&known, &tmp.path().join("g"), HostKeyChecking::Strict);
    st.connect_timeout = Duration::from_secs(120);
    let pool = Pool::new(st, Prompter::none());
    let bad = host("silent", silent, &good.client_key);
    let ok = host("good", good.port, &good.client_key);
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let p = pool.clone();
        let stuck = tokio::spawn(async move { p.session(&bad).await.map(|_| ()) });
        // Let the silent attempt connect first.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let s = tokio::time::timeout(Duration::from_secs(60), pool.session(&ok))
            .await
            .expect("the good host waited for the silent host's permit");
        assert!(s.is_ok(), "{:?}", s.err());
        assert!(
            !stuck.is_finished(),
            "the silent host is still being waited on"
        );
        stuck.abort();
    });
}

fn key_line(port: u16, pubfile: &Path) -> String {
    let k = std::fs::read_to_string(pubfile).expect("pub");
    let mut w = k.split_whitespace();
    format!(
        "[127.0.0.1]:{port} {} {}\n",
        w.next().unwrap_or_default(),
        w.next().unwrap_or_default()
    )
}

#[test]
fn the_system_known_hosts_file_is_read_and_never_written() {
    let tmp = tempfile::tempdir().expect("tmp");
    let s = Sshd::start(&tmp.path().join("s"));
    let known = tmp.path().join("kh");
    let global = tmp.path().join("ssh_known_hosts");
    let home = tmp.path().join("home");
    let hosts = host_entry("h", s.port, &s.client_key);
    let args = ["exec", "--host", "h", "--", "true"];

    // Known only in the system file: strict connects.
    std::fs::write(&global, format!("# system\n{}", s.known_line())).expect("g");
    let c = QdConf::new(&(ssh_toml("strict", &known, &global, "") + &hosts));
    let o = run_bounded(&c, &home, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // The system file holds another ed25519 key: CHANGED with that file and line,
    // in accept-new too, and nothing is learned anywhere.
    let other = tmp.path().join("other");
    keygen_type(&other, "ed25519");
    let contradiction = format!(
        "# system\n{}",
        key_line(s.port, &other.with_extension("pub"))
    );
    std::fs::write(&global, &contradiction).expect("g");
    c.write(&(ssh_toml("accept-new", &known, &global, "") + &hosts));
    let o = run_bounded(&c, &home, &args);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("CHANGED"), "{e}");
    assert!(e.contains(&format!("{}:2", global.display())), "{e}");
    assert!(!known.exists(), "accept-new learned over the system file");
    assert_eq!(std::fs::read_to_string(&global).expect("g"), contradiction);

    // The system file knows a key of another type (ecdsa): accept-new learns nothing.
    let ecdsa = tmp.path().join("ecdsa");
    keygen_type(&ecdsa, "ecdsa");
    let other_type = key_line(s.port, &ecdsa.with_extension("pub"));
    std::fs::write(&global, &other_type).expect("g");
    let o = run_bounded(&c, &home, &args);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("only a ecdsa"), "{}", stderr(&o));
    assert!(!known.exists(), "accept-new learned beside a system key");
    assert_eq!(std::fs::read_to_string(&global).expect("g"), other_type);

    // Even when the system file is also listed as a user file, it is not written.
    std::fs::write(&global, "").expect("g");
    let cfg = ssh_toml("accept-new", &global, &global, "") + &hosts;
    c.write(&cfg);
    let o = run_bounded(&c, &home, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&global).expect("g"), "");
    let learned = home.join(".ssh/known_hosts");
    assert_eq!(
        std::fs::read_to_string(&learned).expect("learned in ~/.ssh"),
        s.known_line()
    );
}

#[test]
fn a_host_known_by_its_rsa_key_connects_in_strict_mode() {
    let tmp = tempfile::tempdir().expect("tmp");
    let s = Sshd::start_rsa(&tmp.path().join("s"));
    let known = tmp.path().join("kh");
    std::fs::write(&known, s.rsa_known_line()).expect("kh");
    let c = QdConf::new(
        &(ssh_toml("strict", &known, &tmp.path().join("g"), "")
            + &host_entry("h", s.port, &s.client_key)),
    );
    let o = run_bounded(
        &c,
        &tmp.path().join("home"),
        &["exec", "--host", "h", "--", "echo", "rsa"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("rsa"), "{}", stdout(&o));
}

#[test]
fn learned_keys_go_only_through_the_recorder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let s = Sshd::start(&tmp.path().join("s"));
    let known = tmp.path().join("kh");
    let g = tmp.path().join("g");
    let h = host("h", s.port, &s.client_key);
    let rt = tokio::runtime::Runtime::new().expect("rt");

    // No recorder: the connection proceeds (as ssh does when it cannot write), but
    // nothing is written.
    let pool = Pool::new(
        settings(&known, &g, HostKeyChecking::AcceptNew),
        Prompter::none(),
    );
    let r = rt.block_on(pool.session(&h));
    assert!(r.is_ok(), "{:?}", r.err());
    assert!(!known.exists(), "learned without a recorder");

    // With one: it gets the request, with the exact line, and decides.
    let seen: Arc<Mutex<Vec<LearnRequest>>> = Arc::default();
    let keep = seen.clone();
    let recorder: KeyRecorder = Arc::new(move |r: &LearnRequest| {
        keep.lock().expect("lock").push(r.clone());
        Err("refused by the test".into())
    });
    let pool = Pool::new(
        settings(&known, &g, HostKeyChecking::AcceptNew),
        Prompter::none(),
    );
    pool.set_key_recorder(recorder);
    let r = rt.block_on(pool.session(&h));
    assert!(r.is_ok(), "{:?}", r.err());
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].how, LearnHow::AcceptNew);
    assert_eq!(seen[0].file, known);
    assert_eq!(format!("{}\n", seen[0].line), s.known_line());
    assert_eq!(seen[0].key_type, "ssh-ed25519");
    assert!(seen[0].fingerprint.starts_with("SHA256:"));
    assert!(!known.exists(), "the recorder refused: nothing written");
}

#[test]
fn sudo_keeps_the_operators_home_away_from_ssh() {
    if !is_root() {
        eprintln!("skipped: privileged mode needs euid 0");
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let evil = tmp.path().join("evil-home");
    std::fs::create_dir_all(evil.join(".ssh")).expect("evil .ssh");
    std::fs::write(
        evil.join(".ssh/config"),
        "Host qd-planted-host\n  HostName 127.0.0.1\n  Port 2\n  IdentityFile ~/.ssh/planted\n\
         Host ro\u{200B}ot\n  HostName 127.0.0.1\n",
    )
    .expect("planted config");
    let c = QdConf::new(
        "[ssh]\nssh_config = true\n[[host]]\nname = \"plain\"\naddress = \"127.0.0.1\"\n",
    );
    let list = |op: Option<&str>| -> String {
        let o = c
            .cmd(op, &["hosts", "--json"])
            .env("HOME", &evil)
            .output()
            .expect("qd hosts");
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stdout(&o)
    };
    // Not privileged (root as itself): HOME is root's own choice and is used; this
    // shows the planted file is what would be read.
    let own = list(None);
    assert!(own.contains("qd-planted-host"), "{own}");
    // A name with an invisible character would pass for another host: skipped.
    assert!(!own.contains('\u{200B}') && !own.contains("u200b"), "{own}");
    // sudo -E: the operator's HOME names neither hosts nor identity files.
    let sudo = list(Some("nobody"));
    assert!(!sudo.contains("qd-planted-host"), "{sudo}");
    let v: Value = serde_json::from_str(&sudo).expect("json");
    let plain = v
        .as_array()
        .and_then(|a| a.iter().find(|h| h["name"] == "plain"))
        .expect("plain host");
    let ids: Vec<PathBuf> = plain["identities"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p.as_str())
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default();
    assert!(!ids.is_empty(), "{plain}");
    assert!(ids.iter().all(|p| !p.starts_with(&evil)), "{ids:?}");
}
