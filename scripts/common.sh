# common.sh - helpers the scripts share; sourced, never run.
#
# Paths: SHOP_ROOT is the checkout, SHOP_BUILD the build tree (default build/),
# SHOP_VAR a stack's state folder (default var/), SHOP_PORT its HTTP port.

SHOP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHOP_BUILD_SET=${SHOP_BUILD:+1}
SHOP_BUILD=${SHOP_BUILD:-$SHOP_ROOT/build}
SHOP_VAR=${SHOP_VAR:-$SHOP_ROOT/var}
SHOP_PORT=${SHOP_PORT:-8080}

# Every API resource has one responder program, fcgi-apps/shop-<name>.
SHOP_RESPONDERS="products search health cart orders events recommendations metrics account"

say() { printf '%s\n' "$*" >&2; }
die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# wait_for SECONDS COMMAND...: retries COMMAND every 0.1 s until it succeeds.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# conf_get FILE KEY: the value of KEY in a shop.conf-style file.
conf_get() {
    awk -F= -v key="$2" '$0 !~ /^[[:space:]]*#/ {
        k = $1; gsub(/[[:space:]]/, "", k)
        if (k == key) { v = substr($0, index($0, "=") + 1); gsub(/^[[:space:]]+|[[:space:]]+$/, "", v); value = v }
    } END { print value }' "$1"
}

# proc_alive PID: the process runs. An exited child nobody has reaped yet (a
# zombie: PID 1 in a container may never reap) counts as gone.
proc_alive() {
    local state
    state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

# pid_alive FILE: the process named in the pid file is running.
pid_alive() {
    [ -s "$1" ] && proc_alive "$(cat "$1")"
}

# stop_pid FILE [SECONDS]: TERM the process, KILL it after SECONDS (default 10).
stop_pid() {
    local file=$1 grace=${2:-10} pid
    pid_alive "$file" || { rm -f "$file"; return 0; }
    pid=$(cat "$file")
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_for "$grace" eval "! proc_alive $pid"; then
        say "process $pid ($(basename "$file" .pid)) ignored TERM for ${grace}s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
}
