#!/usr/bin/env bash
# The guard's cost while serving: bench/serve-pairs.sh with the guard policy on one arm, 16 greedy streams × 128
# tokens. Greedy, so both arms decode the same workload: sampled text from a random-weight model now and then trips
# the policy (a classifier window, a pattern), and a sequence the guard stops leaves a smaller batch behind — the
# guard at work, not its cost. The on arm's guard counters are printed at the end: violations must be absent.
# Run it whole under `flock /work/bench.lock` on a quiet machine.
#   bench/guard/serve-ab.sh MODEL [PAIRS=8] [POLICY=bench/Strata.Benchmarks/guard-policy.json]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
ON_METRICS="^strata_guard" LOAD="${LOAD:---num-prompts 16 --random-input-len 32 --random-output-len 128 --ignore-eos --max-concurrency 16 --temperature 0 --seed 3}" \
    ON_ARGS="--guard ${3:-$root/bench/Strata.Benchmarks/guard-policy.json}" exec "$root/bench/serve-pairs.sh" "$1" "${2:-8}"
