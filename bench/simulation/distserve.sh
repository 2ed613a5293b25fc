#!/usr/bin/env bash
# DistServe's comparison in the simulator: colocated nodes against the same number split into prefill and decode
# nodes, on one workload, as the TPOT SLO tightens (TTFT SLO fixed). Each topology is simulated once (--json); the
# goodput (requests/s meeting both SLOs) at each TPOT SLO is read from its per-request results. Writes distserve.csv
# (topology, tpot_slo_ms, goodput, attainment) and distserve.png. A simulation: no lock needed.
# Usage: bench/simulation/distserve.sh PROFILE [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
PROFILE=${1:?usage: distserve.sh PROFILE [OUT_DIR]}
OUT=${2:-docs/simulation}
STRATA=${STRATA:-src/Strata.Cli/bin/Release/net10.0/strata}
mkdir -p "$OUT"
# 512-token prompts, 64 output tokens; synth-1b's KV is 32 KiB per token, 512 KiB per 16-token block; a 10 Gb/s link.
WORKLOAD=${WORKLOAD:---num-prompts 120 --request-rate 0.3 --random-input-len 512 --random-output-len 64}
HANDOFF="--transfer-bandwidth 1.25GB --kv-block-bytes 512KiB"
TTFT_SLO_MS=${TTFT_SLO_MS:-15000}
echo "topology,tpot_slo_ms,goodput,attainment" > "$OUT/distserve.csv"
for topology in "--nodes 2" "--prefill 1 --decode 1" "--nodes 4" "--prefill 2 --decode 2" "--prefill 1 --decode 3"; do
  handoff=""
  [[ $topology == *prefill* ]] && handoff=$HANDOFF
  # shellcheck disable=SC2086
  "$STRATA" sim --profile "$PROFILE" $topology $handoff $WORKLOAD --json "$OUT/distserve.tmp.json" > /dev/null
  python3 - "$OUT/distserve.tmp.json" "$topology" "$TTFT_SLO_MS" >> "$OUT/distserve.csv" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
name = sys.argv[2].replace("--nodes ", "").replace("--prefill ", "").replace(" --decode ", "P+")
name = name + "D" if "P+" in name else name + " colocated"
requests, ttft_slo = d["requests"], float(sys.argv[3])
for tpot_slo in (400, 300, 250, 200, 150, 100, 75, 50):
    met = sum(1 for r in requests if "error" not in r and r["ttft_ms"] <= ttft_slo and (r.get("tpot_ms") or 0) <= tpot_slo)
    print(f"{name},{tpot_slo},{met / d['duration_s']:.4f},{met / len(requests):.4f}")
PY
done
rm -f "$OUT/distserve.tmp.json"
"$STRATA" sim chart "$OUT/distserve.csv" --x tpot_slo_ms --y goodput --series topology -o "$OUT/distserve.png" \
  --title "Goodput as the TPOT SLO tightens (TTFT SLO ${TTFT_SLO_MS} ms)" --x-label "TPOT SLO (ms)" --y-label "goodput (requests/s within both SLOs)"
column -s, -t "$OUT/distserve.csv"
