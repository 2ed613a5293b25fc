#!/usr/bin/env bash
# The cost of telemetry: `strata bench serve` output throughput with tracing and metrics on against off, A/B pairs
# back to back, a fresh server per run (off and on alternate, off first).
#   off: OTEL_SDK_DISABLED=true (no meter provider, no tracer provider).
#   on:  every request traced (the always-on sampler) and exported with the metrics and logs over OTLP/HTTP to a local
#        receiver (otlp-sink.py, which answers 200 and drops the data) every 5 s, and /metrics scraped every 5 s.
#   bench/telemetry/overhead-ab.sh [MODEL=/work/models/synth-1b-q4_0.gguf] [PAIRS=4]
# Prints one line per run (pair, arm, output tok/s) and per pair the ratio on/off; run the whole script under one
# `flock /work/bench.lock` so the pairs are back to back.
set -euo pipefail
model=${1:-/work/models/synth-1b-q4_0.gguf}; pairs=${2:-4}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
strata=${STRATA:-$root/src/Strata.Cli/bin/Release/net10.0/strata}
work=$(mktemp -d)
server_pid=; sink_pid=; scraper_pid=
cleanup() {
    for pid in $scraper_pid $server_pid $sink_pid; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

sink_port=$(free_port)
python3 "$here/otlp-sink.py" "$sink_port" &  # prints the bytes it received when stopped
sink_pid=$!

# Starts a server in the background (its pid in server_pid) and waits until /health/ready says ready.
start_server() {
    local arm=$1 port
    port=$(free_port)
    if [ "$arm" = on ]; then
        env OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink_port" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
            OTEL_TRACES_SAMPLER=always_on OTEL_METRIC_EXPORT_INTERVAL=5000 OTEL_BSP_SCHEDULE_DELAY=1000 \
            "$strata" serve -m "$model" --port "$port" --log-level warning 2>"$work/serve-$arm.log" &
    else
        env OTEL_SDK_DISABLED=true "$strata" serve -m "$model" --port "$port" --log-level warning 2>"$work/serve-$arm.log" &
    fi
    server_pid=$!
    url="http://127.0.0.1:$port"
    for _ in $(seq 600); do
        curl -sf "$url/health/ready" >/dev/null 2>&1 && return
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve-$arm.log" >&2; exit 1; }
        sleep 0.2
    done
    echo "error: the server did not become ready" >&2; exit 1
}

stop_server() {
    [ -n "$scraper_pid" ] && { kill "$scraper_pid" 2>/dev/null || true; wait "$scraper_pid" 2>/dev/null || true; scraper_pid=; }
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}

bench() {
    "$strata" bench serve --url "$url" --num-prompts "$1" --random-input-len 64 --random-output-len "$2" --ignore-eos \
        --max-concurrency 8 --seed 1 --json "$3" >/dev/null 2>&1
}

for pair in $(seq "$pairs"); do
    for arm in off on; do
        start_server "$arm"
        bench 8 16 "$work/warmup.json"  # JIT and first-touch of the weights, alike for both arms
        if [ "$arm" = on ]; then
            ( while sleep 5; do curl -sf "$url/metrics" >/dev/null || true; done ) &
            scraper_pid=$!
        fi
        bench 32 64 "$work/$arm-$pair.json"
        stop_server
        rate=$(python3 -c 'import json, sys; print("%.2f" % json.load(open(sys.argv[1]))["output_throughput"])' "$work/$arm-$pair.json")
        printf 'pair %d %-3s %s tok/s\n' "$pair" "$arm" "$rate"
        eval "rate_$arm=$rate"
    done
    python3 -c 'import sys; print("pair %s on/off %.4f" % (sys.argv[1], float(sys.argv[3]) / float(sys.argv[2])))' "$pair" "$rate_off" "$rate_on"
done
kill "$sink_pid"; wait "$sink_pid" 2>/dev/null || true; sink_pid=
