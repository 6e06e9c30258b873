#!/usr/bin/env bash
# Where each tool's resident memory is, side by side in one run: each runs alone in
# tmux at 200x50 with LOAD extra idle processes for 8 s, then its /proc/PID/smaps is
# summed by kind: its own binary's code and read-only data, shared libraries, the
# heap, other anonymous memory (thread stacks, large allocations such as ratatui's two
# screen buffers), and the peak (VmHWM) as bench/compare.sh reports it.
#   bench/rss.sh [LOAD]              (default 1000; TOOLS="qd btop htop")
#   QD=path bench/rss.sh             measures that binary instead of building one
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
LOAD=${1:-1000}
TOOLS=${TOOLS:-"qd btop htop"}
if [ -z "${QD:-}" ]; then
    cargo build --release --locked -q
    QD=${CARGO_TARGET_DIR:-$PWD/target}/release/qd
fi
work=$(mktemp -d)
sock="qd-rss-$$"
sleepers=()
cleanup() { stop_bench "$sock" "$work" "${sleepers[@]:-}"; }
trap cleanup EXIT
mkdir -p "$work/xdg/btop"
printf 'update_ms = 1000\nshown_boxes = "cpu mem net proc"\n' > "$work/xdg/btop/btop.conf"
for _ in $(seq 1 "$LOAD"); do sleep 100000 & sleepers+=($!); done

breakdown() { # name, command
    local name=$1 cmd=$2 pid
    tmux -L "$sock" -f /dev/null new-session -d -x 200 -y 50 "exec env XDG_CONFIG_HOME=$work/xdg $cmd"
    pid=$(tmux -L "$sock" display-message -p -t 0 '#{pane_pid}')
    sleep 8
    python3 - "$name" "$pid" <<'PY'
import re, sys
name, pid = sys.argv[1], sys.argv[2]
exe = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[0].decode(errors="replace")
exe_real = __import__("os").readlink(f"/proc/{pid}/exe")
kinds = dict.fromkeys(["code", "rodata+data", "libs", "heap", "anon", "stack"], 0)
kind = None
for line in open(f"/proc/{pid}/smaps"):
    if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
        f = line.split()
        perm, path = f[1], (f[5] if len(f) > 5 else "")
        if path == exe_real:
            kind = "code" if "x" in perm else "rodata+data"
        elif path == "[heap]":
            kind = "heap"
        elif path == "[stack]":
            kind = "stack"
        elif path.startswith("/"):
            kind = "libs"
        elif path == "":
            kind = "anon"
        else:
            kind = None
    elif line.startswith("Rss:") and kind:
        kinds[kind] += int(line.split()[1])
hwm = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM"))
cells = " | ".join(f"{kinds[k] / 1024:5.2f}" for k in kinds)
print(f"| {name:5} | {cells} | {hwm / 1024:5.2f} |")
PY
    kill "$(tmux -L "$sock" display-message -p '#{pid}')"
    sleep 0.5
}

echo "extra processes: $LOAD; MB resident"
echo "| tool  | own code | own rodata+data | libraries | heap | other anon | stack | peak (VmHWM) |"
echo "|-------|-----:|-----:|-----:|-----:|-----:|-----:|-----:|"
for tool in $TOOLS; do
    case $tool in
        qd) breakdown qd "$QD --refresh 1000" ;;
        qd-base) [ -n "${QD_BASE:-}" ] && breakdown base "$QD_BASE --refresh 1000" ;;
        htop) command -v htop >/dev/null && breakdown htop "htop -d 10" ;;
        btop) command -v btop >/dev/null && breakdown btop "btop" ;;
    esac
done
