"""Offline MSEL generation speed on the territorial library scenario.

Prints the median of several runs for: the propagation run that gives the timeline, generation from
a stored timeline, and both together (what ``crisis-studio generate`` does on a library scenario),
with ratios against a baseline measured in the same run (full validation of the same scenario) and
against the 1-second budget. Run: ``python benchmarks/generate.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

SCENARIO = "territoire-insulaire-ght"
RUNS = 7
BUDGET_SECONDS = 1.0


def median_seconds(action: Callable[[], Any], runs: int = RUNS) -> float:
    action()  # warm caches (templates, schema validators, imports)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    from studio.injects.generator import generate_msel
    from studio.propagation import run_timeline
    from studio.scenario.document import load_scenario
    from studio.scenario.library import library_paths
    from studio.scenario.validate import validate_scenario

    path = next(p for p in library_paths() if p.stem == SCENARIO)
    scenario = load_scenario(path)
    with_timeline = dict(scenario, timeline=run_timeline(scenario, seed=0))
    baseline = median_seconds(lambda: validate_scenario(scenario))
    simulate = median_seconds(lambda: run_timeline(scenario, seed=0))
    generate = median_seconds(lambda: generate_msel(with_timeline, seed=0))
    end_to_end = median_seconds(lambda: generate_msel(scenario, seed=0))
    injects = len(generate_msel(scenario, seed=0).scenario["injects"])
    print(f"scenario: {SCENARIO} ({len(scenario['systems'])} systems, {injects} injects generated)")
    print(f"baseline  {'validate_scenario':28}{baseline * 1000:8.1f} ms")
    for label, seconds in (
        ("run_timeline", simulate),
        ("generate (stored timeline)", generate),
        ("generate (simulate + MSEL)", end_to_end),
    ):
        print(f"          {label:28}{seconds * 1000:8.1f} ms  ({seconds / baseline:5.1f}x baseline)")
    print(f"budget    {BUDGET_SECONDS:.1f} s: end-to-end uses {end_to_end / BUDGET_SECONDS:.0%} of it")
    print("PASS" if end_to_end <= BUDGET_SECONDS else "FAIL")


if __name__ == "__main__":
    main()
