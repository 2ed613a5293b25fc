#!/usr/bin/env python3
"""The real server's steps during a workload (OUT/NAME.server-steps.csv, written by `strata serve` under STRATA_STEP_LOG)
against the law of the profile the workload was simulated on (OUT/NAME.profile.json, or PROFILE), to find where the
simulation and the real run part:
- per request: when it was sent, the steps that ran from then to its first token (prompt tokens p, decoding sequences
  d, context read), their runner seconds and the law's, the time before its first step, and its real and simulated TTFT.
  TTFT less the steps' runner time is what the server adds outside the steps;
- per kind of step (lone decodes, batched decodes, prompt chunks alone, prompt chunks with decodes): the median of the
  step's runner time over the law's (1.10: the server's steps of that kind took 10% longer than the profile says);
- the median runner/law of every 10 s of the server's life: the profile's probe (through this server) and warm-up
  before the workload, then the workload: how far the host moved between the profile and the run, and within the run.
bench serve stamps its run at the end; the steps are lined up with the requests by the first fresh prompt chunk (the
engine is idle before the first request), so times are good to a millisecond or so.
Usage: steps.py OUT NAME [PROFILE]
       steps.py --kinds STEPS.csv PROFILE   (only each kind of step over the law: a cluster node's steps)"""
import csv, datetime, json, statistics, sys

kinds_only = sys.argv[1] == "--kinds"
if kinds_only:
    steps_csv, profile = sys.argv[2], json.load(open(sys.argv[3]))
else:
    out, name = sys.argv[1], sys.argv[2]
    steps_csv = f"{out}/{name}.server-steps.csv"
    profile = json.load(open(sys.argv[3] if len(sys.argv) > 3 else f"{out}/{name}.profile.json"))
    real = json.load(open(f"{out}/{name}.real.json"))
    sim = json.load(open(f"{out}/{name}.sim.json"))
cost, server = profile["cost"], profile.get("server_overhead", {})


def law(p, d, context, attention):
    return (cost["fixed_seconds"] + cost["prefill_token_seconds"] * p + cost["decode_sequence_seconds"] * d
            + cost["context_token_seconds"] * context + cost.get("prefill_attention_seconds", 0) * attention
            + cost.get("lone_row_seconds", 0) * ((p + d) % 4)  # rows beyond whole tiles of four (CostModel.LoneRows)
            + server.get("step_seconds", 0) + server.get("token_seconds", 0) * d)




def print_kinds(steps):
    kinds = {}
    for s in steps:
        kind = ("prompt chunk + decodes" if s[5] else "prompt chunk alone") if s[4] else ("lone decode" if s[5] == 1 else "batched decodes")
        kinds.setdefault(kind, []).append(s[2] / s[3])
    print("kind of step                 steps  runner/law (median)")
    for kind, ratios in sorted(kinds.items()):
        print(f"{kind:<28} {len(ratios):>5}  {statistics.median(ratios):.3f}")
    runner, modelled = sum(s[2] for s in steps), sum(s[3] for s in steps)
    print(f"all {len(steps)} steps: runner {runner / 1000:.2f} s, law {modelled / 1000:.2f} s (runner/law {runner / modelled:.3f})")


def read_steps(path, origin):
    """(start ms, end ms, runner ms, law ms, prompt tokens, decodes, context), times from origin (Unix ms)."""
    for row in csv.DictReader(open(path)):
        ended, runner = float(row["ended_unix_ms"]) - origin, float(row["seconds"]) * 1000
        p, d, context, attention = (int(row[k]) for k in ("prefill_tokens", "decode_sequences", "context_tokens", "prefill_attention"))
        yield ended - runner, ended, runner, law(p, d, context, attention) * 1000, p, d, context


if kinds_only:
    print_kinds(list(read_steps(steps_csv, 0)))
    sys.exit()

end_of_run = datetime.datetime.fromisoformat(real["date"]).timestamp() * 1000
start = end_of_run - real["duration_s"] * 1000
steps = [s for s in read_steps(steps_csv, start) if -2000 < s[1] < end_of_run - start + 2000]
# a fresh prompt's first chunk (the profile's probe ran before); none (the first prompt found a prefix cached): as stamped
first = next((s for s in steps if s[4] >= 16 and s[6] == s[4]), None)
shift = first[0] - real["requests"][0]["sent_at_ms"] if first else 0.0
steps = [(s[0] - shift, s[1] - shift) + s[2:] for s in steps if s[0] - shift > -1]

print(f"{name}: steps lined up with the requests by {shift:+.0f} ms")
print(f"{'sent ms':>8} {'ttft real':>9} {'sim':>7} {'steps':>5} {'runner':>7} {'law':>7} {'outside':>7}  steps to the first token")
for request, simulated in zip(real["requests"], sim["requests"]):
    sent, ttft = request["sent_at_ms"], request["ttft_ms"]
    ran = [s for s in steps if s[1] > sent and s[1] <= sent + ttft + 2]
    # a step begun before the request was sent counts from the send on, its law in the same share
    inside = [min(1.0, (s[1] - sent) / s[2]) if s[2] else 1.0 for s in ran]
    runner = sum(s[2] * f for s, f in zip(ran, inside))
    modelled = sum(s[3] * f for s, f in zip(ran, inside))
    shapes = " ".join(f"{s[4]}p{s[5]}d@{s[6]}:{s[2]:.0f}/{s[3]:.0f}" for s in ran[:8]) + (" …" if len(ran) > 8 else "")
    print(f"{sent:>8.0f} {ttft:>9.1f} {simulated['ttft_ms']:>7.1f} {len(ran):>5} {runner:>7.1f} "
          f"{modelled:>7.1f} {ttft - runner:>7.1f}  {shapes}")

print_kinds(steps)
every = {}
for s in read_steps(steps_csv, start):
    every.setdefault(int((s[1] - shift) // 10000), []).append(s[2] / s[3])
print("runner/law per 10 s (the workload from 0 s): " + " ".join(
    f"{10 * k:+d}s {statistics.median(v):.2f}" for k, v in sorted(every.items())))
