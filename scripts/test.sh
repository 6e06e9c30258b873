#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine with only the Rust toolchain:
# installs what the tests drive when it is missing (tmux for the end-to-end suite;
# openssh-server for the SSH tests; a
# systemd user manager, systemctl and the socket-activated session bus for the
# services tests), then runs every test. Extra arguments go to `cargo test` (e.g. a test name).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
# The SSH tests run private sshd servers on 127.0.0.1 and make keys with ssh-keygen.
{ [ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null 2>&1; } || need+=(openssh-server openssh-client)
{ [ -x /lib/systemd/systemd ] && command -v systemctl >/dev/null 2>&1; } || need+=(systemd)
command -v dbus-daemon >/dev/null 2>&1 || need+=(dbus)
[ -e /usr/lib/systemd/user/dbus.socket ] || need+=(dbus-user-session)
if ((${#need[@]})); then
    echo "scripts/test.sh: installing ${need[*]}" >&2
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    # Another apt (unattended-upgrades, a second session) may hold the locks: wait for
    # it rather than fail. install waits by itself (DPkg::Lock::Timeout); update does not
    # (it fails at once on the lists lock), so it is retried while the lock is the reason.
    wait=(-o DPkg::Lock::Timeout=900)
    err=$(mktemp)
    for try in $(seq 1 180); do
        if $sudo apt-get "${wait[@]}" update -qq 2>"$err"; then break; fi
        if ! grep -q "Could not get lock" "$err" || [ "$try" = 180 ]; then
            cat "$err" >&2; rm -f "$err"; exit 1
        fi
        [ "$try" = 1 ] && echo "scripts/test.sh: waiting for another apt to finish" >&2
        sleep 5
    done
    rm -f "$err"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get "${wait[@]}" install -y -qq "${need[@]}" >/dev/null
fi

# Debian's sshd will not start without its privilege separation directory.
if [ ! -d /run/sshd ]; then
    if [ "$(id -u)" = 0 ]; then mkdir -p /run/sshd; else sudo mkdir -p /run/sshd; fi
fi

cargo test --locked "$@"
