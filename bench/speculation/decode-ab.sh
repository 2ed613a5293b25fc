#!/usr/bin/env bash
# Batch-1 greedy decode speed with and without speculative decoding, A/B back to back, beside llama.cpp's
# llama-lookup (prompt lookup) on the same model and prompts. Strata runs warm: one `strata serve` per configuration,
# first given WARMUP untimed requests (a prompt not in the file: the JIT's tiered compilation keeps compiling the
# request path for a hundred requests or more, on 2 cores time the compute threads lose), then each prompt once, one
# request at a time over one keep-alive connection (requests.py); every configuration in turn, REPETITIONS times. A
# Strata figure is completion tokens over the request's wall time as the client sees it (prefill, HTTP and
# detokenization included, the same for every configuration; no process is started per request, which cost as much as
# a 200-token TinyStories request); llama-lookup's is its own decode speed.
#   [DRAFT_MODEL=FILE] [METHODS="off ngram suffix"] [SPEC_FLAGS=…] [WARMUP=100] bench/speculation/decode-ab.sh MODEL [TOKENS=200] [THREADS=2] [REPETITIONS=3] [PROMPTS_FILE]
# With DRAFT_MODEL, the draft method runs too (--speculative draft --draft-model FILE; METHODS may place it). SPEC_FLAGS go to the
# speculating servers (e.g. "--num-speculative-tokens 10 --speculative-max-step-tokens 16").
# Prints one line per run: prompt number, configuration, tok/s, drafts accepted/verified in that request.
set -euo pipefail
model=$1; tokens=${2:-200}; threads=${3:-2}; repetitions=${4:-3}
prompts=${5:-$(dirname "$0")/input-grounded.txt}
root=$(cd "$(dirname "$0")/../.." && pwd)
strata=${STRATA:-$root/src/Strata.Cli/bin/Release/net10.0/strata}
lookup=${LLAMA_LOOKUP:-/work/ref/llama.cpp/build/bin/llama-lookup}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
mapfile -t lines < <(grep -v '^$' "$prompts")
trap 'kill "${server:-}" 2>/dev/null || true' EXIT

for r in $(seq "$repetitions"); do
    for spec in ${METHODS:-off ngram suffix ${DRAFT_MODEL:+draft}}; do
        # shellcheck disable=SC2206
        flags=(); [ "$spec" = off ] || flags=(--speculative "$spec" ${SPEC_FLAGS:-})
        [ "$spec" = draft ] && flags+=(--draft-model "$DRAFT_MODEL")
        "$strata" serve -m "$model" --port "$port" -t "$threads" --kv-cache-memory 256MiB "${flags[@]}" >/dev/null 2>&1 &
        server=$!
        until curl -sf "$url/health/ready" >/dev/null 2>&1; do sleep 0.3; done
        python3 "$(dirname "$0")/requests.py" "$port" "$tokens" "${WARMUP:-100}" "$prompts" "rep $r strata-$spec"
        kill "$server"; wait "$server" 2>/dev/null || true
    done
done
if [ -x "$lookup" ] && [ -z "${NO_LOOKUP:-}" ]; then
    for n in "${!lines[@]}"; do
        for r in $(seq "$repetitions"); do
            out=$("$lookup" -m "$model" -p "${lines[$n]}" -n "$tokens" --spec-draft-n-max 5 --temp 0 -t "$threads" -c 2048 2>&1 || true)
            rate=$(grep -o 'decoded .* speed: *[0-9.]*' <<<"$out" | grep -o '[0-9.]*$' || echo failed)
            accepted="$(grep -o 'n_accept *= *[0-9]*' <<<"$out" | grep -o '[0-9]*$' || true)/$(grep -o 'n_drafted *= *[0-9]*' <<<"$out" | grep -o '[0-9]*$' || true)"
            echo "prompt $((n + 1)) rep $r llama-lookup $rate $accepted"
        done
    done
fi
