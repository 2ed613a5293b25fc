#!/usr/bin/env bash
# The cost of telemetry with both arms up at once: an off server (OTEL_SDK_DISABLED=true) and an on server (every
# request traced, exported with metrics and logs over OTLP/HTTP to otlp-sink.py, /metrics scraped every 5 s) on the
# same model; `strata bench serve` against them in turn, ABBA order, after one warm-up run each. Unlike
# overhead-ab.sh (a fresh server per run), start-up and JIT drop out of the comparison. Run it whole under
# `flock /work/bench.lock` on a quiet machine.
#   bench/telemetry/overhead-pairs.sh MODEL [PAIRS=8]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
model=$1; pairs=${2:-8}
strata=${STRATA:-$root/src/Strata.Cli/bin/Release/net10.0/strata}
load="--num-prompts 16 --random-input-len 32 --random-output-len 128 --ignore-eos --max-concurrency 16 --temperature 0.8 --seed 3"
work=$(mktemp -d); pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
sink=$(free_port)
python3 "$here/otlp-sink.py" "$sink" >"$work/sink.log" 2>&1 & pids+=($!)
declare -A port
port[off]=$(free_port); port[on]=$(free_port)
env OTEL_SDK_DISABLED=true "$strata" serve -m "$model" --port "${port[off]}" --threads 2 >"$work/off.log" 2>&1 & pids+=($!)
env OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
    OTEL_TRACES_SAMPLER=always_on OTEL_METRIC_EXPORT_INTERVAL=5000 OTEL_BSP_SCHEDULE_DELAY=1000 \
    "$strata" serve -m "$model" --port "${port[on]}" --threads 2 >"$work/on.log" 2>&1 & pids+=($!)
for arm in off on; do
    until curl -sf "http://127.0.0.1:${port[$arm]}/health/ready" >/dev/null; do sleep 0.5; done
done
( while sleep 5; do curl -s "http://127.0.0.1:${port[on]}/metrics" >/dev/null || true; done ) & pids+=($!)
run() { "$strata" bench serve --url "http://127.0.0.1:${port[$1]}" $load 2>/dev/null | grep -i 'output token throughput' | grep -o '[0-9.]*' | head -1; }
run off >/dev/null; run on >/dev/null
ratios=()
for pair in $(seq "$pairs"); do
    if [ $((pair % 2)) = 1 ]; then off=$(run off); on=$(run on); else on=$(run on); off=$(run off); fi
    echo "pair $pair: off $off on $on tok/s"
    ratios+=("$(python3 -c "print(f'{$on/$off:.3f}')")")
done
echo "on/off: ${ratios[*]}"
