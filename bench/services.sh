#!/usr/bin/env bash
# The services table against systemctl, side by side in one run, with N running units
# (default 500) in a private `systemd --user` (stopped by its pid at the end, which
# stops its units):
#   qd --user-bus snapshot services --json
#   systemctl --user list-units --all            (states only)
#   systemctl --user show -p <the same properties> (every unit)
#   bench/services.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500}
cargo build --release --locked -q
QD=$PWD/target/release/qd
mkdir -p /run/systemd/system
run=$(mktemp -d); chmod 700 "$run"; cfg=$(mktemp -d)
mkdir -p "$cfg/systemd/user"
XDG_RUNTIME_DIR=$run XDG_CONFIG_HOME=$cfg /lib/systemd/systemd --user >/dev/null 2>&1 &
sd=$!
cleanup() { kill "$sd" 2>/dev/null || true; wait "$sd" 2>/dev/null || true; rm -rf "$run" "$cfg"; }
trap cleanup EXIT
for _ in $(seq 100); do [ -S "$run/bus" ] && [ -S "$run/systemd/private" ] && break; sleep 0.1; done
export XDG_RUNTIME_DIR=$run DBUS_SESSION_BUS_ADDRESS=unix:path=$run/bus
for i in $(seq "$N"); do
    printf '[Service]\nExecStart=/bin/sleep 100000\n' > "$cfg/systemd/user/qd-bench-$i.service"
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
