"""Offline MSEL generation speed on the territorial library scenario.

Prints the median of several runs for: the propagation run that gives the timeline, generation from
a stored timeline, and both together (what ``crisis-studio generate`` does on a library scenario),
with ratios against a baseline measured in the same run (full validation of the same scenario) and
against the 1-second budget; then lint of that MSEL, and lint of an MSEL carrying a hostile inject
body of 10 KB and of 100 KB (linear: about 10 times the added cost, not 100).
Run: ``taskset -c 1 python benchmarks/generate.py``.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from timing import median_time

SCENARIO = "territoire-insulaire-ght"
RUNS = 7
BUDGET_SECONDS = 1.0


def main() -> None:
    from studio.injects.generator import generate_msel
    from studio.propagation import run_timeline
    from studio.scenario.document import load_scenario
    from studio.scenario.library import library_paths
    from studio.scenario.validate import validate_scenario

    path = next(p for p in library_paths() if p.stem == SCENARIO)
    scenario = load_scenario(path)
    with_timeline = dict(scenario, timeline=run_timeline(scenario, seed=0))
    baseline = median_time(lambda: validate_scenario(scenario), RUNS)
    simulate = median_time(lambda: run_timeline(scenario, seed=0), RUNS)
    generate = median_time(lambda: generate_msel(with_timeline, seed=0), RUNS)
    end_to_end = median_time(lambda: generate_msel(scenario, seed=0), RUNS)
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
    hostile_lint(generate_msel(with_timeline, seed=0).scenario, baseline)


def with_hostile_body(msel: dict[str, Any], size: int) -> dict[str, Any]:
    """``msel`` with ``size`` characters of control-only notes cut every five words by a system's
    name (many short control texts) and a player message grown by ``size`` characters of words."""
    document = {**msel, "injects": [dict(inject) for inject in msel["injects"]]}
    players = [i for i in document["injects"] if i.get("visibility", "players") == "players"]
    chunk = f"alpha beta gamma delta epsilon {document['systems'][0]['name']} "
    players[0]["animator_notes"] = (chunk * (size // len(chunk) + 1))[:size]
    words = ("zeta eta theta iota kappa " * (size // 25 + 1))[:size]
    players[1]["message"] = players[1]["message"] + " " + words
    return document


def hostile_lint(msel: dict[str, Any], baseline: float) -> None:
    """Lint of ``msel`` as it is and with a hostile body of 10 KB and 100 KB, measured in turn in each
    round so that a change of machine load hits the three alike; the ratio is of the added times."""
    from studio.injects.lint import lint_msel

    documents = {0: msel, **{size: with_hostile_body(msel, size) for size in (10_000, 100_000)}}
    for document in documents.values():
        lint_msel(document)  # warm caches
    timings: dict[int, list[float]] = {size: [] for size in documents}
    for _ in range(RUNS):
        for size, document in documents.items():
            start = time.perf_counter()
            lint_msel(document)
            timings[size].append(time.perf_counter() - start)
    plain = statistics.median(timings[0])
    print(f"          {'lint_msel':28}{plain * 1000:8.1f} ms  ({plain / baseline:5.1f}x baseline)")
    added = {}
    for size in (10_000, 100_000):
        added[size] = statistics.median(b - a for a, b in zip(timings[0], timings[size], strict=True))
        print(f"          {f'lint, hostile {size // 1000} KB body':28}{(plain + added[size]) * 1000:8.1f} ms")
    ratio = added[100_000] / max(added[10_000], 1e-9)
    print(
        f"hostile body 100 KB vs 10 KB: {ratio:.1f}x the added lint time (linear: about 10, quadratic: 100)"
    )


if __name__ == "__main__":
    main()
