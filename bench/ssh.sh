#!/usr/bin/env bash
# qd's SSH against OpenSSH on the same private sshd servers, in one run, in two
# settings of the remote side:
#   lean         the remote shell starts nothing: sshd passes `SetEnv SHLVL=1`, and
#                bash, run by sshd for `ssh host CMD`, reads ~/.bashrc (and
#                /etc/bash.bashrc, Debian) only when it is a top-level shell
#                (SHLVL < 2 on entry, bash's run_startup_files). Nothing outside the
#                bench's temp dir changes; both clients meet the same server setting.
#   login shell  as a user meets it: the account's rc files run for every command
#                (here root's ~/.bashrc runs `pyenv init`).
# Per setting, against the same N servers (default 20):
#   warm exec of `true`      qd pool (examples/ssh_bench)  vs  ssh over a ControlMaster
#   warm fan-out to N hosts  qd pool fan_out               vs  ControlMaster + xargs -P N
#   fresh exec of `true`     `qd exec` (new process)       vs  plain `ssh` (new connection)
#   fresh fan-out            `qd exec --all`               vs  ssh + xargs -P N
# and what the server's shell costs alone in that setting (`bash -c true` with the
# environment sshd gives it). Servers: `sshd -D -f CONFIG` on 127.0.0.1, stopped by pid.
# Usage: bench/ssh.sh [N]   (needs openssh-server, hyperfine, jq; builds release)
#   ROUNDS=200 (qd's warm rounds; the login shell's 10x fewer, each costs the rc
#   files), RUNS=30 (hyperfine runs of one exec; login: RUNS/3), SETTINGS="lean login".
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
ROUNDS=${ROUNDS:-200}
RUNS=${RUNS:-30}
SETTINGS=${SETTINGS:-lean login}
cargo build --release --quiet --bin qd --example ssh_bench
QD=${CARGO_TARGET_DIR:-$PWD/target}/release/qd
BENCH=${CARGO_TARGET_DIR:-$PWD/target}/release/examples/ssh_bench
W=$(mktemp -d)
pids=()
stop_servers() {
    local p s
    for s in "$W"/ctl-*; do [ -S "$s" ] && ssh -S "$s" -O exit x 2>/dev/null || true; done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
}
trap 'stop_servers; rm -rf "$W"' EXIT
mkdir -p /run/sshd 2>/dev/null || true
ssh-keygen -q -t ed25519 -N "" -f "$W/client" -C bench
ssh-keygen -q -t ed25519 -N "" -f "$W/host" -C bench
cp "$W/client.pub" "$W/authorized_keys"
: >"$W/known_hosts"
# The audit log of qd's runs stays in the temp dir (a root-owned config may move it).
{ echo "[audit]"; echo "dir = \"$W/audit\""
  echo "[ssh]"; echo "host_key_checking = \"strict\""; echo "ssh_config = false"
  echo "known_hosts = [\"$W/known_hosts\"]"; } >"$W/qd.toml"
ports=()
for i in $(seq 1 "$N"); do
    port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    ports+=("$port")
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$W/host.pub")" >>"$W/known_hosts"
    printf '[[host]]\nname = "h%s"\naddress = "127.0.0.1"\nport = %s\nidentity = "%s"\n' \
        "$i" "$port" "$W/client" >>"$W/qd.toml"
done
printf '%s\n' "${ports[@]}" | awk '{print NR" "$1}' >"$W/hosts.txt"
SSH=(ssh -F /dev/null -i "$W/client" -o UserKnownHostsFile="$W/known_hosts" -o StrictHostKeyChecking=yes -o BatchMode=yes)
user=$(id -un)
rhome=$(getent passwd "$user" | cut -d: -f6)
rshell=$(getent passwd "$user" | cut -d: -f7)
p1=${ports[0]}

start_servers() { # SETTING
    local i
    for i in $(seq 1 "$N"); do
        cat >"$W/sshd-$i.conf" <<CONF
Port ${ports[$((i-1))]}
ListenAddress 127.0.0.1
HostKey $W/host
PidFile $W/sshd-$i.pid
AuthorizedKeysFile $W/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin yes
PrintMotd no
MaxSessions 64
MaxStartups 200
CONF
        [ "$1" = lean ] && echo "SetEnv SHLVL=1" >>"$W/sshd-$i.conf"
        /usr/sbin/sshd -D -f "$W/sshd-$i.conf" -E "$W/sshd-$i.log" &
        pids+=($!)
    done
    for i in $(seq 1 "$N"); do # until each one listens
        for _ in $(seq 50); do
            (: </dev/tcp/127.0.0.1/"${ports[$((i-1))]}") 2>/dev/null && break
            sleep 0.1
        done
    done
    for i in $(seq 1 "$N"); do
        "${SSH[@]}" -o ControlMaster=yes -o ControlPersist=600 -S "$W/ctl-$i" -p "${ports[$((i-1))]}" -fN 127.0.0.1
    done
}

mean_ms() { jq -r ".results[] | select(.command == \"$2\") | .mean * 1000" "$1"; }

