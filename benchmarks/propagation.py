"""Benchmark of the propagation engine against networkx baselines measured in the same run.

    python benchmarks/propagation.py [--sizes 2000 10000 100000] [--runs 1000] [--baseline-runs 200]

1. One timeline with the full semantics (credentials, cascade, degraded modes, detonation,
   detection, playbook with isolation and restores) on synthetic hospital-like graphs (about 5
   links per system), next to networkx.multi_source_dijkstra from the initial-access nodes on the
   same reach graph with the same drawn delays (earliest compromise only): ratio = ours / Dijkstra
   (<= 1.0 means no slower). Timed separately:
   * compile: scenario dict -> arrays (compile_scenario; once per scenario, shared by every run);
   * engine: draws of the seed + the event loop writing the typed, time-ordered event log with
     causes (kernel when numba is importable, as run_timeline's "auto" uses it for big scenarios);
   * engine + render: the same, then rendered to the schema timeline (JSON-ready dicts): what
     run_timeline does after compiling;
   * reference: draws + the pure-Python reference engine (the fallback and the oracle).
2. Monte Carlo: N runs on 2,000 systems (about 10,000 links) with the compiled kernel, the
   pure-Python reference and a per-run networkx baseline (reassign the drawn delays, run Dijkstra).
   Per-run costs are measured on --baseline-runs runs for the slow baselines and scaled to N.

Figures are medians of --repeat runs (default 5). Run it pinned to one core (taskset -c 1) so that
the kernel's Monte Carlo and the networkx baseline both use one core; benchmarks/scale.py has the
issue-13 figures (scipy peers, fresh install, pack, 100k systems).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import networkx as nx
from timing import median_time

from studio.propagation.compiled import compile_scenario
from studio.propagation.draws import draw
from studio.propagation.engines import kernel_available, run_events, warm_up
from studio.propagation.montecarlo import monte_carlo
from studio.propagation.reference import simulate
from studio.propagation.synthetic import hospital_scenario
from studio.propagation.timeline import run_timeline, to_timeline


def best_of(repeat: int, function: Callable[[], Any]) -> float:
    """Median wall time of ``repeat`` calls, no warm-up call (the name is historical: every figure
    of this benchmark and its peers is a median, like with like)."""
    return median_time(function, repeat, warm=False)


def reach_graph(model, delays) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(model.n))
    for src, dst, delay in zip(
        model.reach_src.tolist(), model.reach_dst.tolist(), delays.tolist(), strict=True
    ):
        if delay != float("inf") and (not graph.has_edge(src, dst) or graph[src][dst]["weight"] > delay):
            graph.add_edge(src, dst, weight=delay)
    return graph


def single_timeline(sizes: list[int], repeat: int) -> None:
    engine = "kernel" if kernel_available() else "reference"
    print(f"1. One timeline, full semantics (playbook 'early'), seed 1; engine = {engine}")
    if engine == "kernel":
        start = time.perf_counter()
        warm_up()
        took = time.perf_counter() - start
        print(f"   kernel warm-up (compile, or load numba's cache; once per process): {took:.2f} s")
    print(
        f"{'systems':>8} {'links':>7} {'events':>7} {'compile':>9} {'engine':>9} {'ratio':>6} "
        f"{'+render':>9} {'ratio':>6} {'reference':>10} {'ratio':>6} {'dijkstra':>9} {'run_timeline':>13}"
    )
    for size in sizes:
        scenario = hospital_scenario(size, seed=1)
        compile_s = best_of(1 if size > 20000 else repeat, lambda s=scenario: compile_scenario(s))
        model = compile_scenario(scenario)
        draws = draw(model, "early", 1)
        events = run_events(model, draws, "early", engine)
        reference = simulate(model, draws, "early")
        assert events.rows == reference.rows, "the kernel and the reference engine disagree"
        engine_s = best_of(repeat, lambda m=model: run_events(m, draw(m, "early", 1), "early", engine))
        render_s = best_of(
            repeat,
            lambda m=model: to_timeline(
                m, run_events(m, draw(m, "early", 1), "early", engine), seed=1, playbook="early"
            ),
        )
        reference_s = best_of(
            1 if size > 20000 else repeat, lambda m=model: simulate(m, draw(m, "early", 1), "early")
        )
        whole_s = best_of(
            1 if size > 20000 else repeat,
            lambda s=scenario: run_timeline(s, seed=1, playbook="early", engine=engine),
        )
        graph = reach_graph(model, draws.reach_delay)
        sources = {node for node, _ in model.initial_access}
        dijkstra_s = best_of(repeat, lambda g=graph, s=sources: nx.multi_source_dijkstra(g, s))
        links = len(model.reach_src) + len(model.dep_src)
        print(
            f"{size:>8} {links:>7} {len(events):>7} {ms(compile_s):>9} {ms(engine_s):>9} "
            f"{engine_s / dijkstra_s:>6.2f} {ms(render_s):>9} {render_s / dijkstra_s:>6.2f} "
            f"{ms(reference_s):>10} {reference_s / dijkstra_s:>6.2f} {ms(dijkstra_s):>9} {ms(whole_s):>13}"
        )
    print("   engine    = draws + event loop -> typed event log (time, kind, node, causes, detail ref);")
    print("   +render   = engine + rendering to the schema timeline dicts (run_timeline minus compile);")
    print("   reference = draws + the pure-Python reference engine (same log, checked equal above);")
    print("   compile   = scenario dict -> arrays, once per scenario (run_timeline pays it on each call);")
    print("   run_timeline = the public call on the scenario dict: compile + engine + render;")
    print("   dijkstra  = networkx.multi_source_dijkstra from the initial accesses, same reach graph and")
    print("               delays (graph built outside the timing); ratio = column / dijkstra.")


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f}ms"


def monte_carlo_batch(runs: int, baseline_runs: int, repeat: int) -> None:
    scenario = hospital_scenario(2000, seed=1)
    model = compile_scenario(scenario)
    links = len(model.reach_src) + len(model.dep_src)
    print(f"\n2. Monte Carlo, {runs} runs, {model.n} systems, {links} links, playbook 'early'")

    graph = reach_graph(model, draw(model, "early", 0).reach_delay)
    source = model.initial_access[0][0]

    def networkx_runs() -> None:
        for run in range(baseline_runs):
            delays = draw(model, "early", run).reach_delay
            arcs = zip(model.reach_src.tolist(), model.reach_dst.tolist(), delays.tolist(), strict=True)
            for src, dst, delay in arcs:
                if graph.has_edge(src, dst):
                    graph[src][dst]["weight"] = delay
            nx.single_source_dijkstra(graph, source)

    networkx_s = best_of(1, networkx_runs) / baseline_runs * runs
    reference_s = (
        best_of(1, lambda: monte_carlo(scenario, runs=baseline_runs, engine="reference"))
        / baseline_runs
        * runs
    )
    print(f"   networkx per run (draw + reweight + Dijkstra, OR only): {networkx_s:7.2f} s for {runs} runs")
    print(f"   reference engine (full semantics):                       {reference_s:7.2f} s for {runs} runs")
    if not kernel_available():
        print("   compiled kernel: numba not importable, skipped")
        return
    start = time.perf_counter()
    monte_carlo(scenario, runs=2, engine="kernel")
    print(f"   kernel warm-up (compile or load numba's cache):          {time.perf_counter() - start:7.2f} s")
    kernel_s = best_of(repeat, lambda: monte_carlo(scenario, runs=runs, engine="kernel"))
    print(f"   compiled kernel (full semantics):                        {kernel_s:7.2f} s for {runs} runs")
    print(f"   speed-up vs networkx baseline:  {networkx_s / kernel_s:5.1f}x")
    print(f"   speed-up vs reference engine:   {reference_s / kernel_s:5.1f}x")
    per_run_draws = best_of(1, lambda: [draw(model, "early", run) for run in range(100)]) / 100
    print(f"   of which drawing the random delays: {per_run_draws * runs:5.2f} s for {runs} runs")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--baseline-runs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    single_timeline(args.sizes, args.repeat)
    monte_carlo_batch(args.runs, args.baseline_runs, args.repeat)


if __name__ == "__main__":
    main()
