//! `qd exec` and the pool against real private sshd servers on 127.0.0.1: output,
//! exit status, connection reuse, fan-out, host keys (strict, accept-new, changed,
//! revoked), authentication failures, a dead server, policy and audit.

mod support;

use quarterdeck::ssh::exec::{self, OnLine};
use quarterdeck::ssh::{Host, HostKeyChecking, HostSource, Pool, SshSettings, prompt::Prompter};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use support::qdconf::{QdConf, is_root, me};
use support::sshd::{Sshd, fingerprint, free_port, keygen, keygen_type};
use support::{stderr, stdout};

/// The config text naming `servers` as hosts h0, h1, ... (tags: `web` for all,
/// `odd` for odd ones).
fn hosts_toml(servers: &[&Sshd], checking: &str, known: &Path) -> String {
    let mut s = format!(
        "[ssh]\nhost_key_checking = \"{checking}\"\nssh_config = false\nknown_hosts = [\"{}\"]\nconnect_timeout = \"3s\"\n",
        known.display()
    );
    for (i, d) in servers.iter().enumerate() {
        let tags = if i % 2 == 1 {
            "[\"web\", \"odd\"]"
        } else {
            "[\"web\"]"
        };
        s += &format!(
            "[[host]]\nname = \"h{i}\"\naddress = \"127.0.0.1\"\nport = {}\nuser = \"{}\"\nidentity = \"{}\"\ntags = {tags}\n",
            d.port,
            me(),
            d.client_key.display()
        );
    }
    s
}

fn run(c: &QdConf, op: Option<&str>, args: &[&str]) -> std::process::Output {
    let home = c.env.dir.path().join("home");
    let _ = std::fs::create_dir_all(&home);
    c.cmd(op, args)
        .env("HOME", &home)
        .env_remove("SSH_AUTH_SOCK")
        .output()
        .expect("run qd")
}

