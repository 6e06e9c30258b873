#!/usr/bin/env bash
# A demo of what qd is for, on this machine, touching nothing outside one temp dir.
#
# It starts, all under one private directory (mktemp -d):
#   - a private `systemd --user` (its own runtime dir, config dir and socket-activated
#     session bus: the recipe of tests/support/systemd.rs) running two sites:
#       shop: api (an HTTP server on a loopback port, health check passing, an env
#             file, custom commands `migrate` (requires_stop) and `seed` (dangerous))
#             and worker (a job loop with two child processes, a metrics port and a
#             socket health check);
#       blog: web (an HTTP server whose health check fails) and mailer (a unit that
#             exits 1, so it shows failed);
#   - three OpenSSH servers on 127.0.0.1 (web1 and web2 tagged web, web1 also prod;
#     db1), each with its own host key, accepting one client key made here, with a
#     known_hosts file naming them (host keys are checked strictly);
#   - qd's config for all of it ($DIR/qd.toml, checked with `qd config check`), and
#     qd itself on it in this terminal (on the sites view), its state, log and audit
#     inside the directory.
# Each site has a Linux user: as root Debian's stock www-data (shop) and nobody (blog),
# as anyone else both are you. When qd exits (or the script is interrupted), every
# process is stopped by its own pid and the directory is deleted; nothing is written
# to ~, ~/.config, ~/.ssh or /etc. (One exception, as for any ssh login: sshd records
# a shell pane's login in the system's wtmp and lastlog.)
#
# Needs what scripts/test.sh installs: systemd, dbus-user-session, openssh-server,
# python3 (tmux for --tmux). As root it also creates /run/systemd/system and /run/sshd
# when missing (empty marker dirs that systemd --user and Debian's sshd want; as a
# normal user they must exist already, as they do on a systemd machine with sshd) and
# gives the manager cgroups of its own. A normal user's manager needs a cgroup subtree
# delegated to them: run `systemd-run --user --scope -p Delegate=yes scripts/demo.sh`
# from a login session (the script says so when the manager cannot start).
#
# Usage: scripts/demo.sh            build qd (release) and open it on the demo
#        scripts/demo.sh --check    start everything, run headless qd commands against
#                                   it, print them, exit 1 if something is missing
#        scripts/demo.sh --tmux S   run qd in a detached tmux session on socket S
#                                   (tmux -L S), wait until it exits (scripts/screenshots.sh)
# QD=PATH uses that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=run sock="" orig_args="$*"
while (($#)); do
    case $1 in
    --check) mode=check ;;
    --tmux) mode=tmux sock=${2:?--tmux needs a socket name}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

