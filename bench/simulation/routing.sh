#!/usr/bin/env bash
# KV-aware against round-robin routing in the simulator (Mooncake's and llm-d's comparison): a shared-prefix workload
# on 8 nodes whose KV pools hold a quarter of the system prompts each, at rising request rates. Writes routing.csv
# (router, rate, cache hit rate, TTFT p50/p90, TPOT p50, goodput), charts hit rate and TTFT p90 against rate
# (routing-hit-rate.png, routing-ttft.png) and prints it. A simulation: no lock needed.
# Usage: bench/simulation/routing.sh PROFILE [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
PROFILE=${1:?usage: routing.sh PROFILE [OUT_DIR]}
OUT=${2:-docs/simulation}
STRATA=${STRATA:-src/Strata.Cli/bin/Release/net10.0/strata}
mkdir -p "$OUT"
# 13 groups: a count that is not a multiple of the nodes, or round-robin (the dataset interleaves groups) sends each
# group to the same node every time and ties with KV-aware routing.
WORKLOAD=${WORKLOAD:-"--dataset shared-prefix --shared-prefix-groups 13 --shared-prefix-len 1024 --questions-per-group 12 --question-len 64 --random-output-len 32"}
echo "router,rate,cache_hit_rate,ttft_p50_ms,ttft_p90_ms,tpot_p50_ms,request_goodput" > "$OUT/routing.csv"
for rate in ${RATES:-0.25 0.5 1 1.5 2}; do
  for router in round-robin kv-aware; do
    # shellcheck disable=SC2086
    "$STRATA" sim --profile "$PROFILE" --nodes 8 --router $router --kv-blocks 512 $WORKLOAD --request-rate "$rate" \
      --goodput ttft:2000 --json "$OUT/routing.tmp.json" > /dev/null
    python3 - "$OUT/routing.tmp.json" "$router" "$rate" >> "$OUT/routing.csv" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]},{sys.argv[3]},{d['cache_hit_rate']:.4f},{d['ttft_ms']['p50']:.1f},{d['ttft_ms']['p90']:.1f},{d['tpot_ms']['p50']:.1f},{d.get('request_goodput') or 0:.3f}")
PY
  done
done
rm -f "$OUT/routing.tmp.json"
"$STRATA" sim chart "$OUT/routing.csv" --x rate --y cache_hit_rate --series router -o "$OUT/routing-hit-rate.png" \
  --title "Prefix cache hit rate, 8 nodes" --x-label "requests per second" --y-label "prompt tokens served from cache (fraction)"
"$STRATA" sim chart "$OUT/routing.csv" --x rate --y ttft_p90_ms --series router -o "$OUT/routing-ttft.png" \
  --title "P90 time to first token, 8 nodes" --x-label "requests per second" --y-label "P90 TTFT (ms)"
column -s, -t "$OUT/routing.csv"
