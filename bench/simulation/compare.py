#!/usr/bin/env python3
"""The simulation against the real run, per workload: TTFT p50/p90, TPOT p50/p90 and output throughput from the
JSON of `strata bench serve` (OUT/NAME.real.json) and `strata sim` (OUT/NAME.sim.json), with the simulation's error;
then the steps each side ran and the server's online law where the run saved its metrics.
Usage: compare.py OUT NAME..."""
import json, sys
out, names = sys.argv[1], sys.argv[2:]
metrics = [("TTFT p50 ms", "ttft_ms", "p50"), ("TTFT p90 ms", "ttft_ms", "p90"), ("TPOT p50 ms", "tpot_ms", "p50"),
           ("TPOT p90 ms", "tpot_ms", "p90"), ("output tok/s", "output_throughput", None)]
print(f"{'workload':<22} {'metric':<13} {'real':>10} {'sim':>10} {'error':>8}")
worst = 0
for name in names:
    real, sim = (json.load(open(f"{out}/{name}.{kind}.json")) for kind in ("real", "sim"))
    for label, key, stat in metrics:
        r, s = (d[key][stat] if stat else d[key] for d in (real, sim))
        error = (s - r) / r if r else float("nan")
        worst = max(worst, abs(error))
        print(f"{name:<22} {label:<13} {r:>10.1f} {s:>10.1f} {error:>+8.1%}")
print(f"worst error {worst:.1%}")
# The steps each side ran (the server's counter over the measured run, which counts bench serve's one-token
# calibration requests too, ~20 steps; the warm-up's are left out) and the server's own
# online fit of the step law over those steps' whole periods: where the real run's time went that the profile's law misses.
def steps(path):
    return sum(float(l.split()[-1]) for l in open(path) if l.startswith("strata_engine_steps_total"))
for name in names:
    try:
        real_steps = steps(f"{out}/{name}.metrics.after") - steps(f"{out}/{name}.metrics.before")
        law = " ".join(l.split("{")[1].split("}")[0] + "=" + l.split()[-1] for l in open(f"{out}/{name}.metrics.after") if l.startswith("strata_step_cost_seconds"))
    except (OSError, IndexError, ValueError):
        continue
    sim_steps = json.load(open(f"{out}/{name}.sim.json"))["steps"]
    print(f"{name:<22} steps real {real_steps:.0f} sim {sim_steps}; server's online law: {law}")
