#!/usr/bin/env bash
# 32 concurrent random requests against `strata serve`, without speculation and with each method, as ABBA pairs
# (off, method, method, off) REPETITIONS times, so drift of the shared machine falls on both sides alike. Each server
# first gets WARMUP untimed runs of 32 requests: the JIT's tiered compilation (tier 0, instrumented, then optimised
# code) keeps a background thread busy for several runs after a start, and on 2 cores that thread takes the compute
# threads' time — after one warm-up run it still had 40% of the server's CPU during the timed run. Prints, per timed
# run, output tok/s as `strata bench serve` reports it, the server's CPU milliseconds per output token, and the JIT
# thread's CPU milliseconds in the run (near 0 once the server is warm).
#   [METHODS="ngram suffix"] [WARMUP=6] bench/speculation/concurrent-ab.sh MODEL [PROMPTS=64] [TOKENS=96] [THREADS=2] [REPETITIONS=2]
set -euo pipefail
model=$1; prompts=${2:-64}; tokens=${3:-96}; threads=${4:-2}; repetitions=${5:-2}
root=$(cd "$(dirname "$0")/../.." && pwd)
strata=${STRATA:-$root/src/Strata.Cli/bin/Release/net10.0/strata}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tick_ms=$((1000 / $(getconf CLK_TCK)))

# Prints "all jit": CPU ticks of every thread of process $1, and of its tiered-compilation thread.
cpu_ticks() {
    local all=0 jit=0 stat name rest
    for task in /proc/"$1"/task/*; do
        stat=$(cat "$task/stat" 2>/dev/null) || continue
        name=${stat#*(}; name=${name%)*}; rest=${stat##*) }
        read -r -a fields <<<"$rest"
        # Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the name.
        all=$((all + fields[11] + fields[12]))
        [[ $name == ".NET Tiered Com"* ]] && jit=$((jit + fields[11] + fields[12]))
    done
    echo "$all $jit"
}

run() {
    "$strata" bench serve --url "http://127.0.0.1:$port" --num-prompts "$1" --random-input-len 64 --random-output-len "$tokens" \
        --ignore-eos --max-concurrency 32 --seed "$2" 2>&1
}

measure() {
    local spec=$1 r=$2 flags=() server before after rate
    [ "$spec" = off ] || flags=(--speculative "$spec")
    "$strata" serve -m "$model" --port "$port" -t "$threads" "${flags[@]}" >/dev/null 2>&1 &
    server=$!
    until curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; do sleep 0.3; done
    for w in $(seq "${WARMUP:-6}"); do run 32 $((100 + w)) >/dev/null; done
    read -r -a before < <(cpu_ticks "$server")
    rate=$(run "$prompts" 1 | grep -i 'output token throughput' | grep -o '[0-9.]*' | head -1)
    read -r -a after < <(cpu_ticks "$server")
    kill "$server"; wait "$server" 2>/dev/null || true
    echo "rep $r $spec ${rate:-failed} output tok/s, $(echo "scale=3; (${after[0]} - ${before[0]}) * $tick_ms / ($prompts * $tokens)" | bc) CPU ms/token, JIT $(((after[1] - before[1]) * tick_ms)) ms"
}

uptime
for r in $(seq "$repetitions"); do
    for spec in ${METHODS:-ngram suffix}; do
        for arm in off "$spec" "$spec" off; do measure "$arm" "$r"; done
    done
done
uptime