fn json(o: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

#[test]
fn exec_returns_output_status_and_fans_out() {
    let tmp = tempfile::tempdir().expect("tmp");
    let servers: Vec<Sshd> = (0..3)
        .map(|i| Sshd::start(&tmp.path().join(format!("s{i}"))))
        .collect();
    let refs: Vec<&Sshd> = servers.iter().collect();
    let known = tmp.path().join("known_hosts");
    let c = QdConf::new(&hosts_toml(&refs, "accept-new", &known));

    let o = run(
        &c,
        None,
        &[
            "exec",
            "--host",
            "h0",
            "--",
            "echo out; echo err >&2; exit 3",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(stdout(&o), "h0: out\n");
    assert!(stderr(&o).contains("h0: err\n"), "{}", stderr(&o));
    assert!(stderr(&o).contains("h0: exit 3"), "{}", stderr(&o));

    let o = run(
        &c,
        None,
        &[
            "exec",
            "--host",
            "h0",
            "--json",
            "--",
            "printf 'a\\nb'; exit 0",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["outcomes"][0]["exit_status"], 0);
    assert_eq!(v["outcomes"][0]["stdout"], "a\nb");

    // Every host answers with the port it was reached on: one line each, right host.
    let o = run(
        &c,
        None,
        &["exec", "--tag", "web", "--", "echo $SSH_CONNECTION"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for (i, s) in servers.iter().enumerate() {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("h{i}: ")))
            .unwrap_or_else(|| panic!("no line of h{i} in {out}"));
        assert!(line.ends_with(&format!(" {}", s.port)), "{line}");
    }
    assert_eq!(out.lines().count(), 3, "{out}");
    // --tag odd selects only h1; one failing host makes the whole run fail.
    let o = run(&c, None, &["exec", "--tag", "odd", "--json", "--", "true"]);
    assert_eq!(json(&o)["outcomes"].as_array().map(Vec::len), Some(1));
    let o = run(
        &c,
        None,
        &["exec", "--all", "--", "test -n \"$SSH_CONNECTION\""],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&c, None, &["exec", "--host", "nope", "--", "true"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no host `nope`"), "{}", stderr(&o));
}

fn settings(known: &Path, checking: HostKeyChecking) -> SshSettings {
    SshSettings {
        host_key_checking: checking,
        known_hosts: vec![known.to_path_buf()],
        ssh_config: false,
        ..Default::default()
    }
}

fn host(name: &str, s: &Sshd) -> Host {
    Host {
        name: name.into(),
        address: "127.0.0.1".into(),
        port: s.port,
        user: me(),
        identities: vec![s.client_key.clone()],
        tags: vec![],
        source: HostSource::Config,
        note: None,
    }
}

#[test]
fn many_execs_share_one_connection() {
    let tmp = tempfile::tempdir().expect("tmp");
    let s = Sshd::start(&tmp.path().join("s"));
    let known = tmp.path().join("kh");
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let pool = Pool::new(
        settings(&known, HostKeyChecking::AcceptNew),
        Prompter::none(),
    );
    let h = host("one", &s);
    let quiet: OnLine = Arc::new(|_, _, _| {});
    rt.block_on(async {
        for i in 0..20 {
            let o = exec::exec(&pool, &h, &format!("echo {i}"), None, &quiet).await;
            assert_eq!(o.exit_status, Some(0), "{o:?}");
            assert_eq!(String::from_utf8_lossy(&o.stdout), format!("{i}\n"));
        }
        // Ten at once on the same connection, as channels.
        let hosts = vec![h.clone(); 10];
        let outs =
            exec::fan_out(&pool, &hosts, "sleep 0.2; echo x", &exec::FanOut::quiet(10)).await;
        assert!(outs.iter().all(|o| o.ok()), "{outs:?}");
    });
    assert_eq!(
        pool.connections_made
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(
        s.connections(),
        1,
        "sshd saw more than one TCP connection:\n{}",
        s.log()
    );
    let st = pool.status(&h);
    assert_eq!(st.state, quarterdeck::ssh::pool::ConnState::Connected);
    assert_eq!(st.channels, 0, "every exec channel was released");
}

#[test]
fn host_keys_like_openssh() {
    let tmp = tempfile::tempdir().expect("tmp");
    let s = Sshd::start(&tmp.path().join("s"));
    let known = tmp.path().join("known_hosts");
    let fp = fingerprint(&s.host_pub());

    // strict: an unknown host is refused, nothing is written.
    let c = QdConf::new(&hosts_toml(&[&s], "strict", &known));
    let o = run(&c, None, &["exec", "--host", "h0", "--", "true"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("no host key is known") && e.contains("strict") && e.contains(&fp),
        "{e}"
    );
    assert!(!known.exists(), "strict must not learn");

    // accept-new: learned on first use, then accepted even in strict mode.
    c.write(&hosts_toml(&[&s], "accept-new", &known));
    let o = run(&c, None, &["exec", "--host", "h0", "--", "true"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let kh = std::fs::read_to_string(&known).expect("learned");
    assert_eq!(kh, s.known_line());
    // Learning the key is an action of its own: checked and recorded, with the file.
    let learned: Vec<serde_json::Value> = c
        .records()
        .into_iter()
        .filter(|r| r["action"] == "learn host key (accept-new)")
        .collect();
    assert!(
        learned.iter().any(|r| r["outcome"] == "started")
            && learned.iter().any(|r| r["outcome"] == "ok"
                && r["target"] == format!("file {}", known.display())),
        "{learned:?}"
    );
    c.write(&hosts_toml(&[&s], "strict", &known));
    assert_eq!(
        run(&c, None, &["exec", "--host", "h0", "--", "true"])
            .status
            .code(),
        Some(0)
    );

    // A changed key (another ed25519 key on line 2) is refused in every mode, with
    // the offered fingerprint and the file and line of the expected key.
    let other = tmp.path().join("other");
    keygen(&other);
    let other_pub = std::fs::read_to_string(other.with_extension("pub")).expect("pub");
    let mut w = other_pub.split_whitespace();
    let (t, k) = (w.next().unwrap_or_default(), w.next().unwrap_or_default());
    std::fs::write(
        &known,
        format!("# comment\n[127.0.0.1]:{} {t} {k}\n", s.port),
    )
    .expect("kh");
    c.write(&hosts_toml(&[&s], "accept-new", &known));
    let o = run(&c, None, &["exec", "--host", "h0", "--", "true"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("CHANGED") && e.contains(&fp), "{e}");
    assert!(e.contains(&format!("{}:2", known.display())), "{e}");
    assert_eq!(
        std::fs::read_to_string(&known).expect("kh").lines().count(),
        2,
        "unchanged"
    );

    // @revoked: refused even though the same key is also listed as known.
    let line = s.known_line();
    let mut w = line.split_whitespace().skip(1);
    let (t, k) = (w.next().unwrap_or_default(), w.next().unwrap_or_default());
    std::fs::write(&known, format!("{line}@revoked * {t} {k}\n")).expect("kh");
    let o = run(&c, None, &["exec", "--host", "h0", "--", "true"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("revoked"), "{}", stderr(&o));

    // An unreadable known_hosts file is an error, not "nothing known".
    if !is_root() {
        return;
    }
    let dir_as_file = tmp.path().join("kh-dir");
    std::fs::create_dir_all(&dir_as_file).expect("dir");
    c.write(&hosts_toml(&[&s], "accept-new", &dir_as_file));
    let o = run(&c, None, &["exec", "--host", "h0", "--", "true"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("cannot read known hosts file"),
        "{}",
        stderr(&o)
    );
}

/// An RSA identity signs with the hash the server names (rsa-sha2-512): sshd
/// refuses SHA-1 `ssh-rsa`, so a key offered without asking would fail.
#[test]
fn an_rsa_identity_signs_with_the_servers_hash() {
    let tmp = tempfile::tempdir().expect("tmp");
    let s = Sshd::start(&tmp.path().join("s"));
    let rsa = tmp.path().join("id_rsa");
    keygen_type(&rsa, "rsa");
    let pubkey = std::fs::read_to_string(rsa.with_extension("pub")).expect("pub");
    std::fs::write(tmp.path().join("s/authorized_keys"), pubkey).expect("only RSA");
    let known = tmp.path().join("kh");
    std::fs::write(&known, s.known_line()).expect("kh");
    let toml = hosts_toml(&[&s], "strict", &known).replace(
        &s.client_key.display().to_string(),
        &rsa.display().to_string(),
    );
    let o = run(
        &QdConf::new(&toml),
        None,
        &["exec", "--host", "h0", "--", "echo", "signed"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("h0: signed"), "{}", stdout(&o));
}

#[test]
fn auth_failures_and_dead_servers_are_clear() {
    let tmp = tempfile::tempdir().expect("tmp");
    let s = Sshd::start(&tmp.path().join("s"));
    let known = tmp.path().join("kh");
    std::fs::write(&known, s.known_line()).expect("kh");
    let wrong = tmp.path().join("wrong");
    keygen(&wrong);
    let mut toml = hosts_toml(&[&s], "strict", &known);
    toml = toml.replace(
        &s.client_key.display().to_string(),
        &wrong.display().to_string(),
    );
    let dead_port = free_port();
    toml += &format!(
        "[[host]]\nname = \"dead\"\naddress = \"127.0.0.1\"\nport = {dead_port}\nidentity = \"{}\"\n",
        wrong.display()
    );
    let c = QdConf::new(&toml);
    let o = run(&c, None, &["exec", "--host", "h0", "--", "true"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("permission denied") && e.contains(&wrong.display().to_string()),
        "{e}"
    );
    assert!(e.contains("the server accepts: publickey"), "{e}");
    let o = run(
        &c,
        None,
        &["exec", "--host", "dead", "--json", "--", "true"],
    );
    assert_eq!(o.status.code(), Some(1));
    let err = json(&o)["outcomes"][0]["error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        err.contains(&format!("127.0.0.1:{dead_port}")) && err.contains("refused"),
        "{err}"
    );
}

#[test]
fn exec_goes_through_policy_and_audit() {
    if !is_root() {
        eprintln!("skipped: a trusted policy file must be root-owned");
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let a = Sshd::start(&tmp.path().join("a"));
    let b = Sshd::start(&tmp.path().join("b"));
    let known: PathBuf = tmp.path().join("kh");
    std::fs::write(&known, a.known_line() + &b.known_line()).expect("kh");
    let mut toml = hosts_toml(&[&a, &b], "strict", &known);
    toml += "[[policy.operator]]\nuser = \"dev\"\nrole = \"developer\"\nsites = []\nhosts = [\"tag:odd\"]\n\
             [[policy.operator]]\nuser = \"ro\"\nrole = \"readonly\"\nsites = \"*\"\nhosts = \"*\"\n";
    toml += &format!(
        "[[policy.operator]]\nuser = \"{}\"\nrole = \"admin\"\n",
        me()
    );
    let c = QdConf::new(&toml);

    let o = run(&c, Some("dev"), &["exec", "--host", "h0", "--", "true"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("not one of dev's hosts"),
        "{}",
        stderr(&o)
    );
    let o = run(&c, Some("ro"), &["exec", "--host", "h1", "--", "true"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("readonly"), "{}", stderr(&o));
    let o = run(&c, Some("dev"), &["exec", "--host", "h1", "--", "exit 4"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));

    let recs = c.records();
    let denied: Vec<&Value> = recs.iter().filter(|r| r["outcome"] == "denied").collect();
    assert_eq!(denied.len(), 2, "{recs:?}");
    assert_eq!(denied[0]["target"], "ssh h0");
    let failed = recs
        .iter()
        .find(|r| r["outcome"] == "failed")
        .expect("the exec's outcome record");
    assert_eq!(failed["exit_status"], 4);
    assert_eq!(failed["operator"], "dev");
    assert_eq!(failed["remote"], format!("{}@127.0.0.1:{}", me(), b.port));
    assert_eq!(failed["args"], "exit 4");
    let started = recs.iter().filter(|r| r["outcome"] == "started").count();
    assert_eq!(started, 1);
}
