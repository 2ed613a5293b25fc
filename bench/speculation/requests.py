"""Sequential greedy completions over one keep-alive HTTP connection, timed in this process: the figure is the
server's (prefill, decode, detokenization, HTTP) without a client process started per request, which at a few
thousand tokens a second cost as much as the request itself.

    python3 requests.py PORT TOKENS WARMUP PROMPTS_FILE LABEL

Sends WARMUP untimed requests (a prompt not in the file), then each prompt of the file once; prints per prompt
"prompt N LABEL tok/s accepted/drafted", the drafts from the server's /metrics before and after the request, then the
request's steps (its tokens less the accepted drafts: each step gives one token plus those it accepted), tokens per
step and the mean period of a step (the request's wall time over its steps, prefill and HTTP included).
"""
import http.client
import json
import re
import sys
import time

port, tokens, warmup, prompts_file, label = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
connection = http.client.HTTPConnection("127.0.0.1", port)


def get(path, body=None):
    if body is None:
        connection.request("GET", path)
    else:
        connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    response = connection.getresponse()
    data = response.read()
    if response.status != 200:
        sys.exit(f"error: {path} answered {response.status}: {data[:200]!r}")
    return data


def complete(prompt):
    return json.loads(get("/v1/completions", {"prompt": prompt, "max_tokens": tokens, "temperature": 0}))


def drafts():
    text = get("/metrics").decode()
    def total(name):
        return sum(float(v) for v in re.findall(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M))
    return total("strata_spec_accepted_tokens_total"), total("strata_spec_draft_tokens_total"), total("strata_spec_accepted_drafts_per_verification_count")


for _ in range(warmup):
    complete("The sun was hot and the bird sang in the tree.")
prompts = [line.strip() for line in open(prompts_file) if line.strip()]
for n, prompt in enumerate(prompts, 1):
    accepted, drafted, verifications = drafts()
    start = time.perf_counter()
    count = complete(prompt)["usage"]["completion_tokens"]
    seconds = time.perf_counter() - start
    accepted_after, drafted_after, verifications_after = drafts()
    steps = count - (accepted_after - accepted)
    print(f"prompt {n} {label} {count / seconds:.1f} {accepted_after - accepted:.0f}/{drafted_after - drafted:.0f}"
          f" in {verifications_after - verifications:.0f} verifications, {steps:.0f} steps, {count / steps:.2f} tokens/step,"
          f" {seconds / steps * 1e6:.0f} us/step", flush=True)
law = [line for line in get("/metrics").decode().splitlines() if line.startswith("strata_step_cost_seconds")]
print(f"{label} step cost law: " + ", ".join(f"{line.split('term=')[1].split(chr(34))[1]} {float(line.split()[-1]) * 1e6:.1f} us" for line in law if "term=" in line), flush=True)
