//! A real terminal for end-to-end tests: a private tmux server (its own socket,
//! stopped by its pid) running an interactive bash that types the qd command line,
//! then keys in and the screen back out.

use super::{QdEnv, wait_until};
use std::process::Command;
use std::time::Duration;

pub struct Tmux {
    socket: String,
    pub env: QdEnv,
}

impl Tmux {
    /// Starts an interactive bash (job control, as a user has) in a `w`x`h` pane and
    /// types the qd command line. When qd exits, the subshell prints its exit code and
    /// the terminal modes, so the test can read both.
    pub fn start(name: &str, args: &str, w: u16, h: u16) -> Self {
        Self::start_env(name, "", args, w, h)
    }

    /// As `start`, with `pre` (`VAR=value ...`) added to qd's environment.
    pub fn start_env(name: &str, pre: &str, args: &str, w: u16, h: u16) -> Self {
        Self::start_ready(name, pre, args, w, h, "COMMAND")
    }

    /// As `start_env`, ready when `ready` is on screen.
    pub fn start_ready(name: &str, pre: &str, args: &str, w: u16, h: u16, ready: &str) -> Self {
        assert!(
            Command::new("tmux")
                .arg("-V")
                .output()
                .is_ok_and(|o| o.status.success()),
            "tmux is required: scripts/test.sh installs it"
        );
        let env = QdEnv::new();
        let socket = format!("qd-e2e-{}-{name}", std::process::id());
        let ok = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
                "bash --norc --noprofile -i",
            ])
            .status()
            .expect("tmux new-session");
        assert!(ok.success());
        let t = Self { socket, env };
        // The marker is split in the typed line so only the output contains it whole.
        let line = format!(
            "( env XDG_CONFIG_HOME={cfg} XDG_STATE_HOME={state} {pre} {qd} {args}; echo \"QD_\"\"EXIT=$?\"; stty -a )",
            cfg = t.env.config_dir().display(),
            state = t.env.dir.path().join("state").display(),
            qd = env!("CARGO_BIN_EXE_qd"),
        );
        t.type_text(&line);
        t.keys(&["Enter"]);
        assert!(t.wait_for(ready, 10), "qd did not start:\n{}", t.screen());
        t
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.tmux(&["send-keys", "-t", "0", k]);
        }
    }

    /// Sends text literally (no key-name lookup).
    pub fn type_text(&self, s: &str) {
        self.tmux(&["send-keys", "-t", "0", "-l", s]);
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "0"])
    }

    pub fn wait_for(&self, text: &str, secs: u64) -> bool {
        wait_until(Duration::from_secs(secs), || self.screen().contains(text))
    }

    /// The pid of qd: the child of the subshell the pane's bash started.
    pub fn qd_pid(&self) -> i32 {
        let child = |pid: i32| -> Option<i32> {
            let c = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
            c.split_whitespace().next()?.parse().ok()
        };
        let bash: i32 = self
            .tmux(&["display-message", "-p", "-t", "0", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("pane pid");
        let sub = child(bash).expect("subshell");
        let qd = child(sub).expect("qd pid");
        assert_eq!(
            std::fs::read_to_string(format!("/proc/{qd}/comm"))
                .ok()
                .as_deref(),
            Some("qd\n")
        );
        qd
    }

    /// After qd exits: its exit line and whether the terminal is back in cooked mode.
    pub fn assert_restored(&self) {
        assert!(
            self.wait_for("QD_EXIT=", 10),
            "qd did not exit:\n{}",
            self.screen()
        );
        // stty prints the local modes (icanon/-icanon, echo/-echo) on its last lines.
        assert!(
            self.wait_for("canon", 5),
            "stty output incomplete:\n{}",
            self.screen()
        );
        let s = self.screen();
        let modes: String = s
            .lines()
            .skip_while(|l| !l.contains("QD_EXIT="))
            .collect::<Vec<_>>()
            .join(" ");
        for mode in [" icanon", " echo ", " icrnl"] {
            assert!(
                modes.contains(mode),
                "terminal not restored, `{mode}` missing:\n{s}"
            );
        }
        assert!(
            !s.contains("PID USER"),
            "still on qd's screen (alternate screen not left):\n{s}"
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let pid = self.tmux(&["display-message", "-p", "#{pid}"]);
        if let Ok(pid) = pid.trim().parse::<i32>() {
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
    }
}
