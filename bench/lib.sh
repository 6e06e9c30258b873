# Shared by the bench scripts (sourced): CPU ticks (utime + stime) of a pid, read
# from /proc/PID/stat after the command name (which may contain spaces).
cpu_ticks() { awk '{ s = $0; sub(/^.*\) /, "", s); split(s, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }

# CPU ms per second of a TUI in steady state: start CMD in a detached tmux server on
# socket SOCK (200x50), send KEYS ("" for none) after 1 s, skip 3 s of start-up, then
# measure DURATION seconds of the pane process; the server is stopped by its pid.
#   steady_cpu SOCK "CMD" "KEYS" DURATION
steady_cpu() {
    local sock=$1 cmd=$2 keys=$3 duration=$4 pid t0 t1 clk
    clk=$(getconf CLK_TCK)
    tmux -L "$sock" -f /dev/null new-session -d -x 200 -y 50 "exec $cmd"
    pid=$(tmux -L "$sock" display-message -p -t 0 '#{pane_pid}')
    sleep 1
    [ -n "$keys" ] && tmux -L "$sock" send-keys -t 0 "$keys"
    sleep 3 # start-up and first full scans are not steady state
    t0=$(cpu_ticks "$pid")
    sleep "$duration"
    t1=$(cpu_ticks "$pid")
    kill "$(tmux -L "$sock" display-message -p '#{pid}')"
    sleep 0.5
    awk -v d=$((t1 - t0)) -v clk="$clk" -v s="$duration" 'BEGIN { printf "%.1f", d / clk / s * 1000 }'
}

# Teardown of a bench: the tmux server on socket SOCK (by its pid), then each PID
# given, then the directory WORK.
#   stop_bench SOCK WORK [PID...]
stop_bench() {
    local sock=$1 work=$2 pid p
    shift 2
    pid=$(tmux -L "$sock" display-message -p '#{pid}' 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    for p in "$@"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
