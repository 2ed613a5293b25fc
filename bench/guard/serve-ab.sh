#!/usr/bin/env bash
# The guard's cost while serving: two servers up at once on the same model, without (A) and with (B) the guard policy,
# `strata bench serve` against them in turn, ABBA order (A first in odd pairs), after one warm-up run each. Prints each
# run's output tok/s and the ratios B/A. Run it whole under `flock /work/bench.lock` on a quiet machine.
#   bench/guard/serve-ab.sh MODEL [PAIRS=8] [POLICY=bench/Strata.Benchmarks/guard-policy.json]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
model=$1; pairs=${2:-8}; policy=${3:-$root/bench/Strata.Benchmarks/guard-policy.json}
strata=${STRATA:-$root/src/Strata.Cli/bin/Release/net10.0/strata}
load="--num-prompts 16 --random-input-len 32 --random-output-len 128 --ignore-eos --max-concurrency 16 --temperature 0.8 --seed 3"
work=$(mktemp -d); pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
declare -A port
for arm in a b; do
    port[$arm]=$(free_port); extra=(); [ "$arm" = b ] && extra=(--guard "$policy")
    "$strata" serve -m "$model" --port "${port[$arm]}" --threads 2 "${extra[@]}" >"$work/serve-$arm.log" 2>&1 &
    pids+=($!)
done
for arm in a b; do
    until curl -sf "http://127.0.0.1:${port[$arm]}/health/ready" >/dev/null; do sleep 0.5; done
done
run() { "$strata" bench serve --url "http://127.0.0.1:${port[$1]}" $load | grep -i 'output token throughput' | grep -o '[0-9.]*' | head -1; }
run a >/dev/null; run b >/dev/null
ratios=()
for pair in $(seq "$pairs"); do
    if [ $((pair % 2)) = 1 ]; then a=$(run a); b=$(run b); else b=$(run b); a=$(run a); fi
    echo "pair $pair: off $a on $b tok/s"
    ratios+=("$(python3 -c "print(f'{$b/$a:.3f}')")")
done
echo "on/off: ${ratios[*]}"
