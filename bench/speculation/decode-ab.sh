#!/usr/bin/env bash
# Batch-1 greedy decode speed with and without speculative decoding, A/B back to back, beside llama.cpp's
# llama-lookup (prompt lookup) on the same model and prompts. Each repetition runs every configuration once, in turn.
#   [DRAFT_MODEL=FILE] [METHODS="off ngram suffix"] bench/speculation/decode-ab.sh MODEL [TOKENS=200] [THREADS=2] [REPETITIONS=3] [PROMPTS_FILE]
# With DRAFT_MODEL, the draft method runs too (--speculative draft --draft-model FILE).
# Prints one line per run: prompt number, configuration, decode tok/s, drafts accepted/verified.
set -euo pipefail
model=$1; tokens=${2:-200}; threads=${3:-2}; repetitions=${4:-3}
prompts=${5:-$(dirname "$0")/input-grounded.txt}
root=$(cd "$(dirname "$0")/../.." && pwd)
strata=${STRATA:-$root/src/Strata.Cli/bin/Release/net10.0/strata}
lookup=${LLAMA_LOOKUP:-/work/ref/llama.cpp/build/bin/llama-lookup}
n=0
while IFS= read -r prompt; do
    [ -z "$prompt" ] && continue
    n=$((n + 1))
    for r in $(seq "$repetitions"); do
        for spec in ${METHODS:-off ngram suffix} ${DRAFT_MODEL:+draft}; do
            flags=(); [ "$spec" = off ] || flags=(--speculative "$spec")
            [ "$spec" = draft ] && flags+=(--draft-model "$DRAFT_MODEL")
            out=$("$strata" generate -m "$model" -p "$prompt" -n "$tokens" --temp 0 -t "$threads" "${flags[@]}" 2>&1 >/dev/null)
            rate=$(grep -o 'at [0-9.]* tok/s' <<<"$out" | grep -o '[0-9.]*' || echo failed)
            accepted=$(grep -o '[0-9]* of [0-9]* drafts' <<<"$out" | sed 's/ of /\//; s/ drafts//' || true)
            echo "prompt $n rep $r strata-$spec $rate ${accepted:--}"
        done
        if [ -x "$lookup" ] && [ -z "${NO_LOOKUP:-}" ]; then
            out=$("$lookup" -m "$model" -p "$prompt" -n "$tokens" --spec-draft-n-max 5 --temp 0 -t "$threads" -c 2048 2>&1 || true)
            rate=$(grep -o 'decoded .* speed: *[0-9.]*' <<<"$out" | grep -o '[0-9.]*$' || echo failed)
            accepted="$(grep -o 'n_accept *= *[0-9]*' <<<"$out" | grep -o '[0-9]*$' || true)/$(grep -o 'n_drafted *= *[0-9]*' <<<"$out" | grep -o '[0-9]*$' || true)"
            echo "prompt $n rep $r llama-lookup $rate $accepted"
        fi
    done
done < "$prompts"
