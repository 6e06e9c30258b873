#!/usr/bin/env bash
# qd's SSH pool against OpenSSH on the same private sshd servers, in one run:
#   warm exec of `true`     qd pool (examples/ssh_bench)   vs  ssh over a ControlMaster
#   fresh exec of `true`    `qd exec` (new process)        vs  plain `ssh` (new connection)
#   warm fan-out to N hosts qd pool fan_out                 vs  ControlMaster + xargs -P N
# Servers: N private `sshd -D -f CONFIG` on 127.0.0.1 (default N=20), stopped by pid.
# Usage: bench/ssh.sh [N]   (needs openssh-server, hyperfine; builds release)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
cargo build --release --quiet --bin qd --example ssh_bench
QD=${CARGO_TARGET_DIR:-$PWD/target}/release/qd
BENCH=${CARGO_TARGET_DIR:-$PWD/target}/release/examples/ssh_bench
W=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for s in "$W"/ctl-*; do [ -S "$s" ] && ssh -S "$s" -O exit x 2>/dev/null || true; done
    rm -rf "$W"
}
trap cleanup EXIT
mkdir -p /run/sshd 2>/dev/null || true
ssh-keygen -q -t ed25519 -N "" -f "$W/client" -C bench
ssh-keygen -q -t ed25519 -N "" -f "$W/host" -C bench
cp "$W/client.pub" "$W/authorized_keys"
: >"$W/known_hosts"
{ echo "[ssh]"; echo "host_key_checking = \"strict\""; echo "ssh_config = false"
  echo "known_hosts = [\"$W/known_hosts\"]"; } >"$W/qd.toml"
ports=()
for i in $(seq 1 "$N"); do
    port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    ports+=("$port")
    cat >"$W/sshd-$i.conf" <<CONF
Port $port
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
    /usr/sbin/sshd -D -f "$W/sshd-$i.conf" -E "$W/sshd-$i.log" &
    pids+=($!)
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$W/host.pub")" >>"$W/known_hosts"
    printf '[[host]]\nname = "h%s"\naddress = "127.0.0.1"\nport = %s\nidentity = "%s"\n' \
        "$i" "$port" "$W/client" >>"$W/qd.toml"
done
sleep 1
SSH=(ssh -F /dev/null -i "$W/client" -o UserKnownHostsFile="$W/known_hosts" -o StrictHostKeyChecking=yes -o BatchMode=yes)
for i in $(seq 1 "$N"); do
    "${SSH[@]}" -o ControlMaster=yes -o ControlPersist=600 -S "$W/ctl-$i" -p "${ports[$((i-1))]}" -fN 127.0.0.1
done
export HOME=$W SSH_AUTH_SOCK=
p1=${ports[0]}
echo "== $(ssh -V 2>&1), $N sshd servers on 127.0.0.1"
echo "== qd pool (in-process, mean of 200 rounds):"
"$BENCH" "$W/qd.toml" "${ROUNDS:-50}"
echo "== OpenSSH and qd exec, hyperfine:"
printf '%s\n' "${ports[@]}" | awk '{print NR" "$1}' >"$W/hosts.txt"
hyperfine -N --warmup 3 --runs 30 --export-markdown "$W/ssh.md" \
    -n "ssh ControlMaster (warm) true" "${SSH[*]} -S $W/ctl-1 -p $p1 127.0.0.1 true" \
    -n "ssh fresh connection true" "${SSH[*]} -o ControlMaster=no -o ControlPath=none -p $p1 127.0.0.1 true" \
    -n "qd exec (fresh process) true" "$QD --config $W/qd.toml exec --host h1 -- true" >/dev/null
hyperfine --warmup 2 --runs 10 --export-markdown "$W/fan.md" \
    -n "ControlMaster + xargs -P$N true" "xargs -P$N -n2 sh -c '${SSH[*]} -S $W/ctl-\$0 -p \$1 127.0.0.1 true' <$W/hosts.txt" \
    -n "ssh fresh + xargs -P$N true" "xargs -P$N -n2 sh -c '${SSH[*]} -o ControlMaster=no -o ControlPath=none -p \$1 127.0.0.1 true' <$W/hosts.txt" \
    -n "qd exec --all (fresh process, $N hosts)" "$QD --config $W/qd.toml exec --all -- true" >/dev/null
cat "$W/ssh.md" "$W/fan.md"
