# common.sh - what the benchmark scripts share; sourced, never run.
# Needs scripts/common.sh sourced first.

BENCH_DIR=$SHOP_ROOT/tests/bench
WRK_THREADS=${BENCH_THREADS:-2}
export BENCH_DIR BENCH_THREADS=$WRK_THREADS

# Starts a private stack, production-like (no access log, warn logging), on a free port.
# nginx's per-address rate limits are off: wrk sends everything from one address.
bench_start_stack() {
    "$SHOP_ROOT/scripts/deps"
    "$SHOP_ROOT/scripts/build" >/dev/null
    export SHOP_VAR SHOP_PORT SHOP_LOG_LEVEL=warn SHOP_ACCESS_LOG=off SHOP_RATE_LIMIT=off
    SHOP_VAR=$(mktemp -d /tmp/fcgi-shop-bench.XXXXXX)
    SHOP_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    BASE="http://127.0.0.1:$SHOP_PORT"
    trap '"$SHOP_ROOT/scripts/stack" stop >/dev/null 2>&1 || true; rm -rf "$SHOP_VAR"' EXIT
    "$SHOP_ROOT/scripts/stack" start
    mkdir -p "$SHOP_VAR/bench"
}

bench_db() {
    mariadb --no-defaults --socket="$SHOP_VAR/run/mysql.sock" --user=root --batch --skip-column-names shop -e "$1"
}

bench_to_ms() { # wrk prints 812.00us, 1.20ms or 1.01s
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000
        printf "%.2f", n }'
}

# bench_wrk SECONDS CONNECTIONS PATH SCRIPT|- COOKIES: prints "rps p50_ms p99_ms non_2xx"
bench_wrk() {
    local script=() report
    [ "$4" = - ] || script=(-s "$BENCH_DIR/$4")
    report=$(cd "$BENCH_DIR" && BENCH_COOKIES=$5 wrk -t"$WRK_THREADS" -c"$2" -d"$1"s --latency \
        ${script[@]+"${script[@]}"} "$BASE$3")
    echo "$(awk '/^Requests\/sec:/ { print $2 }' <<<"$report")" \
        "$(bench_to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$report")")" \
        "$(bench_to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$report")")" \
        "$(awk '/Non-2xx or 3xx responses:/ { print $NF }' <<<"$report" | grep . || echo 0)"
}
