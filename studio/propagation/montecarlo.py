"""Monte Carlo runs and playbook comparison.

Run ``i`` of a batch with seed ``s`` is exactly ``run_timeline(scenario, seed=s + i)``: a designer can
turn any run (or the median run) into the scenario's timeline with ``MonteCarloResult.timeline``.
Two playbooks compared with the same seed see the same attacker in every run (common random
numbers, see studio.propagation.draws), so their paired differences are not swamped by noise.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from studio.propagation import engines
from studio.propagation.compiled import CompiledScenario, compile_scenario
from studio.propagation.draws import draw_block, draw_stacked
from studio.propagation.summary import BlockSummary, MetricLayout
from studio.propagation.timeline import run_timeline

Progress = Callable[[int, int], None]
DEFAULT_PERCENTILES = (5, 25, 50, 75, 95)
# Per-run times of every system are kept up to this many (run, system) pairs: two float64 arrays,
# 160 MB at the limit (1,000 runs of 10,000 systems).
PER_SYSTEM_LIMIT = 10_000_000
# Runs drawn together (studio.propagation.draws.draw_block): the arithmetic of the draws is paid once
# per block instead of once per run, and the kernel runs a block per call. 16 measured best on the
# 2,000-system benchmark hospital (1,000 runs on one core: 4 runs 1.06 s, 8 0.98 s, 16 0.90 s,
# 32 0.90 s); a block of 16 such runs draws about 2 MB.
DRAW_BLOCK = 16


def _json_number(value: float) -> float | None:
    """JSON has no inf or NaN: both become null (the accompanying counts say which it was)."""
    return None if not math.isfinite(value) else round(float(value), 3)


def describe(values: np.ndarray, percentiles: tuple[int, ...] = DEFAULT_PERCENTILES) -> dict[str, Any]:
    """Statistics of one metric over runs: NaN means it did not happen in that run, inf that it
    never ended. Percentiles are over the runs where it happened and are sample values
    (inverted CDF, no interpolation), so an inf percentile means "not over by the end of the run"."""
    happened = values[~np.isnan(values)]
    stats: dict[str, Any] = {
        "runs": len(values),
        "p_happened": float(len(happened) / len(values)) if len(values) else 0.0,
        "never_ended": int(np.isinf(happened).sum()),
    }
    if len(happened):
        points = np.percentile(happened, percentiles, method="inverted_cdf")
        stats["percentiles"] = {f"p{q}": _json_number(v) for q, v in zip(percentiles, points, strict=True)}
        finite = happened[np.isfinite(happened)]
        stats["mean"] = _json_number(finite.mean()) if len(finite) else None
    return stats


def describe_columns(
    values: np.ndarray, percentiles: tuple[int, ...] = DEFAULT_PERCENTILES
) -> list[dict[str, Any]]:
    """``describe`` of every column of a (runs, columns) array, computed for all columns at once
    (10,000 systems: one call instead of 10,000)."""
    runs, columns = values.shape
    happened = ~np.isnan(values)
    counts = happened.sum(axis=0)
    never_ended = np.isinf(values).sum(axis=0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # columns where nothing happened
        points = np.nanpercentile(values, percentiles, axis=0, method="inverted_cdf").reshape(
            len(percentiles), columns
        )
        finite = np.where(np.isfinite(values), values, np.nan)
        means = np.nanmean(finite, axis=0)
    found = []
    for column in range(columns):
        stats: dict[str, Any] = {
            "runs": runs,
            "p_happened": float(counts[column] / runs) if runs else 0.0,
            "never_ended": int(never_ended[column]),
        }
        if counts[column]:
            stats["percentiles"] = {
                f"p{q}": _json_number(points[row, column]) for row, q in enumerate(percentiles)
            }
            stats["mean"] = _json_number(means[column]) if counts[column] > never_ended[column] else None
        found.append(stats)
    return found


@dataclass
class MonteCarloResult:
    """Per-run key times and per-system hit rates of a batch of runs.

    ``values[name]`` holds one value per run (see summary.MetricLayout for the names).
    ``p_compromised``, ``p_encrypted`` and ``p_down`` give, per system id, the share of runs in
    which the system was compromised (a credential: obtained), encrypted, or lost its function.
    ``median_run`` is the run closest to the middle of the batch on detection, encryption and
    total clinical outage together (the run whose ranks on these deviate least from 50 %).
    """

    runs: int
    seed: int
    playbook: str | None
    engine: str
    values: dict[str, np.ndarray]
    p_compromised: dict[str, float]
    p_encrypted: dict[str, float]
    p_down: dict[str, float]
    median_run: int
    extra: dict[str, Any] = field(default_factory=dict)
    system_times: dict[str, np.ndarray] = field(default_factory=dict)
    """Per-run times of every system, (runs, systems) arrays in system order: ``compromised`` (first
    compromise; a credential: obtained) and ``down`` (first loss of normal function), NaN when it did
    not happen in that run. Empty when the batch is too big to keep them (see PER_SYSTEM_LIMIT)."""

    def run_seed(self, run: int | str) -> int:
        """Seed that reproduces run ``run`` (an index or "median")."""
        index = self.median_run if run == "median" else int(run)
        if not 0 <= index < self.runs:
            raise IndexError(f"run {index} is not in this batch of {self.runs}")
        return self.seed + index

    def timeline(self, scenario: dict[str, Any], run: int | str = "median") -> dict[str, Any]:
        """The schema timeline of one run of the batch (an index or "median")."""
        seed = self.run_seed(run)
        return run_timeline(scenario, seed=seed, playbook=self.playbook, run=run)

    def describe(self, name: str, percentiles: tuple[int, ...] = DEFAULT_PERCENTILES) -> dict[str, Any]:
        return describe(self.values[name], percentiles)

    def system_statistics(
        self, percentiles: tuple[int, ...] = DEFAULT_PERCENTILES
    ) -> dict[str, dict[str, dict[str, Any]]]:
        """Per system id: for ``compromised`` and ``down``, statistics of its per-run times (as
        ``describe``: share of runs where it happened, percentiles over those runs). Empty when the
        batch kept no per-system times."""
        if not self.system_times:
            return {}
        ids = list(self.p_compromised)
        found: dict[str, dict[str, dict[str, Any]]] = {node: {} for node in ids}
        for what, times in self.system_times.items():
            for node, stats in zip(ids, describe_columns(times, percentiles), strict=True):
                found[node][what] = stats
        return found

    def system_rows(self, percentiles: tuple[int, ...] = (5, 50, 95)) -> list[dict[str, Any]]:
        """One flat row per system, most often compromised first: id, share of runs compromised,
        encrypted and down, and the percentiles (minutes) of the time of compromise and of the loss
        of function. For tables (the CLI prints the first rows; the studio can show them all)."""
        statistics = self.system_statistics(percentiles)
        rows = []
        for node in self.p_compromised:
            row: dict[str, Any] = {
                "system": node,
                "p_compromised": self.p_compromised[node],
                "p_encrypted": self.p_encrypted[node],
                "p_down": self.p_down[node],
            }
            for what in ("compromised", "down"):
                points = statistics.get(node, {}).get(what, {}).get("percentiles", {})
                for q in percentiles:
                    row[f"{what}_p{q}"] = points.get(f"p{q}")
            rows.append(row)
        rows.sort(key=lambda row: (-row["p_compromised"], -row["p_down"], row["system"]))
        return rows

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: metadata, statistics per metric, hit probabilities and time statistics
        per system."""
        statistics = self.system_statistics()
        return {
            "runs": self.runs,
            "seed": self.seed,
            "playbook": self.playbook,
            "engine": self.engine,
            "median_run": self.median_run,
            "median_run_seed": self.run_seed("median") if self.runs else None,
            "metrics": {name: describe(values) for name, values in self.values.items()},
            "systems": {
                node: {
                    "p_compromised": self.p_compromised[node],
                    "p_encrypted": self.p_encrypted[node],
                    "p_down": self.p_down[node],
                    **statistics.get(node, {}),
                }
                for node in self.p_compromised
            },
        }


