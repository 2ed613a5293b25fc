#!/usr/bin/env bash
# Issue 14's figures on one model: the rate the server sustains, then tier scheduling with early rejection against
# first come, first served on the same arrivals at twice that rate (tiers 20/50/30), then a noisy neighbour (two
# tenants of one tier, one sending five times more). Run each stage under the shared benchmark lock:
#   flock /work/bench.lock bench/slo/run.sh MODEL figures        # sustain, then tiers at twice the rate it measured
#   flock /work/bench.lock bench/slo/run.sh MODEL tenants        # at twice the rate the last sustain stage measured
# or each stage alone: sustain, tiers [RATE], tenants [RATE] (RATE in req/s, default twice the last sustained rate).
# Environment: REQUESTS (tier run, default 300), OUT (results directory, default /tmp/strata-slo), STRATA (binary).
set -euo pipefail
model=$1; stage=$2; rate=${3:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
strata=${STRATA:-$root/src/Strata.Cli/bin/Release/net10.0/strata}
out=${OUT:-/tmp/strata-slo}; mkdir -p "$out"
requests=${REQUESTS:-240}
slo=(--slo priority:ttft=5s,tpot=2s --slo default:ttft=20s,tpot=4s --slo flex:ttft=60s,tpot=8s)
shape=(--random-input-len 64 --random-output-len 16 --ignore-eos)
server=""

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_server() { # name, serve options...
    local name=$1; shift
    port=$(free_port)
    "$strata" serve -m "$model" --port "$port" --kv-cache-memory 1GiB --max-num-seqs 16 --max-num-batched-tokens 128 "${slo[@]}" "$@" >"$out/$name.server.log" 2>&1 &
    server=$!
    until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
        kill -0 "$server" 2>/dev/null || { echo "server failed, see $out/$name.server.log" >&2; exit 1; }
        sleep 0.5
    done
}

stop_server() { # name: keeps the server's metrics, then stops it
    curl -sf "http://127.0.0.1:$port/metrics" >"$out/$1.metrics" || true
    kill "$server"; wait "$server" 2>/dev/null || true; server=""
}
trap '[ -z "$server" ] || kill "$server" 2>/dev/null' EXIT

# The median of a Prometheus histogram, interpolated within its bucket.
histogram_p50() { # metrics file, histogram name
    awk -v name="$2" '
        $1 ~ "^"name"_bucket" { match($1, /le="[^"]*"/); le = substr($1, RSTART + 4, RLENGTH - 5); n++; les[n] = le; counts[n] = $2 }
        END {
            total = counts[n]; if (total == 0) { print "n/a"; exit }
            half = total / 2; lower = 0; below = 0
            for (i = 1; i <= n; i++) {
                if (counts[i] >= half) {
                    if (les[i] == "+Inf") { printf "> %s (n=%d)\n", lower, total; exit }
                    printf "%.3f (bucket %s–%s, n=%d)\n", lower + (les[i] - lower) * (half - below) / (counts[i] - below), lower, les[i], total; exit
                }
                lower = les[i]; below = counts[i]
            }
        }' "$1"
}

echo "load: $(uptime)"
if [ "$stage" = figures ]; then
    "$0" "$model" sustain
    exec "$0" "$model" tiers
fi
# By default twice the rate the last sustain stage measured.
[ -n "$rate" ] || [ "$stage" = sustain ] || rate=$(python3 -c "print(round(2 * $(grep -o 'Request throughput (req/s): *[0-9.]*' "$out/sustain.txt" | grep -o '[0-9.]*$'), 2))")
case $stage in
sustain)
    start_server sustain --scheduling fcfs
    "$strata" bench serve --url "http://127.0.0.1:$port" --num-prompts 96 --request-rate inf "${shape[@]}" --seed 1 | tee "$out/sustain.txt" \
        | grep -E "Request throughput|Benchmark duration|P50 TTFT|P50 TPOT"
    stop_server sustain
    ;;
tiers)
    for mode in tier fcfs; do
        if [ "$mode" = tier ]; then flags=(--early-rejection); else flags=(--scheduling fcfs); fi
        start_server "$mode" "${flags[@]}"
        "$strata" bench serve --url "http://127.0.0.1:$port" --num-prompts "$requests" --request-rate "$rate" "${shape[@]}" --seed 1 \
            --tier-mix priority=0.2,default=0.5,flex=0.3 "${slo[@]}" --json "$out/$mode.json" >"$out/$mode.txt"
        stop_server "$mode"
        echo "== $mode (rate $rate req/s, $requests requests)"
        sed -n '/Tier priority/,$p' "$out/$mode.txt"
        echo "predicted TTFT, |relative error| p50: $(histogram_p50 "$out/$mode.metrics" strata_predicted_ttft_relative_error)"
    done
    echo "load: $(uptime)"
    ;;
tenants)
    printf '[{"api_key":"key-noisy","name":"noisy","default_tier":"default"},{"api_key":"key-quiet","name":"quiet","default_tier":"default"}]' >"$out/tenants.json"
    start_server tenants --tenants "$out/tenants.json" --early-rejection
    quiet=$(python3 -c "print($rate / 6)"); noisy=$(python3 -c "print($rate * 5 / 6)")
    "$strata" bench serve --url "http://127.0.0.1:$port" --api-key key-noisy --num-prompts "$((requests * 5 / 6))" --request-rate "$noisy" "${shape[@]}" --seed 1 \
        "${slo[@]}" --json "$out/noisy.json" >"$out/noisy.txt" &
    noisy_client=$!
    "$strata" bench serve --url "http://127.0.0.1:$port" --api-key key-quiet --num-prompts "$((requests / 6))" --request-rate "$quiet" "${shape[@]}" \
        "${slo[@]}" --seed 2 --json "$out/quiet.json" >"$out/quiet.txt"
    wait "$noisy_client" || true
    stop_server tenants
    for t in noisy quiet; do echo "== $t"; grep -E "Successful|Failed|Benchmark duration|Request throughput|P50 TTFT|P99 TTFT" "$out/$t.txt"; done
    echo "load: $(uptime)"
    ;;
*) echo "stage must be sustain, tiers or tenants" >&2; exit 2 ;;
esac
