#!/usr/bin/env bash
# A/B pairs of `strata serve` on one model with both servers up at once, so start-up and JIT drop out and both arms
# see the same machine: `strata bench serve` against them in turn, ABBA order (off first in odd pairs), after one
# warm-up run each. Prints each pair's output tok/s and server CPU per token, the ratios on/off and their means. Run it whole under
# `flock /work/bench.lock` on a quiet machine.
#   [OFF_ENV="K=V …"] [ON_ENV="K=V …"] [OFF_ARGS="…"] [ON_ARGS="…"] [ON_PORT=N] [LOAD="bench serve flags"] \
#       [ON_METRICS="regex of /metrics lines to print from the on arm at the end"] bench/serve-pairs.sh MODEL [PAIRS=8]
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
declare -A pid
pid[off]=${pids[0]}; pid[on]=${pids[1]}
cpu_ticks() { awk '{print $14 + $15}' "/proc/${pid[$1]}/stat"; }
# One run against an arm: prints its output tok/s and the server's CPU milliseconds per output token (user + system,
# every thread of the process): the second is the steadier figure when other work shares the machine.
# shellcheck disable=SC2086
run() {
    local before after out
    before=$(cpu_ticks "$1")
    out=$("$strata" bench serve --url "http://127.0.0.1:${port[$1]}" $load 2>/dev/null)
    after=$(cpu_ticks "$1")
    python3 -c "import sys
tps = float(sys.argv[1]); tokens = float(sys.argv[2])
print(f'{tps:.2f} {(int(sys.argv[4]) - int(sys.argv[3])) * 1000 / $(getconf CLK_TCK) / tokens:.3f}')" \
        "$(grep -i 'output token throughput' <<<"$out" | grep -o '[0-9.]*' | head -1)" \
        "$(grep -i 'total generated tokens' <<<"$out" | grep -o '[0-9.]*' | head -1)" "$before" "$after"
}
run off >/dev/null; run on >/dev/null
ratios=(); cpu_ratios=()
for pair in $(seq "$pairs"); do
    if [ $((pair % 2)) = 1 ]; then read -r off off_cpu <<<"$(run off)"; read -r on on_cpu <<<"$(run on)"
    else read -r on on_cpu <<<"$(run on)"; read -r off off_cpu <<<"$(run off)"; fi
    echo "pair $pair: off $off on $on tok/s; off $off_cpu on $on_cpu CPU ms/token"
    ratios+=("$(python3 -c "print(f'{$on/$off:.3f}')")")
    cpu_ratios+=("$(python3 -c "print(f'{$on_cpu/$off_cpu:.3f}')")")
done
echo "on/off tok/s: ${ratios[*]}"
echo "on/off CPU per token: ${cpu_ratios[*]}"
python3 -c "import statistics as s, sys
for name, xs in (('tok/s', sys.argv[1].split()), ('CPU per token', sys.argv[2].split())):
    xs = [float(x) for x in xs]
    se = s.stdev(xs) / len(xs) ** 0.5 if len(xs) > 1 else float('nan')
    print(f'{name}: mean {s.mean(xs):.3f} median {s.median(xs):.3f} se {se:.3f} ({len(xs)} pairs)')" "${ratios[*]}" "${cpu_ratios[*]}"
if [ -n "${ON_METRICS:-}" ]; then curl -s "http://127.0.0.1:${port[on]}/metrics" | grep -E "${ON_METRICS}" || echo "on arm: no /metrics line matches ${ON_METRICS}"; fi
