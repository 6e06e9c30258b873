#!/usr/bin/env bash
# The services table against systemctl, side by side in one run, with N running units
# (default 500) in a private `systemd --user` (stopped by its pid at the end, which
# stops its units):
#   qd --user-bus snapshot services --json
#   systemctl --user list-units --all            (states only)
#   systemctl --user show -p <the same properties> (every unit)
# then the TUI's first screen of the services table (qd in tmux at 200x50, `S` once
# its first frame is drawn; qd's log line `services first screen ready N ms after the
# screen was opened`, RUNS runs), what each way of reading the properties costs
# systemd and the bus daemon (examples/unit_props_cost.rs), a bulk restart of 50
# units (one qd job against one systemctl call), and the steady state of the TUI's
# services view (CPU per second while nothing changes, against the process view,
# which refreshes the same /proc data).
# The snapshots are spaced by a second: systemd's manager sleeps a second when its
# event loop turns more than 50,000 times within one ("Looping too fast"), which
# back-to-back reads of 500 units (4,500 calls each) reach within a few runs.
#   bench/services.sh [N] [DURATION] [RUNS]
#   QD=path COST=path bench/services.sh     measures those binaries instead of building
#   QD_BASE=path bench/services.sh          adds that binary's snapshot, side by side
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500}
DURATION=${2:-10}
RUNS=${3:-5}
CLK=$(getconf CLK_TCK)
if [ -z "${QD:-}" ]; then
    cargo build --release --locked -q --bin qd --example unit_props_cost
    QD=${CARGO_TARGET_DIR:-$PWD/target}/release/qd
fi
COST=${COST:-${CARGO_TARGET_DIR:-$PWD/target}/release/examples/unit_props_cost}
mkdir -p /run/systemd/system
run=$(mktemp -d); chmod 700 "$run"; cfg=$(mktemp -d)
mkdir -p "$cfg/systemd/user"
XDG_RUNTIME_DIR=$run XDG_CONFIG_HOME=$cfg /lib/systemd/systemd --user >/dev/null 2>&1 &
sd=$!
sock=qd-bench-svc-$$
cleanup() {
    pid=$(tmux -L "$sock" display-message -p '#{pid}' 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    kill "$sd" 2>/dev/null || true; wait "$sd" 2>/dev/null || true; rm -rf "$run" "$cfg"
}
trap cleanup EXIT
for _ in $(seq 100); do [ -S "$run/bus" ] && [ -S "$run/systemd/private" ] && break; sleep 0.1; done
export XDG_RUNTIME_DIR=$run DBUS_SESSION_BUS_ADDRESS=unix:path=$run/bus
for i in $(seq "$N"); do
    printf '[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sleep 100000\n' > "$cfg/systemd/user/qd-bench-$i.service"
done
systemctl --user daemon-reload
systemctl --user start $(seq -f 'qd-bench-%g.service' "$N")
echo "running units: $(systemctl --user list-units --state=running --no-legend 'qd-bench-*' | wc -l)"
props=MainPID,NRestarts,MemoryCurrent,CPUUsageNSec,TasksCurrent,ActiveEnterTimestamp,LoadState,ActiveState,SubState,Description
base=()
[ -n "${QD_BASE:-}" ] && base=("$QD_BASE --user-bus snapshot services --json")
hyperfine -N --warmup 2 --runs 20 --prepare "sleep 1" \
    "$QD --user-bus snapshot services --json" \
    "${base[@]}" \
    "systemctl --user list-units --all --no-pager" \
    "systemctl --user show -p $props --no-pager $(seq -f 'qd-bench-%g.service' "$N" | tr '\n' ' ')" \
    2>/dev/null | grep -E "Benchmark|Time \(mean" | cut -c1-150

tui_env="env XDG_CONFIG_HOME=$cfg/qd XDG_RUNTIME_DIR=$run DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS"
echo
echo "## the TUI's first screen of the services table (all units; $RUNS runs, 200x50)"
for i in $(seq "$RUNS"); do
    state="$cfg/state-first$i"
    mkdir -p "$state"
    tmux -L "$sock" -f /dev/null new-session -d -x 200 -y 50 \
        "$tui_env XDG_STATE_HOME=$state $QD --user-bus"
    for _ in $(seq 50); do
        grep -qs "first frame drawn" "$state"/quarterdeck/*.log* && break
        sleep 0.1
    done
    tmux -L "$sock" send-keys -t 0 S
    for _ in $(seq 50); do
        grep -qs "services first screen ready" "$state"/quarterdeck/*.log* && break
        sleep 0.1
    done
    grep -hos "services first screen ready .*" "$state"/quarterdeck/*.log* | head -1 || echo "run $i: no line"
    kill "$(tmux -L "$sock" display-message -p '#{pid}')"
    sleep 0.3
done

echo
echo "## what reading the properties of every unit costs the two servers"
"$COST" "$sd" "$(systemctl --user show -p MainPID --value dbus.service)" "$run/systemd/private"

units50=$(seq -f 'qd-bench-%g.service' 50 | tr '\n' ' ')
echo
echo "## bulk restart of 50 units"
hyperfine -N --warmup 1 --runs 10 \
    "$QD --user-bus service restart $units50" \
    "systemctl --user restart $units50" \
    2>/dev/null | grep -E "Benchmark|Time \(mean" | cut -c1-150

. bench/lib.sh
steady() { # keys to reach the view ("" for the process view)
    steady_cpu "$sock" "env XDG_CONFIG_HOME=$cfg/qd XDG_STATE_HOME=$cfg/state XDG_RUNTIME_DIR=$run DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS $QD --user-bus --refresh 1000" "$1" "$DURATION"
}
echo
echo "## steady state, nothing changing (CPU ms per second, ${DURATION} s each; no sites: all units)"
echo "qd, process view:  $(steady "") ms"
echo "qd, services view: $(steady S) ms"
sd_t0=$(cpu_ticks "$sd"); sleep "$DURATION"; sd_t1=$(cpu_ticks "$sd")
echo "systemd --user itself, idle: $(awk -v d=$((sd_t1 - sd_t0)) -v clk="$CLK" -v s="$DURATION" 'BEGIN { printf "%.1f", d / clk / s * 1000 }') ms"
