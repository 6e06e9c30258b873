#!/usr/bin/env bash
# The ports table's cost, side by side in one run, with N listening sockets spread over
# 4 processes (default 2000):
#  1. one-shot: `qd snapshot ports --json` against `ss -tanp` and `netstat -tanp` (when
#     installed), wall time by hyperfine (a plain loop without it);
#  2. steady state: qd in tmux (200x50, 1 s refresh) on the process view, then on the
#     ports view, CPU ms per refresh from its own /proc/PID/stat, against the CPU time
#     (user + system) of one `ss -tanp` run.
#   bench/ports.sh [N] [DURATION]
# Every process started here is stopped by its own pid.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-2000}
DURATION=${2:-20}
# QD=path measures that binary instead of building one.
if [ -z "${QD:-}" ]; then
    cargo build --release --locked -q
    QD=${CARGO_TARGET_DIR:-$PWD/target}/release/qd
fi
work=$(mktemp -d)
sock="qd-ports-bench-$$"
holders=()
cleanup() { stop_bench "$sock" "$work" "${holders[@]:-}"; }
trap cleanup EXIT
# Each holder listens on N/4 loopback ports (python3: the quickest portable listener).
for i in 0 1 2 3; do
    python3 -c '
import socket, sys, time
n = int(sys.argv[1]); socks = []
for _ in range(n):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); socks.append(s)
time.sleep(100000)' $((N / 4)) &
    holders+=($!)
done
sleep 2
echo "listening TCP sockets: $(ss -tln | tail -n +2 | wc -l)"
echo
echo "## one-shot (wall time)"
ss_cpu_ms=""
if command -v hyperfine >/dev/null; then
    cmds=("$QD snapshot ports --json" "ss -tanp")
    command -v netstat >/dev/null && cmds+=("netstat -tanp")
    hyperfine -N --warmup 3 --runs 30 --export-json "$work/h.json" "${cmds[@]}" 2>/dev/null |
        grep -E "Benchmark|Time \(mean"
    ss_cpu_ms=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
ss = [x for x in r if x["command"] == "ss -tanp"][0]
print("%.1f" % ((ss["user"] + ss["system"]) * 1000))' "$work/h.json")
else
    for c in "$QD snapshot ports --json" "ss -tanp"; do
        s=$(date +%s%N); for _ in $(seq 20); do $c > /dev/null; done; e=$(date +%s%N)
        echo "$c: $(( (e - s) / 20000000 )) ms"
    done
fi


steady() { # keys to reach the view ("" for the process view)
    steady_cpu "$sock" "env XDG_CONFIG_HOME=$work/xdg XDG_STATE_HOME=$work/state $QD --refresh 1000" "$1" "$DURATION"
}
echo
echo "## steady state (CPU ms per 1 s refresh, ${DURATION} s each)"
procs=$(steady "")
ports=$(steady Tab)
echo "qd, process view: $procs ms"
echo "qd, ports view:   $ports ms"
[ -n "$ss_cpu_ms" ] && echo "one ss -tanp run: $ss_cpu_ms ms CPU (user + system)"
