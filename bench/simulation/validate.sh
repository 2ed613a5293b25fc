#!/usr/bin/env bash
# Validates strata sim against the real engine on this machine: profiles the model (unless PROFILE is given), then for
# each workload runs a fresh `strata serve` with `strata bench serve`, and `strata sim` with the same workload flags,
# and prints TTFT p50/p90, TPOT p50/p90 and output throughput side by side with the simulation's error. The simulation's
# prompts are bench serve's, tokenized by the model's tokenizer (`--tokenizer`) as the server tokenizes them.
# Run it alone under the shared lock:  flock /work/bench.lock bench/simulation/validate.sh [MODEL]
# The profile and the real runs are taken in that one stretch (about 5 minutes): on a shared machine whose speed drifts,
# a profile taken minutes apart from the runs it is compared with differs from them by more than the 15% sought.
# Env: STRATA (the CLI), OUT (where JSON and logs go), PROFILE (an existing profile), WORKLOADS (names to run).
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL=${1:-/work/models/synth-1b-q4_0.gguf}
STRATA=${STRATA:-src/Strata.Cli/bin/Release/net10.0/strata}
OUT=${OUT:-$(mktemp -d /tmp/sim-validation.XXXX)}
mkdir -p "$OUT"
echo "output in $OUT; $(uptime)" >&2

declare -A FLAGS=(
  [random-low]="--num-prompts 10 --request-rate 0.4 --random-input-len 128 --random-output-len 32"
  # ~70% of capacity, not past it (where the queue multiplies any error): the server saturates at 1.2-1.5 req/s of these
  # (session 9: 37.3 output tok/s offered 2 req/s, at load 24; session 7: 47-48 tok/s).
  [random-high]="--num-prompts 20 --request-rate 0.9 --random-input-len 128 --random-output-len 32"
  [shared-prefix]="--dataset shared-prefix --shared-prefix-groups 2 --shared-prefix-len 384 --questions-per-group 5 --question-len 32 --random-output-len 32 --request-rate 0.5"
)
WORKLOADS=${WORKLOADS:-"random-low random-high shared-prefix"}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
server=
stop_server() { [ -n "$server" ] && { kill "$server"; wait "$server" 2> /dev/null || true; }; server=; }
trap stop_server EXIT
# A server as each workload gets: started, ready, warmed. For its first seconds tiered JIT compiles the hot paths on the
# cores the steps need; another seed than the runs', so the measured prompts find nothing of these in the cache.
start_server() {
  port=$(free_port)
  "$STRATA" serve -m "$MODEL" --port "$port" > "$1" 2>&1 &
  server=$!
  for _ in $(seq 120); do
    curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && break
    sleep 1
  done
  "$STRATA" bench serve --url "http://127.0.0.1:$port" --ignore-eos --num-prompts 8 --max-concurrency 4 --random-input-len 128 \
    --random-output-len 16 --seed 7919 > /dev/null 2>&1 || true
}

PROFILE=${PROFILE:-$OUT/profile.json}
if [ ! -f "$PROFILE" ]; then
  # The server's time over the steps is measured through a server run as the workloads' are (its own process).
  start_server "$OUT/profile.serve.log"
  "$STRATA" profile -m "$MODEL" -o "$PROFILE" --steps "$OUT/steps.csv" --server "http://127.0.0.1:$port" 2> "$OUT/profile.log"
  stop_server
fi

for name in $WORKLOADS; do
  start_server "$OUT/$name.serve.log"
  metrics() { curl -sf "http://127.0.0.1:$port/metrics" | grep -E '^strata_(engine_steps_total|step_cost_seconds)' || true; }
  metrics > "$OUT/$name.metrics.before"
  # shellcheck disable=SC2086
  "$STRATA" bench serve --url "http://127.0.0.1:$port" --ignore-eos ${FLAGS[$name]} --json "$OUT/$name.real.json" > "$OUT/$name.real.txt" 2> "$OUT/$name.bench.log" || true
  metrics > "$OUT/$name.metrics.after"
  stop_server
  # shellcheck disable=SC2086
  "$STRATA" sim --profile "$PROFILE" ${FLAGS[$name]} --tokenizer "$MODEL" --json "$OUT/$name.sim.json" > "$OUT/$name.sim.txt"
done

python3 bench/simulation/compare.py "$OUT" $WORKLOADS
