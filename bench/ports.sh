#!/usr/bin/env bash
# One-shot port tables side by side: `qd snapshot ports --json` against `ss -tanp`
# and `netstat -tanp` (when installed), with N listening sockets spread over a few
# processes (default 2000 over 4), timed by hyperfine when present, else by a loop.
#   bench/ports.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
cargo build --release --locked -q
QD=$PWD/target/release/qd
holders=()
cleanup() { for p in "${holders[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
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
if command -v hyperfine >/dev/null; then
    cmds=("$QD snapshot ports --json" "ss -tanp")
    command -v netstat >/dev/null && cmds+=("netstat -tanp")
    hyperfine -N --warmup 3 --runs 30 "${cmds[@]}" 2>/dev/null | grep -E "Benchmark|Time \(mean"
else
    for c in "$QD snapshot ports --json" "ss -tanp"; do
        s=$(date +%s%N); for _ in $(seq 20); do $c > /dev/null; done; e=$(date +%s%N)
        echo "$c: $(( (e - s) / 20000000 )) ms"
    done
fi