def _median_run(values: dict[str, np.ndarray], layout: MetricLayout) -> int:
    runs = len(values["encryption"]) if values else 0
    if runs == 0:
        return 0
    outages = [values[name] for name in layout.names if name.startswith("outage:")]
    horizon_total = np.zeros(runs)
    for outage in outages:
        # a service that never comes back counts as the longest outage seen, so ranks stay finite
        finite_max = (
            np.nanmax(np.where(np.isfinite(outage), outage, np.nan)) if np.isfinite(outage).any() else 0
        )
        horizon_total += np.nan_to_num(np.where(np.isinf(outage), finite_max * 2 + 1, outage), nan=0.0)
    criteria = [values["first_detection"], values["encryption"], horizon_total]
    deviation = np.zeros(runs)
    for column in criteria:
        # runs where it did not happen rank after every run where it did
        order = np.argsort(np.where(np.isnan(column), np.inf, column), kind="stable")
        ranks = np.empty(runs)
        ranks[order] = np.arange(runs)
        deviation += np.abs(ranks / max(runs - 1, 1) - 0.5)
    return int(np.argmin(deviation))


def usable_cores() -> int:
    """Cores this process may run on (taskset and container limits included, unlike os.cpu_count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _blocks(
    model: CompiledScenario,
    layout: MetricLayout,
    playbook: str | None,
    seed: int,
    runs: int,
    engine_name: str,
) -> Iterator[BlockSummary]:
    """Run summaries in run order, DRAW_BLOCK runs at a time (the same values as one by one). The
    compiled kernel runs a whole block per call and releases the GIL, so its blocks are spread over
    the cores; runs are independent and gathered in order, so the result does not change."""

    def block(first: int) -> BlockSummary:
        seeds = range(seed + first, seed + min(first + DRAW_BLOCK, runs))
        if engine_name == "kernel":
            from studio.propagation import kernel

            draws = draw_stacked(model, playbook, seeds, fill=kernel.table_fill)
            return kernel.kernel_block_summary(model, layout, playbook, draws)
        draws = draw_block(model, playbook, seeds)
        summaries = [
            engines.reference_summary(model, layout, playbook, s, d)
            for s, d in zip(seeds, draws, strict=True)
        ]
        return BlockSummary.of(summaries)

    starts = range(0, runs, DRAW_BLOCK)
    workers = min(usable_cores(), 8) if engine_name == "kernel" else 1
    if workers == 1 or len(starts) < 2:
        for first in starts:
            yield block(first)
        return
    yield block(0)  # compiles or loads the kernel once
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(block, starts[1:])


def _batch(
    model: CompiledScenario,
    playbook: str | None,
    runs: int,
    seed: int,
    progress: Progress | None,
    done_before: int,
    total: int,
    engine: str,
) -> MonteCarloResult:
    layout = MetricLayout.of(model)
    size = model.n + len(model.reach_src) + len(model.dep_src)
    _, engine_name = engines.summary_function(engine, work=runs * size)
    times = np.empty((runs, len(layout.names)))
    keep_systems = runs * model.n <= PER_SYSTEM_LIMIT
    system_times = (
        {what: np.empty((runs, model.n)) for what in ("compromised", "down")} if keep_systems else {}
    )
    compromised = np.zeros(model.n)
    encrypted = np.zeros(model.n)
    down = np.zeros(model.n)
    done = 0
    for block in _blocks(model, layout, playbook, seed, runs, engine_name):
        rows = slice(done, done + len(block))
        times[rows] = block.times
        if keep_systems:
            system_times["compromised"][rows] = block.first_compromise
            system_times["down"][rows] = block.first_loss
        compromised += block.compromised.sum(axis=0)
        encrypted += block.encrypted.sum(axis=0)
        down += block.down.sum(axis=0)
        for _ in range(len(block)):
            done += 1
            if progress is not None:
                progress(done_before + done, total)
    values = {name: times[:, column] for column, name in enumerate(layout.names)}
    share = max(runs, 1)
    return MonteCarloResult(
        runs=runs,
        seed=seed,
        playbook=playbook,
        engine=engine_name,
        values=values,
        p_compromised={node: float(c / share) for node, c in zip(model.ids, compromised, strict=True)},
        p_encrypted={node: float(c / share) for node, c in zip(model.ids, encrypted, strict=True)},
        p_down={node: float(c / share) for node, c in zip(model.ids, down, strict=True)},
        median_run=_median_run(values, layout),
        system_times=system_times,
    )


def monte_carlo(
    scenario: dict[str, Any],
    *,
    runs: int,
    seed: int = 0,
    playbook: str | None = None,
    progress: Progress | None = None,
    engine: str = "auto",
) -> MonteCarloResult:
    """Run a valid scenario ``runs`` times (run i with seed ``seed + i``) and gather its statistics.

    ``playbook`` as in run_timeline. ``progress(done, total)`` is called after every run.
    ``engine`` is "reference" (pure Python), "kernel" (compiled; needs numba) or "auto" (the
    kernel for big batches when numba is importable); both give identical results.
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    model = compile_scenario(scenario)
    chosen = model.resolve_playbook(playbook)
    return _batch(model, chosen, runs, seed, progress, 0, runs, engine)


