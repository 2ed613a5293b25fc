#!/usr/bin/env bash
# The cost of telemetry with both arms up at once (bench/serve-pairs.sh): off = OTEL_SDK_DISABLED=true; on = every
# request traced, exported with metrics and logs over OTLP/HTTP to otlp-sink.py, /metrics scraped every 5 s. Unlike
# overhead-ab.sh (a fresh server per run), start-up and JIT drop out of the comparison. Run it whole under
# `flock /work/bench.lock` on a quiet machine.
#   bench/telemetry/overhead-pairs.sh MODEL [PAIRS=8]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
sink=$(free_port); on=$(free_port); pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
python3 "$here/otlp-sink.py" "$sink" >/dev/null 2>&1 & pids+=($!)
( while sleep 5; do curl -s "http://127.0.0.1:$on/metrics" >/dev/null || true; done ) & pids+=($!)
OFF_ENV="OTEL_SDK_DISABLED=true" ON_PORT=$on \
ON_ENV="OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$sink OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_TRACES_SAMPLER=always_on OTEL_METRIC_EXPORT_INTERVAL=5000 OTEL_BSP_SCHEDULE_DELAY=1000" \
    "$root/bench/serve-pairs.sh" "$1" "${2:-8}"
