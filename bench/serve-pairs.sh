#!/usr/bin/env bash
# A/B pairs of `strata serve` on one model with both servers up at once, so start-up and JIT drop out and both arms
# see the same machine: `strata bench serve` against them in turn, ABBA order (off first in odd pairs), after one
# warm-up run each. Prints each pair's output tok/s and the ratios on/off. Run it whole under
# `flock /work/bench.lock` on a quiet machine.
#   [OFF_ENV="K=V …"] [ON_ENV="K=V …"] [OFF_ARGS="…"] [ON_ARGS="…"] [ON_PORT=N] [LOAD="bench serve flags"] \
#       bench/serve-pairs.sh MODEL [PAIRS=8]
# (the _ENV and _ARGS values are split on spaces.) bench/guard/serve-ab.sh and
# bench/telemetry/overhead-pairs.sh are its two uses.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
model=$1; pairs=${2:-8}
strata=${STRATA:-$root/src/Strata.Cli/bin/Release/net10.0/strata}
load=${LOAD:---num-prompts 16 --random-input-len 32 --random-output-len 128 --ignore-eos --max-concurrency 16 --temperature 0.8 --seed 3}
work=$(mktemp -d); pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
declare -A port
port[off]=$(free_port); port[on]=${ON_PORT:-$(free_port)}
# shellcheck disable=SC2086
env ${OFF_ENV:-} "$strata" serve -m "$model" --port "${port[off]}" --threads 2 ${OFF_ARGS:-} >"$work/off.log" 2>&1 & pids+=($!)
# shellcheck disable=SC2086
env ${ON_ENV:-} "$strata" serve -m "$model" --port "${port[on]}" --threads 2 ${ON_ARGS:-} >"$work/on.log" 2>&1 & pids+=($!)
for arm in off on; do
    until curl -sf "http://127.0.0.1:${port[$arm]}/health/ready" >/dev/null; do sleep 0.5; done
done
# shellcheck disable=SC2086
run() { "$strata" bench serve --url "http://127.0.0.1:${port[$1]}" $load 2>/dev/null | grep -i 'output token throughput' | grep -o '[0-9.]*' | head -1; }
run off >/dev/null; run on >/dev/null
ratios=()
for pair in $(seq "$pairs"); do
    if [ $((pair % 2)) = 1 ]; then off=$(run off); on=$(run on); else on=$(run on); off=$(run off); fi
    echo "pair $pair: off $off on $on tok/s"
    ratios+=("$(python3 -c "print(f'{$on/$off:.3f}')")")
done
echo "on/off: ${ratios[*]}"
