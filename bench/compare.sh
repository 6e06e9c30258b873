#!/usr/bin/env bash
# Side-by-side cost of qd and its peers (htop, btop, btm), in one run, same conditions:
# each runs alone in tmux at 200x50 refreshing every 1 s for DURATION seconds, with
# 1000 and then 3000 extra idle processes. Measured from /proc of each tool's own pid:
# CPU seconds per refresh (utime+stime delta / refreshes) and peak RSS (VmHWM).
#
#   bench/compare.sh [DURATION]     (default 30; a peer that is not installed is skipped)
#   TOOLS="qd btop" LOADS=1000 bench/compare.sh 10
#   QD_BASE=/path/to/old/qd TOOLS="qd qd-base btop" bench/compare.sh   (before/after)
#
# Needs tmux; htop and btop come from Debian (apt-get install htop btop), btm from
# `cargo install bottom`. Every process started here is stopped by its own pid.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
DURATION=${1:-30}
LOADS=${LOADS:-"1000 3000"}
TOOLS=${TOOLS:-"qd htop btop btm"}   # e.g. TOOLS="qd btop"
# QD=path measures that binary instead of building one.
if [ -z "${QD:-}" ]; then
    cargo build --release --locked -q
    QD=${CARGO_TARGET_DIR:-$PWD/target}/release/qd
fi
CLK=$(getconf CLK_TCK)
work=$(mktemp -d)
sock="qd-bench-$$"
sleepers=()

cleanup() { stop_bench "$sock" "$work" "${sleepers[@]:-}"; }
trap cleanup EXIT

# btop refreshes every 2 s by default; give it the same 1 s as everyone else.
mkdir -p "$work/xdg/btop"
printf 'update_ms = 1000\nshown_boxes = "cpu mem net proc"\n' > "$work/xdg/btop/btop.conf"


measure() { # name, command
    local name=$1 cmd=$2 pid t0 t1 hwm
    tmux -L "$sock" -f /dev/null new-session -d -x 200 -y 50 "exec env XDG_CONFIG_HOME=$work/xdg $cmd"
    pid=$(tmux -L "$sock" display-message -p -t 0 '#{pane_pid}')
    sleep 3 # start-up is not steady state
    t0=$(cpu_ticks "$pid")
    sleep "$DURATION"
    t1=$(cpu_ticks "$pid")
    hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
    kill "$(tmux -L "$sock" display-message -p '#{pid}')"
    sleep 0.5
    awk -v n="$name" -v d=$((t1 - t0)) -v clk="$CLK" -v s="$DURATION" -v h="$hwm" -v load="$LOAD" \
        'BEGIN { printf "| %-5s | %5d | %8.1f | %7.1f |\n", n, load, d / clk / s * 1000, h / 1024 }'
}

echo "| tool  | extra procs | CPU ms/refresh | peak RSS MB |"
echo "|-------|------:|---------:|--------:|"
started=0
for LOAD in $LOADS; do
    while [ "$started" -lt "$LOAD" ]; do
        sleep 100000 &
        sleepers+=($!)
        started=$((started + 1))
    done
    for tool in $TOOLS; do
        case $tool in
            qd) measure qd "$QD --refresh 1000" ;;
            qd-base) [ -n "${QD_BASE:-}" ] && measure base "$QD_BASE --refresh 1000" ;;
            htop) command -v htop >/dev/null && measure htop "htop -d 10" ;;
            btop) command -v btop >/dev/null && measure btop "btop" ;;
            btm) command -v btm >/dev/null && measure btm "btm -r 1000" ;;
        esac
    done
done
