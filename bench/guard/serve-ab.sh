#!/usr/bin/env bash
# The guard's cost while serving: bench/serve-pairs.sh with the guard policy on one arm (16 streams × 128 tokens at
# temperature 0.8 by default). Run it whole under `flock /work/bench.lock` on a quiet machine.
#   bench/guard/serve-ab.sh MODEL [PAIRS=8] [POLICY=bench/Strata.Benchmarks/guard-policy.json]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
ON_ARGS="--guard ${3:-$root/bench/Strata.Benchmarks/guard-policy.json}" exec "$root/bench/serve-pairs.sh" "$1" "${2:-8}"