run_setting() { # SETTING TITLE ROUNDS RUNS
    local s=$1 title=$2 rounds=$3 runs=$4 shell_env
    start_servers "$s"
    # What the remote shell runs in this setting: the rc files leave PYENV_ROOT (or
    # not) behind; the lean setting must show that nothing ran.
    echo "== $title: the remote command sees $("${SSH[@]}" -S "$W/ctl-1" -p "$p1" 127.0.0.1 'echo "SHLVL=$SHLVL PYENV_ROOT=${PYENV_ROOT:-unset}"')"
    shell_env=(env -i HOME="$rhome" USER="$user" SSH_CLIENT=127.0.0.1 PATH=/usr/bin:/bin)
    [ "$s" = lean ] && shell_env+=(SHLVL=1)
    HOME=$W SSH_AUTH_SOCK='' "$BENCH" "$W/qd.toml" "$rounds" >"$W/qd-$s.txt"
    HOME=$W SSH_AUTH_SOCK='' hyperfine -N --warmup 3 --runs "$runs" --export-json "$W/one-$s.json" \
        -n "shell" "${shell_env[*]} $rshell -c true" \
        -n "ssh warm" "${SSH[*]} -S $W/ctl-1 -p $p1 127.0.0.1 true" \
        -n "ssh fresh" "${SSH[*]} -o ControlMaster=no -o ControlPath=none -p $p1 127.0.0.1 true" \
        -n "qd fresh" "$QD --config $W/qd.toml exec --host h1 -- true" >/dev/null
    HOME=$W SSH_AUTH_SOCK='' hyperfine --warmup 2 --runs $(((runs + 2) / 3)) --export-json "$W/fan-$s.json" \
        -n "ssh warm" "xargs -P$N -n2 sh -c '${SSH[*]} -S $W/ctl-\$0 -p \$1 127.0.0.1 true' <$W/hosts.txt" \
        -n "ssh fresh" "xargs -P$N -n2 sh -c '${SSH[*]} -o ControlMaster=no -o ControlPath=none -p \$1 127.0.0.1 true' <$W/hosts.txt" \
        -n "qd fresh" "$QD --config $W/qd.toml exec --all -- true" >/dev/null
    stop_servers
    local qw qf qc qa
    qw=$(awk '$1 == "warm_exec" {print $2}' "$W/qd-$s.txt")
    qa=$(awk '$1 == "warm_exec_action" {print $2}' "$W/qd-$s.txt")
    qf=$(awk '$1 ~ /^warm_fanout_/ && $1 !~ /_action$/ {print $2}' "$W/qd-$s.txt")
    qc=$(awk '$1 ~ /^warm_fanout_.*_action$/ {print $2}' "$W/qd-$s.txt")
    # The targets are the lean setting's (the transport's); the login shell's rows
    # show where the rc files put both clients.
    awk -v title="$title" -v n="$N" -v r="$rounds" -v lean="$([ "$s" = lean ] && echo 1)" \
        -v qw="$qw" -v qa="$qa" -v qf="$qf" -v qc="$qc" \
        -v sw="$(mean_ms "$W/one-$s.json" "ssh warm")" \
        -v qx="$(mean_ms "$W/one-$s.json" "qd fresh")" \
        -v sx="$(mean_ms "$W/one-$s.json" "ssh fresh")" \
        -v sf="$(mean_ms "$W/fan-$s.json" "ssh warm")" \
        -v qy="$(mean_ms "$W/fan-$s.json" "qd fresh")" \
        -v sy="$(mean_ms "$W/fan-$s.json" "ssh fresh")" \
        -v sh="$(mean_ms "$W/one-$s.json" "shell")" 'BEGIN {
        half = lean ? "<= 0.5x" : "-"; one = lean ? "<= 1x" : "-"
        printf "\n#### %s\n\n", title
        print "| | qd | OpenSSH | qd / OpenSSH | target |"
        print "|---|---:|---:|---:|---|"
        printf "| warm exec of `true` (pool, mean of %d / ControlMaster) | %.2f ms | %.2f ms | %.2fx | %s |\n", r, qw, sw, qw / sw, half
        printf "| the same through the action path (policy, audit records) | %.2f ms | | %.2fx | |\n", qa, qa / sw
        printf "| warm fan-out of `true` to %d hosts (pool / ControlMaster + xargs -P%d) | %.1f ms | %.1f ms | %.2fx | %s |\n", n, n, qf, sf, qf / sf, half
        printf "| the same through the action path | %.1f ms | | %.2fx | |\n", qc, qc / sf
        printf "| fresh exec of `true` (`qd exec` / plain `ssh`) | %.1f ms | %.1f ms | %.2fx | %s |\n", qx, sx, qx / sx, one
        printf "| fresh fan-out to %d hosts (`qd exec --all` / `ssh` + xargs -P%d) | %.0f ms | %.0f ms | %.2fx | |\n", n, n, qy, sy, qy / sy
        printf "\nThe server'"'"'s shell alone (`bash -c true` as sshd starts it): %.1f ms.\n", sh
    }'
}

echo "== $(ssh -V 2>&1), $N sshd servers on 127.0.0.1, $(nproc) cores"
for s in $SETTINGS; do
    case $s in
        lean) run_setting lean "lean: a remote shell that starts nothing (sshd SetEnv SHLVL=1)" "$ROUNDS" "$RUNS" ;;
        login) run_setting login "login shell: $user's rc files run for every command" \
            $(((ROUNDS + 9) / 10)) $(((RUNS + 2) / 3)) ;;
        *) echo "unknown setting $s (lean, login)" >&2; exit 2 ;;
    esac
done
