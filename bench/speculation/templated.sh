#!/usr/bin/env bash
# A repeated templated workload (an agent or batch job sending the same template with different fields, and
# retries): REQUESTS sequential greedy completions against `strata serve`, once without speculation and once per
# method, back to back. Each server first gets WARMUP untimed requests unlike the template (so the JIT's tiered
# compilation reaches its optimised code before the clock starts). Prints output tokens per second of wall time for
# each server.
#   [WARMUP=3] bench/speculation/templated.sh MODEL [REQUESTS=24] [TOKENS=128] [THREADS=2] [PORT=8093]
set -euo pipefail
model=$1; requests=${2:-24}; tokens=${3:-128}; threads=${4:-2}; port=${5:-8093}
root=$(cd "$(dirname "$0")/../.." && pwd)
strata=${STRATA:-$root/src/Strata.Cli/bin/Release/net10.0/strata}
names=(Lily Tom Sue Ben Anna Max)
things=("red ball" "big kite" "toy car" "blue hat")
for spec in off suffix ngram off suffix ngram; do
    flags=(); [ "$spec" = off ] || flags=(--speculative "$spec")
    "$strata" serve -m "$model" --port "$port" -t "$threads" --kv-cache-memory 256MiB "${flags[@]}" >/dev/null 2>&1 &
    server=$!
    until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do sleep 0.5; done
    for _ in $(seq "${WARMUP:-3}"); do
        curl -sf "http://127.0.0.1:$port/v1/completions" -H 'Content-Type: application/json' \
            -d "{\"prompt\": \"The sun was hot and the bird sang in the tree.\", \"max_tokens\": $tokens, \"temperature\": 0}" >/dev/null
    done
    generated=0
    start=$(date +%s.%N)
    for i in $(seq 0 $((requests - 1))); do
        name=${names[$((i % ${#names[@]}))]}; thing=${things[$((i / ${#names[@]} % ${#things[@]}))]}
        prompt="Once upon a time, there was a little child named $name. $name had a $thing."
        body=$(printf '{"prompt": "%s", "max_tokens": %d, "temperature": 0}' "$prompt" "$tokens")
        count=$(curl -sf "http://127.0.0.1:$port/v1/completions" -H 'Content-Type: application/json' -d "$body" | grep -o '"completion_tokens": *[0-9]*' | grep -o '[0-9]*$')
        generated=$((generated + count))
    done
    end=$(date +%s.%N)
    accepted=$(curl -sf "http://127.0.0.1:$port/metrics" | grep -E '^strata_spec_(accepted|draft)_tokens_total' | awk '{print $2}' | paste -sd/ || true)
    kill "$server"; wait "$server" 2>/dev/null || true
    echo "$spec: $generated tokens in $(echo "$end - $start" | bc) s = $(echo "scale=1; $generated / ($end - $start)" | bc) tok/s (drafted/accepted ${accepted:--})"
done
