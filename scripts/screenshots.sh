#!/usr/bin/env bash
# Screenshots of the real release binary on the demo (scripts/demo.sh --tmux): qd runs
# in a detached tmux on the demo's two sites and three loopback hosts; each screen is
# captured with its colours and rendered to PNG by scripts/ansi2png.py (DejaVu Sans
# Mono, needs tmux, python3 and Pillow: apt-get install python3-pil).
# Beside the demo it starts one process with a hostile argv (a terminal title escape
# and a right-to-left override), run as the shop's user so it shows in the shop's
# processes: qd shows it inert. Every process is stopped by its pid at the end.
#   scripts/screenshots.sh        -> screenshots/*.png (builds the release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
$PY -c 'import PIL' 2>/dev/null || { echo "screenshots.sh: needs Pillow (apt-get install python3-pil)" >&2; exit 3; }
command -v tmux >/dev/null || { echo "screenshots.sh: needs tmux" >&2; exit 3; }
if [ -z "${QD:-}" ]; then # QD=PATH: another binary (to try the script out)
    cargo build --release --locked -q --bin qd
    QD=${CARGO_TARGET_DIR:-$PWD/target}/release/qd
fi
out=screenshots
mkdir -p "$out"
sock="qd-shots-$$"
W=150 H=34
log=$(mktemp)
demo_pid="" hostile_pid=""
cleanup() {
    # Ending the tmux session ends qd; demo.sh then stops everything it started.
    tmux -L "$sock" kill-session -t 0 2>/dev/null || true
    [ -n "$demo_pid" ] && wait "$demo_pid" 2>/dev/null || true
    [ -n "$hostile_pid" ] && kill "$hostile_pid" 2>/dev/null || true
    rm -f "$log" "$out"/*.ansi
}
trap cleanup EXIT

QD=$QD DEMO_COLS=$W DEMO_ROWS=$H scripts/demo.sh --tmux "$sock" >"$log" 2>&1 &
demo_pid=$!
for _ in $(seq 300); do grep -q "qd runs in tmux" "$log" && break; kill -0 $demo_pid 2>/dev/null || break; sleep 0.1; done
grep -q "qd runs in tmux" "$log" || { echo "screenshots.sh: the demo did not start:" >&2; cat "$log" >&2; exit 1; }
# The shop's user: the `user =` after `name = "shop"` in the demo's config.
site_user=$(awk -F'"' '/^name = "shop"/ {s = 1} s && /^user = / {print $2; exit}' \
    "$(sed -n 's/^demo: dir //p' "$log")/qd.toml")

# The hostile argv, as the shop's user (root can switch; else it is you, the site user).
hostile=$(printf '\033]0;pwned\007evil\u202etxt.exe --title \033[31mRED')
if [ "$(id -u)" = 0 ] && [ "$site_user" != root ]; then
    setpriv --reuid="$site_user" --regid="$site_user" --init-groups bash -c 'exec -a "$0" sleep 100000' "$hostile" &
else
    bash -c 'exec -a "$0" sleep 100000' "$hostile" &
fi
hostile_pid=$!

t() { tmux -L "$sock" "$@"; }
keys() { t send-keys -t 0 "$@"; }
type_() { t send-keys -t 0 -l "$1"; }
cmd() { keys :; type_ "$1"; keys Enter; sleep 0.4; }
esc() { keys Escape; sleep 0.4; } # Esc then a key at once would read as Alt+key
until_shown() { # text [seconds]: waits until the screen shows it (a loaded machine is slow)
    for _ in $(seq $((${2:-15} * 5))); do t capture-pane -p -t 0 | grep -qF -- "$1" && return; sleep 0.2; done
    echo "screenshots.sh: \"$1\" never showed" >&2
}
shot() { # name [seconds to wait first]
    sleep "${2:-1.2}"
    t capture-pane -e -p -t 0 >"$out/$1.ansi"
    $PY scripts/ansi2png.py "$out/$1.ansi" "$out/$1.png" "$W" "$H"
    rm "$out/$1.ansi"
    echo "$out/$1.png"
}

sleep 2 # the first refresh, the first health probes
cmd sites
shot sites 2
# Services of both sites; the merged log of the shop's services.
keys S
shot services
keys L
shot logs 1.5
esc
# A custom command: the menu, then `migrate` (stop, run, start, wait healthy) as a job.
keys c
shot commands 0.8
keys Enter
sleep 0.5
keys y
until_shown "started and healthy"
shot jobs 0.5
esc
esc
# A dangerous command wants the service's name typed.
cmd svc
keys c Down
sleep 0.3
keys Enter
shot confirm 0.8
esc
# The shop's processes (its units' and its user's), flat, then as a tree, then a detail.
cmd "site shop"
cmd procs
shot processes
keys t
shot tree
keys /
type_ worker.py
keys Enter
sleep 0.3
keys Enter
shot detail 1.5
esc
keys /
sleep 0.2
keys C-u Enter
sleep 0.3
keys t
esc
# Every listening socket of the machine with its process, unit and site
# (this machine's other sshd servers left out by a filter).
cmd ports
keys /
type_ '!sshd'
keys Enter
shot ports
# Two shell panes side by side, typing to both (broadcast).
cmd hosts
keys Space Space Enter
sleep 3
type_ 'echo "this is $DEMO_HOST"; uptime'
keys Enter
until_shown "this is web2"
shot panes 0.5
# A command on the three hosts: confirmation, then its job with each host's output.
keys 'C-\' H
sleep 0.5
keys g Space Space Space x
sleep 0.3
type_ 'uname -sr; uptime -p'
keys Enter
shot exec-confirm 0.6
keys y
until_shown "0 failed"
shot exec 0.5
esc
cmd hosts
shot hosts 1.5
esc
cmd audit
shot audit 1.5
esc
cmd svc
keys '?'
shot help
esc
keys q
sleep 1
