#!/usr/bin/env python3
"""The simulation against the real run, per workload: TTFT p50/p90, TPOT p50/p90 and output throughput from the
JSON of `strata bench serve` (OUT/NAME.real.json) and `strata sim` (OUT/NAME.sim.json), with the simulation's error;
where the run also simulated the workload on the profile taken after it (OUT/NAME.sim-after.json), that and its error
(how much the host's drift over the workload moves the error); then the steps each side ran and the server's online law
where the run saved its metrics; then the knife edges of each simulation (a request that ends within 5% of its time of
another's arrival: a step-cost error that small in the real run flips whether the two share steps).
Usage: compare.py OUT NAME..."""
import json, os, sys
out, names = sys.argv[1], sys.argv[2:]
metrics = [("TTFT p50 ms", "ttft_ms", "p50"), ("TTFT p90 ms", "ttft_ms", "p90"), ("TPOT p50 ms", "tpot_ms", "p50"),
           ("TPOT p90 ms", "tpot_ms", "p90"), ("output tok/s", "output_throughput", None)]
after = all(os.path.exists(f"{out}/{name}.sim-after.json") for name in names)
print(f"{'workload':<22} {'metric':<13} {'real':>10} {'sim':>10} {'error':>8}" + (f" {'sim after':>10} {'error':>8}" if after else ""))
worst, within, worst_after, within_after, count = 0, 0, 0, 0, 0
def value(d, key, stat):
    return d[key][stat] if stat else d[key]
for name in names:
    real, sim = (json.load(open(f"{out}/{name}.{kind}.json")) for kind in ("real", "sim"))
    later = json.load(open(f"{out}/{name}.sim-after.json")) if after else None
    for label, key, stat in metrics:
        r, s = value(real, key, stat), value(sim, key, stat)
        error = (s - r) / r if r else float("nan")
        worst, within, count = max(worst, abs(error)), within + (abs(error) <= 0.15), count + 1
        line = f"{name:<22} {label:<13} {r:>10.1f} {s:>10.1f} {error:>+8.1%}"
        if later:
            a = value(later, key, stat)
            error_after = (a - r) / r if r else float("nan")
            worst_after, within_after = max(worst_after, abs(error_after)), within_after + (abs(error_after) <= 0.15)
            line += f" {a:>10.1f} {error_after:>+8.1%}"
        print(line)
print(f"within 15%: {within} of {count}, worst error {worst:.1%}" + (f"; on the profile after: {within_after} of {count}, worst {worst_after:.1%}" if after else ""))
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
# Knife edges: a simulated request that ends within 5% of its own time before another arrives (or is still running
# within 5% after it arrived) shares no step with it on one side of that line and many on the other; a step cost that
# much off in the real run moves that request's TPOT (and the other's TTFT) several-fold, and with ten requests a p50
# or p90 with it. Read a miss on such a figure as the host's noise crossing the line, not the simulation's schedule.
EDGE = 0.05
for name in names:
    requests = sorted(json.load(open(f"{out}/{name}.sim.json"))["requests"], key=lambda r: r["sent_at_ms"])
    for r in requests:
        end = r["sent_at_ms"] + r["e2el_ms"]
        for other in requests:
            margin = other["sent_at_ms"] - end
            if other["sent_at_ms"] > r["sent_at_ms"] and abs(margin) <= EDGE * r["e2el_ms"]:
                side = "before" if margin > 0 else "after"
                print(f"{name:<22} knife edge: the request sent at {r['sent_at_ms']:.0f} ms ends {abs(margin):.0f} ms "
                      f"({abs(margin) / r['e2el_ms']:.1%} of its {r['e2el_ms']:.0f} ms) {side} the one sent at {other['sent_at_ms']:.0f} ms arrives")
