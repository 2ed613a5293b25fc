#!/usr/bin/env bash
# Validates strata sim against the real engine on this machine: per workload, a fresh `strata serve` is started and
# warmed, `strata profile` measures the step law and that server's time right before the workload runs on it with
# `strata bench serve`, and `strata sim` runs the same workload flags on that profile; after the last workload one more
# profile closes the run. Prints TTFT p50/p90, TPOT p50/p90 and output throughput side by side with the simulation's
# error, the same figures simulated with the profile taken after each workload (the next one's), and how far the host
# moved between consecutive profiles (drift.py). The simulation's prompts are bench serve's, tokenized by the model's
# tokenizer (`--tokenizer`) as the server tokenizes them. No figure is fitted to the runs it is compared with.
# Each server logs its steps (STRATA_STEP_LOG) to OUT/NAME.server-steps.csv, and steps.py lines them up with the requests
# and the law: the time a request's first token took outside the steps, and how each kind of step compared with the law.
# Run it alone under the shared lock:  flock /work/bench.lock bench/simulation/validate.sh [MODEL]   (about 8 minutes)
# A profile right before each workload: on a shared machine a profile taken minutes apart from a run differs from it by
# more than the 15% sought (session 10: the steps twice as slow in one profile as in the runs minutes later).
# Env: STRATA (the CLI), OUT (where JSON and logs go), PROFILE (one existing profile for every workload instead),
# WORKLOADS (names to run).
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
  STRATA_STEP_LOG="${1%.serve.log}.server-steps.csv" "$STRATA" serve -m "$MODEL" --port "$port" > "$1" 2>&1 &
  server=$!
  for _ in $(seq 120); do
    curl -sf "http://127.0.0.1:$port/health/ready" > /dev/null && break
    sleep 1
  done
  "$STRATA" bench serve --url "http://127.0.0.1:$port" --ignore-eos --num-prompts 8 --max-concurrency 4 --random-input-len 128 \
    --random-output-len 16 --seed 7919 > /dev/null 2>&1 || true
}

# Profiles the model through the server that runs now (its time measured through that warmed process) into $1.
profile() { "$STRATA" profile -m "$MODEL" -o "$1" --steps "${1%.json}.steps.csv" --server "http://127.0.0.1:$port" 2> "${1%.json}.log"; }

profiles=()
for name in $WORKLOADS; do
  start_server "$OUT/$name.serve.log"
  [ -n "${PROFILE:-}" ] || { profile "$OUT/$name.profile.json"; profiles+=("$OUT/$name.profile.json"); }
  metrics() { curl -sf "http://127.0.0.1:$port/metrics" | grep -E '^strata_(engine_steps_total|step_cost_seconds)' || true; }
  metrics > "$OUT/$name.metrics.before"
  # shellcheck disable=SC2086
  "$STRATA" bench serve --url "http://127.0.0.1:$port" --ignore-eos ${FLAGS[$name]} --json "$OUT/$name.real.json" > "$OUT/$name.real.txt" 2> "$OUT/$name.bench.log" || true
  metrics > "$OUT/$name.metrics.after"
  stop_server
done
if [ -z "${PROFILE:-}" ]; then
  start_server "$OUT/after.serve.log"
  profile "$OUT/after.profile.json"
  profiles+=("$OUT/after.profile.json")
  stop_server
fi

# Each workload on the profile before it (the validation) and on the one after it (the drift over the run).
i=0
for name in $WORKLOADS; do
  before=${PROFILE:-${profiles[$i]}}
  after=${PROFILE:-${profiles[$((i + 1))]}}
  # shellcheck disable=SC2086
  "$STRATA" sim --profile "$before" ${FLAGS[$name]} --tokenizer "$MODEL" --json "$OUT/$name.sim.json" > "$OUT/$name.sim.txt"
  # shellcheck disable=SC2086
  "$STRATA" sim --profile "$after" ${FLAGS[$name]} --tokenizer "$MODEL" --json "$OUT/$name.sim-after.json" > "$OUT/$name.sim-after.txt"
  i=$((i + 1))
done

[ ${#profiles[@]} -eq 0 ] || python3 bench/simulation/drift.py "${profiles[@]}"
python3 bench/simulation/compare.py "$OUT" $WORKLOADS
# Where each workload's simulation and real run part: the server's steps (STRATA_STEP_LOG) request by request against the law.
for name in $WORKLOADS; do
  echo
  python3 bench/simulation/steps.py "$OUT" "$name" ${PROFILE:-}
done
