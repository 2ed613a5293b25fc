#!/usr/bin/env python3
"""How far the host moved between profiles taken in turn (validate.sh's, before each workload and after the last): the
time each profile gives a few shapes of the validation's steps, with the change from the profile before.
Usage: drift.py PROFILE.json..."""
import json, os, sys

# (label, prefill tokens, decoding sequences, context tokens, prefill attention, admitted prompt tokens)
SHAPES = [("lone decode at 160", 0, 1, 160, 0, 0), ("6 decodes at 160", 0, 6, 960, 0, 0),
          ("64-token chunk at 64", 64, 0, 64, 64 * 64, 128), ("32 new after 384 cached", 32, 0, 416, 32 * 416, 416)]

def seconds(p, prefill, decodes, context, attention, admitted):
    c, o = p["cost"], p.get("server_overhead", {})
    return (c["fixed_seconds"] + c["prefill_token_seconds"] * prefill + c["decode_sequence_seconds"] * decodes
            + c["context_token_seconds"] * context + c.get("prefill_attention_seconds", 0) * attention
            + c.get("lone_row_seconds", 0) * ((prefill + decodes) % 4)
            + o.get("step_seconds", 0) + o.get("token_seconds", 0) * decodes + o.get("prompt_token_seconds", 0) * admitted)

profiles = [(os.path.basename(path).removesuffix(".profile.json"), json.load(open(path))) for path in sys.argv[1:]]
print(f"{'profile':<16}" + "".join(f"{label + ' ms':>28}" for label, *_ in SHAPES) + f"{'request ms':>16}")
previous = None
for name, p in profiles:
    times = [seconds(p, *shape[1:]) * 1e3 for shape in SHAPES] + [p.get("server_overhead", {}).get("request_seconds", 0) * 1e3]
    cells = []
    for i, t in enumerate(times):
        change = f" ({(t - previous[i]) / previous[i]:+.0%})" if previous and previous[i] else ""
        cells.append(f"{t:.1f}{change}")
    print(f"{name:<16}" + "".join(f"{c:>28}" for c in cells[:-1]) + f"{cells[-1]:>16}")
    previous = times