SYSTEMD=/lib/systemd/systemd SSHD=/usr/sbin/sshd PY=/usr/bin/python3
missing=()
[ -x $SYSTEMD ] && command -v systemctl >/dev/null || missing+=(systemd)
[ -e /usr/lib/systemd/user/dbus.socket ] || missing+=(dbus-user-session)
[ -x $SSHD ] && command -v ssh-keygen >/dev/null || missing+=(openssh-server)
[ -x $PY ] || missing+=(python3)
[ "$mode" != tmux ] || command -v tmux >/dev/null || missing+=(tmux)
if ((${#missing[@]})); then
    echo "demo.sh: missing ${missing[*]} (scripts/test.sh installs them)" >&2
    exit 3
fi

if [ -z "${QD:-}" ]; then
    cargo build --release --locked -q --bin qd
    QD=${CARGO_TARGET_DIR:-$PWD/target}/release/qd
fi
QD=$(realpath "$QD")
ME=$(id -un)
# Each site has a Linux user: its processes count as the site's, its commands run as it.
# As root the sites get Debian's stock www-data (shop) and nobody (blog), so root's
# own processes are nobody's site; as a normal user both sites are you (the only user
# you can run commands as).
if [ "$(id -u)" = 0 ] && id www-data >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
    SHOP_USER=www-data BLOG_USER=nobody
else
    SHOP_USER=$ME BLOG_USER=$ME
fi

D=$(mktemp -d -t qd-demo.XXXXXX)
RT=$D/run # the manager's XDG_RUNTIME_DIR
echo "demo: dir $D"
sshd_pids=() sd_pid="" cgroups=() cleaned=""
cleanup() {
    [ -n "$cleaned" ] && return
    cleaned=1
    local p c g
    for p in "${sshd_pids[@]}"; do
        # A session's process is a child of the listener: stop them first, by pid.
        for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do kill "$c" 2>/dev/null || true; done
        kill "$p" 2>/dev/null || true
    done
    if [ -n "$sd_pid" ]; then
        # TERM makes the manager stop its units and its bus, then exit.
        kill "$sd_pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$sd_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$sd_pid" 2>/dev/null || true
    fi
    wait 2>/dev/null || true
    # The kernel removes a cgroup only once it is empty, deepest first.
    for g in "${cgroups[@]}"; do find "$g" -depth -type d -exec rmdir {} + 2>/dev/null || true; done
    rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

mkdir -p "$RT" "$D"/{systemd/systemd/user,log,home,ssh,qd/config,qd/state,qd/data,audit}
mkdir -p "$D"/sites/{shop/api,shop/worker,shop/bin,blog/web,blog/bin}
chmod 700 "$RT"
# The site users reach their programs and working dirs (the config stays trusted:
# root's, not writable by others).
chmod 711 "$D"
# Distinct free loopback ports, held together while chosen.
read -r P_API P_WORKER P_BLOG P_WEB1 P_WEB2 P_DB1 < <($PY -c '
import socket
s = [socket.socket() for _ in range(6)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')

# --- the sites' programs -------------------------------------------------------------
printf '<h1>shop</h1>\n' >"$D/sites/shop/api/index.html"
printf '<h1>blog</h1>\n' >"$D/sites/blog/web/index.html"
cat >"$D/sites/shop/api/.env" <<EOF
# shop/api settings (e in the services view edits this file)
DATABASE_URL=postgres://shop@127.0.0.1:5432/shop
SECRET_KEY=demo-only-not-a-secret
WORKERS=2
EOF
cat >"$D/sites/shop/bin/worker.py" <<'EOF'
# The shop's job worker: a metrics port, a control socket (its health check), two
# consumer processes, a job every two seconds on stdout.
import os, socket, sys, time
m = socket.socket(); m.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
m.bind(("127.0.0.1", int(sys.argv[1]))); m.listen()
path = sys.argv[2]
if os.path.exists(path): os.unlink(path)
u = socket.socket(socket.AF_UNIX); u.bind(path); u.listen()
# Two consumer processes under the worker (the process tree shows them).
for c in (1, 2):
    if os.fork() == 0:
        while True:
            time.sleep(3600)
n = 0
while True:
    n += 1
    print(f"job {n}: sent order confirmation #{1000 + n}", flush=True)
    time.sleep(2)
EOF
cat >"$D/sites/shop/bin/migrate.py" <<'EOF'
import time
for m in ["0001_initial", "0002_orders", "0003_order_index", "0004_refunds"]:
    print(f"applying {m} ...", flush=True); time.sleep(0.4); print(f"applying {m} ... ok", flush=True)
print("4 migrations applied")
EOF
cat >"$D/sites/shop/bin/seed.py" <<'EOF'
import time
for t in ["products", "customers", "orders"]:
    print(f"truncating {t}; inserting 100 rows", flush=True); time.sleep(0.3)
print("seeded")
EOF
cat >"$D/sites/blog/bin/mailer.sh" <<'EOF'
echo "mailer: connecting to smtp relay 127.0.0.1:2525"
echo "mailer: connection refused" >&2
exit 1
EOF
chmod -R a+rX "$D/sites" # whatever the umask: the site users read them

# --- the units -----------------------------------------------------------------------
U=$D/systemd/systemd/user
unit() { # name, description, exec, log file, extra lines
    printf '[Unit]\nDescription=%s\nStartLimitIntervalSec=0\n[Service]\nExecStart=%s\nStandardOutput=append:%s\nStandardError=inherit\n%b' \
        "$2" "$3" "$4" "${5:-}" >"$U/$1"
}
unit qd-shop-api.service "shop: API" "$PY -m http.server --bind 127.0.0.1 --directory $D/sites/shop/api $P_API" \
    "$D/log/shop-api.log" "WorkingDirectory=$D/sites/shop/api\nEnvironmentFile=$D/sites/shop/api/.env\nEnvironment=PYTHONUNBUFFERED=1\nRestart=always\n"
unit qd-shop-worker.service "shop: job worker" "$PY $D/sites/shop/bin/worker.py $P_WORKER $D/sites/shop/worker/control.sock" \
    "$D/log/shop-worker.log" "WorkingDirectory=$D/sites/shop/worker\nRestart=always\n"
unit qd-blog-web.service "blog: web" "$PY -m http.server --bind 127.0.0.1 --directory $D/sites/blog/web $P_BLOG" \
    "$D/log/blog-web.log" "Environment=PYTHONUNBUFFERED=1\nRestart=always\n"
unit qd-blog-mailer.service "blog: mail queue" "/bin/sh $D/sites/blog/bin/mailer.sh" "$D/log/blog-mailer.log"

# --- the private systemd --user --------------------------------------------------------
# systemd believes it was booted only when this exists (root only; present on any
# machine booted with systemd).
[ -d /run/systemd/system ] || mkdir -p /run/systemd/system 2>/dev/null || {
    echo "demo.sh: /run/systemd/system is missing and only root can create it" >&2; exit 3; }
# A cgroup of its own in every hierarchy (root only): managers started in one shared
# cgroup (a container's root) put their units at the same paths and stop each other's bus.
if [ -e /sys/fs/cgroup/cgroup.procs ]; then hier=(/sys/fs/cgroup); else hier=(/sys/fs/cgroup/*); fi
for h in "${hier[@]}"; do
    [ -e "$h/cgroup.procs" ] && mkdir "$h/qd-demo-${D##*.}" 2>/dev/null && cgroups+=("$h/qd-demo-${D##*.}")
done
join=""
for g in "${cgroups[@]}"; do join+="echo 0 2>/dev/null > '$g/cgroup.procs'; "; done
env -u DBUS_SESSION_BUS_ADDRESS XDG_RUNTIME_DIR="$RT" XDG_CONFIG_HOME="$D/systemd" \
    XDG_DATA_HOME="$D/systemd/data" XDG_STATE_HOME="$D/systemd/state" XDG_CACHE_HOME="$D/systemd/cache" \
    HOME="$D/home" /bin/sh -c "${join}exec $SYSTEMD --user" </dev/null >"$D/log/systemd.log" 2>&1 &
sd_pid=$!
export XDG_RUNTIME_DIR=$RT DBUS_SESSION_BUS_ADDRESS=unix:path=$RT/bus
for _ in $(seq 200); do
    [ -S "$RT/bus" ] && [ -S "$RT/systemd/private" ] && break
    kill -0 "$sd_pid" 2>/dev/null || break
    sleep 0.1
done
if ! [ -S "$RT/bus" ]; then
    echo "demo.sh: systemd --user did not come up (it logs to the console, not here)." >&2
    if [ "$(id -u)" != 0 ]; then
        # It must move itself into a cgroup of its own, which a normal user may do only
        # in a subtree delegated to them: a scope of their own user manager.
        echo "demo.sh: as a normal user it needs a cgroup you may write; on a machine with a" >&2
        echo "  login session run: systemd-run --user --scope -p Delegate=yes $0 $orig_args" >&2
    fi
    exit 1
fi
sc() { systemctl --user "$@"; }
sc start qd-shop-api.service qd-shop-worker.service qd-blog-web.service
sc start --no-block qd-blog-mailer.service

# --- three sshd hosts ----------------------------------------------------------------
[ -d /run/sshd ] || mkdir -p /run/sshd 2>/dev/null || true # Debian's sshd wants it (root)
ssh-keygen -q -t ed25519 -N "" -C qd-demo -f "$D/ssh/client_ed25519"
cp "$D/ssh/client_ed25519.pub" "$D/ssh/authorized_keys"
: >"$D/ssh/known_hosts"
hosts_toml=""
for h in "web1 $P_WEB1 web,prod" "web2 $P_WEB2 web" "db1 $P_DB1 db"; do
    read -r name port tags <<<"$h"
    ssh-keygen -q -t ed25519 -N "" -C "$name" -f "$D/ssh/$name-host"
    cat >"$D/ssh/$name.conf" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $D/ssh/$name-host
PidFile $D/ssh/$name.pid
AuthorizedKeysFile $D/ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin yes
PrintMotd no
PrintLastLog no
MaxSessions 64
# What a command on the host can tell it by: qd exec --all -- 'echo \$DEMO_HOST'.
SetEnv DEMO_HOST=$name
EOF
    $SSHD -D -f "$D/ssh/$name.conf" -E "$D/ssh/$name.log" </dev/null &
    sshd_pids+=($!)
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$D/ssh/$name-host.pub")" >>"$D/ssh/known_hosts"
    tag_list=$(sed 's/[^,]*/"&"/g; s/,/, /g' <<<"$tags")
    hosts_toml+="
[[host]]
name = \"$name\"
address = \"127.0.0.1\"
port = $port
user = \"$ME\"
tags = [$tag_list]
"
done

# --- qd's config -----------------------------------------------------------------------
# [audit] and [policy] count only in a root-owned file: as root this one is (mktemp's
# directory is yours and 0700); as a normal user the audit log goes to XDG_DATA_HOME,
# also inside the directory, and there is no policy (you act with your own rights).
root_only=""
if [ "$(id -u)" = 0 ]; then
    root_only="[audit]
dir = \"$D/audit\"

[[policy.operator]]
user = \"$ME\"
role = \"admin\"
"
fi
cat >"$D/qd.toml" <<EOF
# Written by scripts/demo.sh: two sites on a private systemd --user, three loopback hosts.
[general]
refresh_ms = 1000

[systemd]
bus = "user"
# Used only under sudo (root never takes the bus from the environment there).
bus_address = "unix:path=$RT/bus"
unit_dir = "$U"

$root_only
[[site]]
name = "shop"
user = "$SHOP_USER"

[[site.service]]
name = "api"
port = $P_API
working_dir = "$D/sites/shop/api"
exec_start = ["$PY", "-m", "http.server", "--bind", "127.0.0.1", "$P_API"]
env_file = "$D/sites/shop/api/.env"
log_file = "$D/log/shop-api.log"
health = { http = "http://127.0.0.1:$P_API/", interval = "5s", timeout = "2s", wait = "15s" }

[[site.service.command]]
name = "migrate"
display_name = "Migrate the database"
run = ["$PY", "$D/sites/shop/bin/migrate.py"]
timeout = "1m"
requires_stop = true

[[site.service.command]]
name = "seed"
display_name = "Seed demo data (wipes the tables)"
run = ["$PY", "$D/sites/shop/bin/seed.py"]
timeout = "1m"
dangerous = true

[[site.service]]
name = "worker"
port = $P_WORKER
working_dir = "$D/sites/shop/worker"
exec_start = ["$PY", "$D/sites/shop/bin/worker.py", "$P_WORKER", "$D/sites/shop/worker/control.sock"]
log_file = "$D/log/shop-worker.log"
health = { command = ["/usr/bin/test", "-S", "$D/sites/shop/worker/control.sock"], interval = "5s" }

[[site]]
name = "blog"
user = "$BLOG_USER"

[[site.service]]
name = "web"
port = $P_BLOG
working_dir = "$D/sites/blog/web"
log_file = "$D/log/blog-web.log"
# The blog has no /health page: this check fails, as a broken deploy would.
health = { http = "http://127.0.0.1:$P_BLOG/health", interval = "5s", timeout = "2s" }

[[site.service]]
name = "mailer"
log_file = "$D/log/blog-mailer.log"

[ssh]
host_key_checking = "strict"
ssh_config = false
known_hosts = ["$D/ssh/known_hosts"]
identity_files = ["$D/ssh/client_ed25519"]
$hosts_toml
EOF

# qd sees only the demo: its config, state, log, audit and HOME (~/.ssh) are in $D;
# $D/bin/qd is qd on the demo, for another terminal too.
mkdir -p "$D/bin"
cat >"$D/bin/qd" <<EOF
#!/bin/sh
exec env -u SUDO_USER -u SUDO_UID -u SUDO_GID -u SSH_AUTH_SOCK HOME="$D/home" \\
    XDG_RUNTIME_DIR="$RT" DBUS_SESSION_BUS_ADDRESS="unix:path=$RT/bus" \\
    XDG_CONFIG_HOME="$D/qd/config" XDG_STATE_HOME="$D/qd/state" XDG_DATA_HOME="$D/qd/data" \\
    XDG_CACHE_HOME="$D/qd/cache" "$QD" --config "$D/qd.toml" "\$@"
EOF
chmod +x "$D/bin/qd"
qd() { "$D/bin/qd" "$@"; }
if ! out=$(qd config check "$D/qd.toml" 2>&1) || grep -qi "warn\|ignored" <<<"$out"; then
    echo "demo.sh: the config is not clean:" >&2; echo "$out" >&2; exit 1
fi
for p in $P_WEB1 $P_WEB2 $P_DB1; do
    for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.05; done
done

case $mode in
run)
    echo "demo: sites shop and blog on a private systemd --user, hosts web1 web2 db1."
    echo "demo: qd opens on the sites: Tab goes on to processes, ports, services; :hosts for"
    echo "      the fleet, ? for the keys; q quits qd and stops it all."
    echo "demo: headless from another terminal: $D/bin/qd snapshot services"
    sleep 2
    qd --screen sites
    ;;
tmux)
    # The caller drives the session and quits qd; this shell waits, then cleans up.
    tmux -L "$sock" -f /dev/null new-session -d -x "${DEMO_COLS:-140}" -y "${DEMO_ROWS:-40}" \
        "exec env TERM=xterm-256color $D/bin/qd --screen sites"
    echo "demo: qd runs in tmux -L $sock"
    while tmux -L "$sock" has-session 2>/dev/null; do sleep 0.2; done
    ;;
check)
    # The mailer fails at once; wait for systemd to say so.
    for _ in $(seq 50); do [ "$(sc is-failed qd-blog-mailer.service || true)" = failed ] && break; sleep 0.1; done
    fail=0
    show() { # qd args...: print the output, fail on a non-zero exit
        echo "== qd $*"
        local rc=0
        qd "$@" || rc=$?
        [ $rc = 0 ] || { echo "demo.sh --check: qd $* exited $rc" >&2; fail=1; }
        echo
    }
    show site list
    show snapshot services --json
    show hosts --json
    show service status shop
    # What a newcomer must see, in qd's own words.
    services=$(qd snapshot services --json)
    for want in shop/api:active shop/worker:active blog/web:active blog/mailer:failed; do
        got=$($PY -c 'import json,sys
w = sys.argv[1].split(":")[0].split("/")
for s in json.load(sys.stdin)["services"]:
    if [s["site"], s["service"]] == w: print(s["active_state"])' "$want" <<<"$services")
        [ "$got" = "${want#*:}" ] || { echo "demo.sh --check: ${want%:*} is '$got', not ${want#*:}" >&2; fail=1; }
    done
    echo "== qd exec --all -- echo answered"
    answers=$(qd exec --all -- echo answered 2>&1) || fail=1
    echo "$answers"
    n=$(grep -c ': answered$' <<<"$answers" || true)
    [ "$n" = 3 ] || { echo "demo.sh --check: $n of 3 hosts answered" >&2; fail=1; }
    [ $fail = 0 ] && echo "demo.sh --check: ok"
    exit $fail
    ;;
esac
