#!/usr/bin/env bash
# How long after start qd draws its first frame, with N extra idle processes: qd runs
# in tmux at 200x50 RUNS times; each time its own log line `first frame drawn N ms after
# start` is read back. Every process started here is stopped by its own pid.
#
#   bench/first_frame.sh [N] [RUNS]      (default 3000 processes, 5 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
N=${1:-3000}
RUNS=${2:-5}
# QD=path measures that binary instead of building one.
if [ -z "${QD:-}" ]; then
    cargo build --release --locked -q
    QD=${CARGO_TARGET_DIR:-$PWD/target}/release/qd
fi
work=$(mktemp -d)
sock="qd-ff-$$"
sleepers=()
cleanup() { stop_bench "$sock" "$work" "${sleepers[@]:-}"; }
trap cleanup EXIT
for _ in $(seq "$N"); do sleep 600 & sleepers+=($!); done
for i in $(seq "$RUNS"); do
    state="$work/state$i"
    mkdir -p "$state"
    tmux -L "$sock" -f /dev/null new-session -d -x 200 -y 50 \
        "env XDG_STATE_HOME=$state XDG_CONFIG_HOME=$work/cfg $QD"
    for _ in $(seq 50); do
        grep -qs "first frame drawn" "$state"/quarterdeck/*.log* && break
        sleep 0.1
    done
    grep -hos "first frame drawn [0-9.]* ms" "$state"/quarterdeck/*.log* | head -1 || echo "run $i: no line"
    pid=$(tmux -L "$sock" display-message -p '#{pid}')
    kill "$pid"
    sleep 0.3
done
