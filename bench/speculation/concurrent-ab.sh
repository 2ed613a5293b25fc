#!/usr/bin/env bash
# 32 concurrent random requests against `strata serve`, without speculation and with each method, in turn, REPETITIONS
# times (A/B back to back), each server after an untimed warm-up run of 32 requests. Prints output tok/s of each run
# as `strata bench serve` reports it.
#   [METHODS="ngram suffix"] bench/speculation/concurrent-ab.sh MODEL [PROMPTS=64] [TOKENS=96] [THREADS=2] [REPETITIONS=2]
set -euo pipefail
model=$1; prompts=${2:-64}; tokens=${3:-96}; threads=${4:-2}; repetitions=${5:-2}
root=$(cd "$(dirname "$0")/../.." && pwd)
strata=${STRATA:-$root/src/Strata.Cli/bin/Release/net10.0/strata}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for r in $(seq "$repetitions"); do
    for spec in off ${METHODS:-ngram suffix}; do
        flags=(); [ "$spec" = off ] || flags=(--speculative "$spec")
        "$strata" serve -m "$model" --port "$port" -t "$threads" "${flags[@]}" >/dev/null 2>&1 &
        server=$!
        until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do sleep 0.3; done
        # Untimed, so the JIT's tiered compilation reaches its optimised code first.
        "$strata" bench serve --url "http://127.0.0.1:$port" --num-prompts 32 --random-input-len 64 --random-output-len "$tokens" \
            --ignore-eos --max-concurrency 32 --seed 2 >/dev/null 2>&1
        rate=$("$strata" bench serve --url "http://127.0.0.1:$port" --num-prompts "$prompts" --random-input-len 64 \
            --random-output-len "$tokens" --ignore-eos --max-concurrency 32 --seed 1 2>&1 | grep -i 'output token throughput' | grep -o '[0-9.]*' | head -1)
        kill "$server"; wait "$server" 2>/dev/null || true
        echo "rep $r $spec ${rate:-failed} output tok/s"
    done
done
