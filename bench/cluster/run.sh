#!/usr/bin/env bash
# One cluster configuration against one workload: starts strata serve nodes (each --threads 1) and a strata router on
# free loopback ports, waits until the router reaches every node, runs `strata bench serve` through the router, prints
# one CSV line (label, output tok/s, TTFT p50/p99 ms, TPOT p50/p99 ms, duration s, failed) and stops every process by its
# pid. Node i runs pinned to core i mod (cores) (`taskset -c`), so each configuration's "same total cores" is real: two
# nodes never share a core while another sits idle, and a prefill node's compute cannot steal its decode node's core
# (PIN=0 leaves placement to the OS). Run it under the benchmark lock: flock /work/bench.lock bench/cluster/run.sh …
# Usage: bench/cluster/run.sh LABEL "NODE ROLES" "ROUTER FLAGS" "NODE FLAGS" BENCH FLAGS…
#    or: bench/cluster/run.sh LABEL "prefill decode" "--disagg-threshold 0" "NODE FLAGS" handoff N TOKENS   (the KV hand-off of N prompts)
#   e.g. bench/cluster/run.sh rr "both both both both" "--policy round-robin" "--kv-cache-memory 64MiB" --dataset shared-prefix …
set -euo pipefail
cd "$(dirname "$0")/../.."
LABEL=$1; ROLES=$2; ROUTER_FLAGS=$3; NODE_FLAGS=$4; shift 4
MODEL=${MODEL:-/work/models/synth-1b-q4_0.gguf}
STRATA="dotnet src/Strata.Cli/bin/Release/net10.0/strata.dll"
OUT=${OUT:-/tmp/strata-cluster-bench}
mkdir -p "$OUT"
PIDS=()
stop() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done; }
trap stop EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ok() { for _ in $(seq 1 600); do curl -sf "$1" > /dev/null && return 0; sleep 0.2; done; echo "timeout: $1" >&2; return 1; }
NODES=()
CORES=$(nproc)
i=0
for role in $ROLES; do
  port=$(free_port)
  PINNING=(); [ "${PIN:-1}" = 1 ] && PINNING=(taskset -c $((i % CORES)))
  # shellcheck disable=SC2086
  "${PINNING[@]}" $STRATA serve -m "$MODEL" --port "$port" --threads 1 --role "$role" $NODE_FLAGS --log-level warning 2> "$OUT/$LABEL-node$i.log" &
  PIDS+=($!); NODES+=("http://127.0.0.1:$port"); i=$((i+1))
done
for url in "${NODES[@]}"; do wait_ok "$url/health/ready"; done
RPORT=$(free_port)
NODE_ARGS=(); for url in "${NODES[@]}"; do NODE_ARGS+=(--node "$url"); done
# shellcheck disable=SC2086
$STRATA router -m "$MODEL" --port "$RPORT" "${NODE_ARGS[@]}" $ROUTER_FLAGS 2> "$OUT/$LABEL-router.log" &
PIDS+=($!)
for _ in $(seq 1 300); do
  [ "$(curl -s "http://127.0.0.1:$RPORT/health" | python3 -c 'import json,sys; print(sum(n["reachable"] for n in json.load(sys.stdin)["nodes"]))' 2>/dev/null)" = "${#NODES[@]}" ] && break
  sleep 0.2
done
if [ "${1:-}" = handoff ]; then
  # KV hand-off: N prompts of TOKENS distinct token ids each (max_tokens 4), the decode node's Strata-Kv-Handoff header of each.
  for n in $(seq 1 "$2"); do
    python3 -c "import json,random; r=random.Random($n); print(json.dumps({'prompt':[1]+[r.randrange(100,${VOCAB:-32000}) for _ in range($3-1)],'max_tokens':4,'temperature':0}))" > "$OUT/prompt.json"
    curl -s -D - -o /dev/null -H 'Content-Type: application/json' --data @"$OUT/prompt.json" "http://127.0.0.1:$RPORT/v1/completions" \
      | tr -d '\r' | sed -n 's/^strata-kv-handoff: //Ip' | python3 -c "
import sys
f = dict(p.strip().split('=') for p in sys.stdin.read().split(';'))
print(f\"$LABEL,{f['blocks']} blocks,{int(f['bytes'])/1e6:.1f} MB,{float(f['seconds']):.3f} s,{int(f['bytes'])/float(f['seconds'])/1e9:.2f} GB/s\")"
  done
  exit 0
fi
$STRATA bench serve --url "http://127.0.0.1:$RPORT" --json "$OUT/$LABEL.json" "$@" > "$OUT/$LABEL.txt"
python3 - "$OUT/$LABEL.json" "$LABEL" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); s = d.get("summary", d)
def get(name):
    for k in (name,):
        if k in s: return s[k]
        if k in d: return d[k]
print(f"{sys.argv[2]},{get('output_throughput'):.2f},{get('ttft_ms')['p50']:.0f},{get('ttft_ms')['p99']:.0f},{get('tpot_ms')['p50']:.1f},{get('tpot_ms')['p99']:.1f},{get('duration_s'):.1f},{get('failed')}")
PY
