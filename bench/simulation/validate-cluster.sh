#!/usr/bin/env bash
# Validates strata sim's two-node cluster against the real one on this machine: profiles the model at one thread as a
# node of the cluster runs (unless PROFILE is given: see below), then per workload starts two `strata serve --threads 1` nodes (each pinned to a core of its
# own, as bench/cluster/run.sh runs them) behind `strata router --policy P`, warms them through the router, runs
# `strata bench serve` against the router, and `strata sim --nodes 2 --router P` with the same workload flags; prints
# TTFT p50/p90, TPOT p50/p90 and output throughput side by side with the simulation's error (validate.sh's table).
# Each node logs its steps (STRATA_STEP_LOG); the end prints each kind of step's time over the profile's law per node.
# Run it alone under the shared lock:  flock /work/bench.lock bench/simulation/validate-cluster.sh [MODEL]
# Env: STRATA (the CLI), OUT (where JSON and logs go), PROFILE (an existing one-thread profile), WORKLOADS (names to run),
# NEIGHBOUR (1: profile beside a busy neighbour node; 0, the default: beside an idle core).
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL=${1:-/work/models/synth-1b-q4_0.gguf}
STRATA=${STRATA:-src/Strata.Cli/bin/Release/net10.0/strata}
OUT=${OUT:-$(mktemp -d /tmp/sim-cluster-validation.XXXX)}
mkdir -p "$OUT"
echo "output in $OUT; $(uptime)" >&2

# Each one-thread node serves about half of what validate.sh's two-thread server does; the rate is ~70% of two nodes'.
declare -A FLAGS=(
  [cluster-random]="--num-prompts 20 --request-rate 0.8 --random-input-len 128 --random-output-len 32"
  [cluster-shared-prefix]="--dataset shared-prefix --shared-prefix-groups 2 --shared-prefix-len 384 --questions-per-group 5 --question-len 32 --random-output-len 32 --request-rate 0.5"
)
declare -A POLICY=([cluster-random]=round-robin [cluster-shared-prefix]=kv-aware)
WORKLOADS=${WORKLOADS:-"cluster-random cluster-shared-prefix"}

PIDS=()
stop() { for pid in "${PIDS[@]}"; do kill "$pid" 2> /dev/null || true; done; for pid in "${PIDS[@]}"; do wait "$pid" 2> /dev/null || true; done; PIDS=(); }
trap stop EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_ok() { for _ in $(seq 600); do curl -sf "$1" > /dev/null && return 0; sleep 0.2; done; echo "timeout: $1" >&2; return 1; }

# Nodes on the given cores behind a router with the given policy, ready and warmed (another seed than the runs').
start_cluster() {
  local log=$1 policy=$2; shift 2
  local nodes=()
  for core in "$@"; do
    local port; port=$(free_port)
    STRATA_STEP_LOG="$log.node$core.steps.csv" taskset -c "$core" "$STRATA" serve -m "$MODEL" --port "$port" --threads 1 > "$log.node$core.log" 2>&1 &
    PIDS+=($!); nodes+=(--node "http://127.0.0.1:$port")
    wait_ok "http://127.0.0.1:$port/health/ready"
  done
  rport=$(free_port)
  ${ROUTER_PIN:-} "$STRATA" router -m "$MODEL" --port "$rport" "${nodes[@]}" --policy "$policy" > "$log.router.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 300); do
    [ "$(curl -s "http://127.0.0.1:$rport/health" | python3 -c 'import json,sys; print(sum(n["reachable"] for n in json.load(sys.stdin)["nodes"]))' 2> /dev/null)" = "$#" ] && break
    sleep 0.2
  done
  "$STRATA" bench serve --url "http://127.0.0.1:$rport" --ignore-eos --num-prompts 8 --max-concurrency 4 --random-input-len 128 \
    --random-output-len 16 --seed 7919 > /dev/null 2>&1 || true
}

# Profiles one node on core 0 with its router, as described below, into $1.
profile_node() {
  ROUTER_PIN="taskset -c 0" start_cluster "${1%.json}" round-robin 0
  taskset -c 0 "$STRATA" profile -m "$MODEL" --threads 1 -o "$1" --steps "${1%.json}.steps.csv" --server "http://127.0.0.1:$rport" 2> "${1%.json}.log"
  stop
}

PROFILE=${PROFILE:-$OUT/profile.json}
if [ ! -f "$PROFILE" ]; then
  # A node as it runs in the cluster: pinned to its core with its own server threads, and the router's and the client's
  # work for its requests on that core too (in the cluster the two cores carry both nodes' routing and streaming, a
  # node's share on each). So the profile (its steps, and the probe's client), the node and the router all run on core 0,
  # and the server's time per step, per streamed token and per prompt token is measured through them at 1, 2 and 4
  # streams. NEIGHBOUR=1 measures it while a neighbour node (core 1) serves its share of cluster-random through a
  # router of its own (two runs in session 10 did not tell the two apart: docs/benchmarks.md).
  if [ "${NEIGHBOUR:-0}" = 1 ]; then
    start_cluster "$OUT/profile-neighbour" round-robin 1
    "$STRATA" bench serve --url "http://127.0.0.1:$rport" --ignore-eos --num-prompts 400 --request-rate 0.4 --random-input-len 128 \
      --random-output-len 32 --seed 4243 > "$OUT/profile-neighbour.bench.log" 2>&1 &
    PIDS+=($!)
  fi
  profile_node "$PROFILE"
fi

for name in $WORKLOADS; do
  start_cluster "$OUT/$name" "${POLICY[$name]}" 0 1
  # shellcheck disable=SC2086
  "$STRATA" bench serve --url "http://127.0.0.1:$rport" --ignore-eos ${FLAGS[$name]} --json "$OUT/$name.real.json" > "$OUT/$name.real.txt" 2> "$OUT/$name.bench.log" || true
  stop
done
# A second profile after the runs: how far the host moved over them (drift.py), and the runs simulated on it too.
profile_node "$OUT/after.profile.json"

for name in $WORKLOADS; do
  for kind in sim sim-after; do
    profile=$PROFILE
    [ "$kind" = sim ] || profile=$OUT/after.profile.json
    # shellcheck disable=SC2086
    "$STRATA" sim --profile "$profile" --nodes 2 --router "${POLICY[$name]}" ${FLAGS[$name]} --tokenizer "$MODEL" --json "$OUT/$name.$kind.json" > "$OUT/$name.$kind.txt"
  done
done

python3 bench/simulation/drift.py "$PROFILE" "$OUT/after.profile.json"
python3 bench/simulation/compare.py "$OUT" $WORKLOADS
# Each node's steps in each workload (STRATA_STEP_LOG) against the profile's law, by kind (warm-up included).
for name in $WORKLOADS; do
  for core in 0 1; do
    echo; echo "$name, node on core $core:"
    python3 bench/simulation/steps.py --kinds "$OUT/$name.node$core.steps.csv" "$PROFILE"
  done
done
