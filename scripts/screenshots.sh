#!/usr/bin/env bash
# Screenshots of the real binary: qd runs in tmux on this machine next to a few
# demo processes (one with a hostile name), the screen is captured with colours and
# rendered to PNG by scripts/ansi2png.py (needs tmux, python3 and Pillow).
#   scripts/screenshots.sh        -> screenshots/*.png
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q
out=screenshots
mkdir -p "$out"
sock="qd-shots-$$"
W=140 H=40
demo=()
cleanup() {
    local pid
    pid=$(tmux -L "$sock" display-message -p '#{pid}' 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    for p in "${demo[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

# Demo processes: a web app, a worker and its children, and a hostile argv.
bash -c 'exec -a "node /var/www/sites/shop/api/server.js --port 10011" sleep 100000' & demo+=($!)
bash -c 'exec -a "python3 -m gunicorn blog.wsgi -w 4 -b 127.0.0.1:10021" sleep 100000' & demo+=($!)
bash -c 'exec -a "$(printf "\033]0;pwned\007evil\u202etxt.exe")" sleep 100000' & demo+=($!)
sh -c 'while :; do :; done' & demo+=($!)   # something that uses CPU
# Listeners for the ports view, under the names of the apps they stand for.
# The system python: a pyenv shim would re-exec and lose the argv[0] given here.
PY=$(command -v /usr/bin/python3 || command -v python3)
listen() { # argv0, address, port
    PY=$PY bash -c 'exec -a "$0" "$PY" -c "
import socket, sys, time
s = socket.socket(socket.AF_INET6 if \":\" in sys.argv[1] else socket.AF_INET)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(); time.sleep(100000)" "$1" "$2"' "$1" "$2" "$3" &
    demo+=($!)
}
listen "node /var/www/sites/shop/api/server.js" 127.0.0.1 10011
listen "gunicorn: master [blog.wsgi]" 127.0.0.1 10021
listen "caddy run --config /etc/caddy/Caddyfile" 0.0.0.0 18443
listen "redis-server 127.0.0.1:16379" ::1 16379
sleep 0.3

shot() { # name
    sleep 1.2
    tmux -L "$sock" capture-pane -e -p -t 0 > "$out/$1.ansi"
    python3 scripts/ansi2png.py "$out/$1.ansi" "$out/$1.png" "$W" "$H"
    rm "$out/$1.ansi"
    echo "$out/$1.png"
}

tmux -L "$sock" -f /dev/null new-session -d -x $W -y $H "exec env TERM=xterm-256color $PWD/target/release/qd"
sleep 2.5
tmux -L "$sock" send-keys -t 0 Down Down ' ' ' '
shot processes
tmux -L "$sock" send-keys -t 0 U t N
shot tree
tmux -L "$sock" send-keys -t 0 t P /
tmux -L "$sock" send-keys -t 0 -l "gunicorn"
tmux -L "$sock" send-keys -t 0 Enter g Enter
shot detail
tmux -L "$sock" send-keys -t 0 Escape
sleep 0.3 # Esc followed at once by a key reads as Alt+key, as in every terminal
tmux -L "$sock" send-keys -t 0 ' ' ' ' k
sleep 0.3
tmux -L "$sock" send-keys -t 0 Enter
shot confirm
tmux -L "$sock" send-keys -t 0 Escape
sleep 0.3
tmux -L "$sock" send-keys -t 0 '?'
shot help
tmux -L "$sock" send-keys -t 0 Escape
sleep 0.3
tmux -L "$sock" send-keys -t 0 Tab
shot ports
tmux -L "$sock" send-keys -t 0 q
