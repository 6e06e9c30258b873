#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine with only the Rust toolchain:
# installs what the tests drive when it is missing (tmux for the end-to-end suite; a
# systemd user manager, systemctl and the socket-activated session bus for the
# services tests), then runs every test. Extra arguments go to `cargo test` (e.g. a test name).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
{ [ -x /lib/systemd/systemd ] && command -v systemctl >/dev/null 2>&1; } || need+=(systemd)
command -v dbus-daemon >/dev/null 2>&1 || need+=(dbus)
[ -e /usr/lib/systemd/user/dbus.socket ] || need+=(dbus-user-session)
if ((${#need[@]})); then
    echo "scripts/test.sh: installing ${need[*]}" >&2
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

cargo test --locked "$@"