@dataclass
class PlaybookComparison:
    """Two batches run with the same seeds (common random numbers) and their paired differences.

    ``differences[name]`` describes ``b - a`` over the runs where the metric happened in both;
    ``p_b_earlier`` / ``p_b_later`` are the shares of those runs where b's time is smaller / larger.
    """

    a: MonteCarloResult
    b: MonteCarloResult
    differences: dict[str, dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {"a": self.a.to_json(), "b": self.b.to_json(), "differences": self.differences}


def paired_differences(a: MonteCarloResult, b: MonteCarloResult) -> dict[str, dict[str, Any]]:
    """Per metric: statistics of b - a on the runs where both are finite, and who is earlier how often."""
    found = {}
    for name, values_a in a.values.items():
        values_b = b.values[name]
        both = np.isfinite(values_a) & np.isfinite(values_b)
        delta = values_b[both] - values_a[both]
        stats = describe(delta) if len(delta) else {"runs": 0}
        stats["paired_runs"] = int(both.sum())
        stats["p_b_earlier"] = float((delta < 0).mean()) if len(delta) else None
        stats["p_b_later"] = float((delta > 0).mean()) if len(delta) else None
        stats["p_happened_a"] = float((~np.isnan(values_a)).mean())
        stats["p_happened_b"] = float((~np.isnan(values_b)).mean())
        found[name] = stats
    return found


def compare_playbooks(
    scenario: dict[str, Any],
    a: str | None,
    b: str | None,
    *,
    runs: int,
    seed: int = 0,
    progress: Progress | None = None,
    engine: str = "auto",
) -> PlaybookComparison:
    """Run ``runs`` seeded runs under playbooks ``a`` and ``b`` (ids; None = the default playbook)
    with common random numbers and return both batches and their paired differences.
    ``progress(done, total)`` counts the runs of both batches (total = 2 * runs)."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    model = compile_scenario(scenario)
    chosen_a, chosen_b = model.resolve_playbook(a), model.resolve_playbook(b)
    result_a = _batch(model, chosen_a, runs, seed, progress, 0, 2 * runs, engine)
    result_b = _batch(model, chosen_b, runs, seed, progress, runs, 2 * runs, engine)
    return PlaybookComparison(result_a, result_b, paired_differences(result_a, result_b))
