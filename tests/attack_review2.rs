//! Second attack review (SSH layer and TUI), as an operator under `sudo qd` with a
//! developer role who controls their own environment. Each test performs the attack
//! against a real sshd on 127.0.0.1 and asserts the safe behaviour; a failure here is
//! a hole (see notes/wt-attack2.md).

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use support::qdconf::{QdConf, is_root, me};
use support::sshd::Sshd;
use support::{stderr, stdout};

/// A local account sshd lets in (shell /bin/sh, password field `*`, not `!`: with
/// UsePAM no, sshd refuses a locked account).
const VICTIM: &str = "qdatk2victim";

fn victim() -> bool {
    let exists = || {
        Command::new("id")
            .arg(VICTIM)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !exists() {
        support::ensure_user_with(VICTIM, &["-M", "-d", "/", "-s", "/bin/sh"]);
    }
    let _ = Command::new("usermod").args(["-p", "*", VICTIM]).status();
    exists()
}

fn known(tmp: &Path, s: &Sshd) -> std::path::PathBuf {
    let k = tmp.join("known_hosts");
    std::fs::write(&k, s.known_line()).expect("known_hosts");
    k
}

fn ssh_toml(known: &Path) -> String {
    format!(
        "[ssh]\nhost_key_checking = \"strict\"\nssh_config = false\nknown_hosts = [\"{}\"]\n\
         connect_timeout = \"5s\"\n",
        known.display()
    )
}

fn policy() -> String {
    format!(
        "[[policy.operator]]\nuser = \"dev\"\nrole = \"developer\"\nsites = []\nhosts = [\"web1\"]\n\
         [[policy.operator]]\nuser = \"{}\"\nrole = \"admin\"\n",
        me()
    )
}

fn exec_json(c: &QdConf, env: &[(&str, &str)], cmd: &str) -> (Output, Value) {
    let home = c.env.dir.path().join("home");
    let _ = std::fs::create_dir_all(&home);
    let mut q = c.cmd(
        Some("dev"),
        &[
            "exec",
            "--json",
            "--host",
            "web1",
            "--timeout",
            "20s",
            "--",
            cmd,
        ],
    );
    q.env("HOME", &home).env_remove("SSH_AUTH_SOCK");
    for (k, v) in env {
        q.env(k, v);
    }
    let o = q.stdin(Stdio::null()).output().expect("qd exec");
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap_or(Value::Null);
    (o, v)
}

/// Under sudo the operator's `USER` picks the remote account root's key logs into.
/// A trusted `[[host]]` without `user` is filled from `default_user()`
/// (src/ssh/hosts.rs:175, used at src/config/ssh.rs:201), which reads `USER` from
/// the environment even in privileged mode. A developer allowed `web1` sets
/// `USER=victim` and runs their command as that account with root's identity.
#[test]
fn sudo_operator_user_env_does_not_choose_the_remote_account() {
    if !is_root() || !victim() {
        eprintln!("skipped: needs root and a test user");
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    // sshd here reads one authorized_keys for every account: root's key opens any.
    let s = Sshd::start(&tmp.path().join("s"));
    let kh = known(tmp.path(), &s);
    let toml = format!(
        "{}[[host]]\nname = \"web1\"\naddress = \"127.0.0.1\"\nport = {}\nidentity = \"{}\"\n{}",
        ssh_toml(&kh),
        s.port,
        s.client_key.display(),
        policy()
    );
    let c = QdConf::new(&toml);
    let (o, v) = exec_json(&c, &[("USER", VICTIM)], "id -un");
    let who = v["outcomes"][0]["stdout"]
        .as_str()
        .unwrap_or("")
        .trim()
        .to_string();
    assert_ne!(
        who,
        VICTIM,
        "the operator's USER chose the remote account: {v}\n{}",
        stderr(&o)
    );
    let recs = c.records();
    assert!(
        !recs
            .iter()
            .any(|r| r["remote"].as_str().is_some_and(|x| x.starts_with(VICTIM))),
        "{recs:?}"
    );
}

/// Stops the agent by its own pid.
struct Agent(Child);
impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Under sudo, root connects to whatever `SSH_AUTH_SOCK` the operator names
/// (src/ssh/auth.rs:116, `AgentClient::connect_env()`), as root, so the permissions
/// of the socket and its directory do not stop it. A developer points it at an agent
/// they cannot open themselves (root's or another admin's forwarded agent, in a 0700
/// root directory) and authenticates with its keys.
#[test]
fn sudo_operator_cannot_borrow_an_agent_they_cannot_open() {
    if !is_root() {
        eprintln!("skipped: needs root");
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let s = Sshd::start(&tmp.path().join("s"));
    let kh = known(tmp.path(), &s);
    // The agent holding the key sshd accepts, in a directory only root may enter.
    let adir = tmp.path().join("agent");
    std::fs::create_dir(&adir).expect("agent dir");
    std::fs::set_permissions(&adir, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .expect("chmod");
    let sock = adir.join("sock");
    let agent = Agent(
        Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&sock)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ssh-agent"),
    );
    assert!(
        support::wait_until(std::time::Duration::from_secs(10), || sock.exists()),
        "agent socket"
    );
    let added = Command::new("ssh-add")
        .arg(&s.client_key)
        .env("SSH_AUTH_SOCK", &sock)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("ssh-add");
    assert!(added.success(), "ssh-add");
    // The host names no identity qd has: only the agent could get it in.
    let toml = format!(
        "{}[[host]]\nname = \"web1\"\naddress = \"127.0.0.1\"\nport = {}\nuser = \"{}\"\n\
         identity = \"{}\"\n{}",
        ssh_toml(&kh),
        s.port,
        me(),
        tmp.path().join("no-such-key").display(),
        policy()
    );
    let c = QdConf::new(&toml);
    let sock_s = sock.display().to_string();
    let (o, v) = exec_json(
        &c,
        &[("SSH_AUTH_SOCK", &sock_s)],
        "echo in-through-the-agent",
    );
    drop(agent);
    assert!(
        !stdout(&o).contains("in-through-the-agent\\n") && v["outcomes"][0]["exit_status"] != 0,
        "root used an agent socket the operator cannot open: {v}\n{}",
        stderr(&o)
    );
}

/// A known_hosts file that is a FIFO (or a device) is read with
/// `std::fs::read_to_string` (src/ssh/known_hosts.rs:139) from inside the handshake's
/// host-key callback: the read blocks the runtime thread (`qd exec` runs a
/// current-thread runtime), so neither connect_timeout nor `--timeout` can fire and qd
/// hangs forever, holding the host's slot. Safe: a clear error naming the file, soon.
#[test]
fn a_known_hosts_fifo_is_an_error_not_a_hang() {
    if !is_root() {
        eprintln!("skipped: needs root (private mount namespace for the system file)");
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let s = Sshd::start(&tmp.path().join("s"));
    let fifo = tmp.path().join("kh-fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let toml = format!(
        "{}[[host]]\nname = \"web1\"\naddress = \"127.0.0.1\"\nport = {}\nuser = \"{}\"\nidentity = \"{}\"\n",
        ssh_toml(&fifo),
        s.port,
        me(),
        s.client_key.display()
    );
    let c = QdConf::new(&toml);
    let home = c.env.dir.path().join("home");
    let _ = std::fs::create_dir_all(&home);
    let child = c
        .cmd(
            None,
            &[
                "exec",
                "--json",
                "--host",
                "web1",
                "--timeout",
                "5s",
                "--",
                "true",
            ],
        )
        .env("HOME", &home)
        .env_remove("SSH_AUTH_SOCK")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qd");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let o = match rx.recv_timeout(std::time::Duration::from_secs(30)) {
        Ok(o) => o.expect("qd output"),
        Err(_) => {
            // qd itself, by its pid (inside the namespace wrapper: the wrapper execs qd).
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("qd exec still running after 30 s: a FIFO known_hosts file hangs it");
        }
    };
    assert_ne!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        (stdout(&o) + &stderr(&o)).contains("kh-fifo"),
        "the error names the file: {}{}",
        stdout(&o),
        stderr(&o)
    );
}

/// A remote host that stops reading its shell's input (the shell runs a program that
/// never reads; a hostile server simply never adjusts the window) makes the pane's
/// `ch.data_bytes(d).await` (src/ssh/pane.rs:210) wait for window space forever,
/// inside the `select!` arm: the loop no longer reads the channel nor the pane's
/// input, so `PaneInput::Close` is never seen. The pane cannot be closed, and on
/// qd's exit `Remote::shutdown` gives each pane task 500 ms (src/tui/remote.rs:151),
/// so the close is never recorded in the audit. Safe: Close ends the pane at once.
#[test]
fn a_host_that_stops_reading_input_cannot_keep_a_pane_from_closing() {
    use quarterdeck::ssh::pane::{self, PaneInput, PaneShared, PaneState};
    use quarterdeck::ssh::prompt::Prompter;
    use quarterdeck::ssh::{Host, HostKeyChecking, HostSource, Pool, SshSettings};
    use std::time::Duration;
    let tmp = tempfile::tempdir().expect("tmp");
    let s = Sshd::start(&tmp.path().join("s"));
    let kh = known(tmp.path(), &s);
    let settings = SshSettings {
        host_key_checking: HostKeyChecking::Strict,
        known_hosts: vec![kh],
        global_known_hosts: vec![],
        ssh_config: false,
        connect_timeout: Duration::from_secs(5),
        ..Default::default()
    };
    let host = Host {
        name: "web1".into(),
        address: "127.0.0.1".into(),
        port: s.port,
        user: me(),
        identities: vec![s.client_key.clone()],
        tags: vec![],
        source: HostSource::Config,
        note: None,
    };
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let pool = Pool::new(settings, Prompter::none());
    let shared = PaneShared::new(24, 80, 100);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let task = rt.spawn(pane::run(pool, host, shared.clone(), rx, || {}));
    assert!(
        support::wait_until(Duration::from_secs(20), || matches!(
            shared.state(),
            PaneState::Open
        )),
        "pane did not open: {:?}",
        shared.state()
    );
    // The remote shell becomes a program that never reads its terminal.
    let pidfile = tmp.path().join("sleeper.pid");
    tx.send(PaneInput::Data(
        format!("echo $$ > {}; exec sleep 120\n", pidfile.display()).into_bytes(),
    ))
    .expect("send");
    std::thread::sleep(Duration::from_millis(500));
    // An operator pastes a large text (8 MB): more than the server's window.
    for _ in 0..128 {
        tx.send(PaneInput::Data(vec![b'a'; 64 * 1024]))
            .expect("send");
    }
    tx.send(PaneInput::Close).expect("close");
    let end = rt.block_on(async { tokio::time::timeout(Duration::from_secs(30), task).await });
    // The remote program, stopped by its own pid whatever the outcome.
    if let Some(pid) = std::fs::read_to_string(&pidfile)
        .ok()
        .and_then(|p| p.trim().parse::<i32>().ok())
    {
        let _ = Command::new("kill").arg(pid.to_string()).status();
    }
    assert!(
        end.is_ok(),
        "the pane did not close within 30 s of Close: stuck writing to a full window"
    );
}

/// Cancelling a remote exec job does nothing. The TUI's `x cancel` sets the job's
/// cancel flag (src/tui/jobs.rs:229) and the job shows "canceling", but the exec
/// executor (src/actions/remote.rs:88-95, `tokio::select!` on the fan-out and its
/// lines) never reads it, and the TUI runs exec with no timeout
/// (src/tui/fleet.rs:118): a command that never ends (`tail -f`, a hung host) keeps
/// the job running, its channel open and the remote command alive for as long as qd
/// runs. Safe: a cancelled exec closes its channels and ends soon, recorded as
/// cancelled/failed.
#[test]
fn cancelling_a_remote_exec_job_ends_it() {
    use quarterdeck::actions::{Action, Dispatcher, JobCtl, Policy};
    use quarterdeck::model::policy::PolicySpec;
    use quarterdeck::ssh::prompt::Prompter;
    use quarterdeck::ssh::{Host, HostKeyChecking, HostSource, Pool, SshSettings};
    use quarterdeck::tui::app::Env;
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    use std::time::Duration;
    let tmp = tempfile::tempdir().expect("tmp");
    let s = Sshd::start(&tmp.path().join("s"));
    let kh = known(tmp.path(), &s);
    let settings = SshSettings {
        host_key_checking: HostKeyChecking::Strict,
        known_hosts: vec![kh],
        global_known_hosts: vec![],
        ssh_config: false,
        connect_timeout: Duration::from_secs(5),
        ..Default::default()
    };
    let host = Host {
        name: "web1".into(),
        address: "127.0.0.1".into(),
        port: s.port,
        user: me(),
        identities: vec![s.client_key.clone()],
        tags: vec![],
        source: HostSource::Config,
        note: None,
    };
    let spec = PolicySpec::Open;
    let op = Env::for_tests().operator.under(&spec);
    let d = Arc::new(Dispatcher::new(
        Policy::new(spec),
        op,
        false,
        Duration::from_secs(1),
    ));
    let _pool = d.ssh_pool(|| Pool::new(settings, Prompter::none()));
    let pidfile = tmp.path().join("remote.pid");
    let action = Action::Exec {
        hosts: vec![host],
        command: format!("echo $$ > {}; exec sleep 100", pidfile.display()),
        parallel: 1,
        timeout: None,
    };
    let ctl = JobCtl::quiet();
    let cancel = ctl.cancel.clone();
    let rt = tokio::runtime::Runtime::new().expect("rt");
    let d2 = d.clone();
    let job = rt.spawn(async move { d2.dispatch_job(&action, &ctl).await.is_ok() });
    assert!(
        support::wait_until(Duration::from_secs(20), || pidfile.exists()),
        "the remote command did not start"
    );
    // The operator presses `x` on the job.
    cancel.store(true, Ordering::SeqCst);
    let ended = rt.block_on(async { tokio::time::timeout(Duration::from_secs(30), job).await });
    // The remote command, stopped by its own pid whatever the outcome.
    if let Some(pid) = std::fs::read_to_string(&pidfile)
        .ok()
        .and_then(|p| p.trim().parse::<i32>().ok())
    {
        let _ = Command::new("kill").arg(pid.to_string()).status();
    }
    assert!(
        ended.is_ok(),
        "a cancelled exec job was still running 30 s after the cancel"
    );
}
