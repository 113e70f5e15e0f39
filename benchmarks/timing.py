"""Wall-clock medians shared by the benchmark scripts (each script runs with benchmarks/ on its path).

Every figure the benchmarks print is a median of several runs, like with like: ours and the peer
the same number of times, on the same core."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_time(action: Callable[[], Any], repeat: int, warm: bool = True) -> float:
    """Median wall time of ``repeat`` calls (after one untimed call when ``warm``), in seconds."""
    if warm:
        action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_medians(actions: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Median wall time of each action over ``repeat`` rounds, each round calling every action once
    in turn (after one untimed call of each): a machine whose speed drifts during the benchmark
    then slows ours and the peer alike, and their ratio stays like for like."""
    for action in actions.values():
        action()
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeat):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}
