#!/usr/bin/env bash
# The services table against systemctl, side by side in one run, with N running units
# (default 500) in a private `systemd --user` (stopped by its pid at the end, which
# stops its units):
#   qd --user-bus snapshot services --json
#   systemctl --user list-units --all            (states only)
#   systemctl --user show -p <the same properties> (every unit)
# then a bulk restart of 50 units (one qd job against one systemctl call), and the
# steady state of the TUI's services view (CPU per second while nothing changes,
# against the process view, which refreshes the same /proc data).
#   bench/services.sh [N] [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500}
DURATION=${2:-10}
CLK=$(getconf CLK_TCK)
cargo build --release --locked -q
QD=${CARGO_TARGET_DIR:-$PWD/target}/release/qd
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
hyperfine -N --warmup 2 --runs 20 \
    "$QD --user-bus snapshot services --json" \
    "systemctl --user list-units --all --no-pager" \
    "systemctl --user show -p $props --no-pager $(seq -f 'qd-bench-%g.service' "$N" | tr '\n' ' ')" \
    2>/dev/null | grep -E "Benchmark|Time \(mean" | cut -c1-150

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
