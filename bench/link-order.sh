#!/usr/bin/env bash
# Regenerates build/qd.order, the order the release link lays out qd's functions in
# (build.rs passes it to lld as --symbol-ordering-file): every function qd runs from
# start through its steady state in the process view with 1000 extra processes, the
# most run first. Code qd runs then sits together in a few pages instead of being
# spread over the whole binary, and the kernel maps a file's pages 64 KB around each
# fault: so fewer resident pages (peak RSS), not faster code. A function that is not
# listed keeps its place after the listed ones, so a stale list costs only memory.
#   bench/link-order.sh         (needs valgrind and tmux; builds the release binary)
# Run it again when the code has changed much or a dependency, feature or the release
# profile changed (cargo then renames every function); `bench/rss.sh` shows the effect.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
TARGET=${CARGO_TARGET_DIR:-$PWD/target}
# The release profile keeps symbols, so the release binary itself is profiled (its
# names are the ones the next link looks up). QD=path profiles that binary instead.
if [ -z "${QD:-}" ]; then
    cargo build --release --locked -q --bin qd
    QD=$TARGET/release/qd
fi
work=$(mktemp -d)
sock="qd-order-$$"
sleepers=()
cleanup() { stop_bench "$sock" "$work" "${sleepers[@]:-}"; }
trap cleanup EXIT
for _ in $(seq 1 1000); do sleep 100000 & sleepers+=($!); done
tmux -L "$sock" -f /dev/null new-session -d -x 200 -y 50 \
    "exec valgrind --tool=callgrind --demangle=no --dump-instr=no --compress-strings=no \
     --compress-pos=no --callgrind-out-file=$work/cg.out $QD --refresh 1000 2>$work/vg.log"
sleep 20
# A few keys a user presses first: move, sort, filter and clear it, help and back.
for k in Down Down Up P M '?' Escape / x Escape Escape; do
    tmux -L "$sock" send-keys -t 0 "$k"; sleep 0.5
done
sleep 8
tmux -L "$sock" send-keys -t 0 q
for _ in $(seq 1 60); do [ -s "$work/cg.out" ] && break; sleep 1; done
sleep 2
# callgrind lists each function as `fn=NAME` followed by its cost lines (a line after
# `calls=` is the callee's inclusive cost, not this function's); sum each function's
# own cost and keep qd's (mangled Rust) symbols.
python3 - "$work/cg.out" >build/qd.order <<'PY'
import sys, collections
cost = collections.Counter()
fn = None
after_call = False
for line in open(sys.argv[1], errors="replace"):
    if line.startswith("fn="):
        fn = line[3:].strip()
        cost[fn] += 0
    elif line.startswith("calls="):
        after_call = True  # the next cost line is the callee's inclusive cost
    elif fn and line[:1].isdigit():
        if not after_call:
            parts = line.split()
            if len(parts) >= 2:
                cost[fn] += int(parts[1])
        after_call = False
for name, _ in sorted(cost.items(), key=lambda kv: -kv[1]):
    if name.startswith("_ZN") or name.startswith("_R"):
        print(name)
PY
echo "build/qd.order: $(wc -l <build/qd.order) functions"
# The names are cargo's for this profile, dependencies and features: a change of any
# of those renames them, and the list only helps once it is made again.
if command -v nm >/dev/null; then
    found=$(nm --defined-only "$QD" | awk 'NR == FNR { want[$1] = 1; next } NF == 3 && ($3 in want) { n++ } END { print n + 0 }' build/qd.order -)
    echo "of them, $found are named in $QD"
fi
