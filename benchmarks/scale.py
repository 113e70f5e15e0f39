"""Large scenarios (issue 13): every figure next to a peer measured in the same run, on one core.

    taskset -c 1 python benchmarks/scale.py                      # 2k and 10k systems (~10 min)
    taskset -c 1 python benchmarks/scale.py --big                # adds 100k systems (long: on demand)
    python benchmarks/scale.py --sections mc --parallel          # Monte Carlo speed-up on every core

Run it pinned to one core (``taskset -c 1``): the peers (scipy, networkx, jsonschema...) run on one
core, and so do we; the Monte Carlo uses as many threads as the process may use cores, so pinned it
uses one. Every time is the median of ``--repeat`` runs (default 5) after one warm-up run, unless the
line says otherwise. Scenarios come from the synthetic hospital generator
(studio.propagation.synthetic.hospital_scenario) with ``--out-degree`` links per system and
``--depth`` (zones in a chain; default: zones of 60 systems) so that density and depth can be varied.

Sections (``--sections``, default all):
  validate  full validation (schema + rules) vs jsonschema-rs alone, fastjsonschema, jsonschema alone;
            and a revalidation after one edit (ScenarioValidator) vs a full validation
  timeline  run_timeline (compile + engine + render) vs scipy.sparse.csgraph.dijkstra and networkx
            on the same reach graph with the same drawn delays
  mc        Monte Carlo: the kernel on one core vs a one-core scipy loop with its own sampler
  fresh     first simulation on a fresh install (empty numba cache), in a new process
  pack      ``pack`` at 10k systems, by stage
  big       (with --big) 100k systems: the CLI's read + validate + simulate, by stage
  generate  offline MSEL generation and its lint: cost per timeline event at each size (linear =
            same cost), with --big at 100k systems too
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from timing import interleaved_medians, median_time

from studio.propagation.compiled import (
    EXPONENTIAL,
    FIXED,
    LOGNORMAL,
    TRIANGULAR,
    UNIFORM,
    CompiledScenario,
    clear_cache,
    compile_delay,
    compile_scenario,
    scenario_key,
)
from studio.propagation.draws import draw, draw_stacked
from studio.propagation.engines import kernel_available, run_events, warm_up
from studio.propagation.montecarlo import DRAW_BLOCK, monte_carlo, usable_cores
from studio.propagation.synthetic import hospital_scenario
from studio.propagation.timeline import run_timeline, to_timeline

REPO = Path(__file__).resolve().parents[1]


def show(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms" if seconds < 1 else f"{seconds:8.2f} s "


def line(label: str, seconds: float, peer: float | None = None, peer_name: str = "", goal: str = "") -> None:
    ratio = f"  {seconds / peer:6.2f}x {peer_name}" if peer else ""
    print(f"  {label:<52} {show(seconds)}{ratio}{'  goal ' + goal if goal else ''}")


def scenario_of(size: int, args: argparse.Namespace) -> dict[str, Any]:
    return hospital_scenario(size, seed=1, out_degree=args.out_degree, depth=args.depth)


# --- validation ---------------------------------------------------------------------------------


def section_validate(sizes: list[int], args: argparse.Namespace) -> None:
    print("\nValidation (schema + semantic rules; the peers check the schema only)")
    for size in sizes:
        validate_size(size, args)


def validate_size(size: int, args: argparse.Namespace) -> None:
    from studio.scenario.schema import fast_validator, load_schema, validator
    from studio.scenario.validate import ScenarioValidator, validate_scenario

    try:
        import fastjsonschema
    except ImportError:
        fastjsonschema = None
    scenario = scenario_of(size, args)
    print(f" {size:,} systems ({len(json.dumps(scenario)) / 1e6:.1f} MB of JSON)")
    ours = median_time(lambda s=scenario: validate_scenario(s), args.repeat)
    fast = fast_validator()
    rs = median_time(lambda s=scenario: fast.is_valid(s), args.repeat) if fast else None
    goal = "<= 1 s" if size <= 10_000 else "<= 10 s"
    line("validate_scenario (ours: rs finds, jsonschema explains)", ours, rs, "jsonschema-rs", goal)
    if rs:
        line("  peer: jsonschema-rs is_valid (schema only)", rs)
    if fastjsonschema is not None and size > 10_000:
        print("  peer: fastjsonschema skipped above 10,000 systems (about 1 s per 1,000 systems)")
    elif fastjsonschema is not None:
        compiled = fastjsonschema.compile(load_schema())
        fjs = median_time(lambda s=scenario: compiled(s), args.repeat)
        line("  peer: fastjsonschema (schema only)", fjs)
        line("  ours vs fastjsonschema", ours, fjs, "fastjsonschema")
    else:
        print("  peer: fastjsonschema not installed (pip install fastjsonschema)")
    if size <= args.jsonschema_max:
        slow = median_time(lambda s=scenario: list(validator().iter_errors(s)), args.repeat, warm=False)
        line("  peer: jsonschema alone (what validation used before)", slow)
        line("  ours vs jsonschema alone", ours, slow, "jsonschema")
    else:
        print(f"  peer: jsonschema alone skipped above {args.jsonschema_max:,} systems (--jsonschema-max)")
    # the studio: one edit, then revalidate only what changed
    checker = ScenarioValidator()
    checker.validate(scenario)
    edited = {**scenario, "systems": list(scenario["systems"])}
    target = len(edited["systems"]) // 2

    counter = iter(range(10**9))

    def one_edit() -> None:
        edited["systems"][target] = {**edited["systems"][target], "name": f"edited {next(counter)}"}
        checker.validate(edited, changed=[f"/systems/{target}/name"])

    incremental = median_time(one_edit, args.repeat)
    goal = "<= 0.5 s" if size <= 2_000 else "<= 2 s"
    line("revalidate after one edit (ScenarioValidator)", incremental, ours, "full validation", goal)


# --- one timeline -------------------------------------------------------------------------------


def reach_csr(model: CompiledScenario, delays: np.ndarray) -> csr_matrix:
    """The reach graph with one arc per (source, target): the smallest finite delay."""
    finite = np.isfinite(delays)
    src, dst, weight = model.reach_src[finite], model.reach_dst[finite], delays[finite]
    order = np.lexsort((weight, dst, src))
    src, dst, weight = src[order], dst[order], weight[order]
    first = np.ones(len(src), dtype=bool)
    first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
    # a zero delay would vanish from a sparse matrix: keep it as the smallest positive number
    weight = np.maximum(weight[first], np.finfo(float).tiny)
    return csr_matrix((weight, (src[first], dst[first])), shape=(model.n, model.n))


def section_timeline(sizes: list[int], args: argparse.Namespace) -> None:
    engine = "kernel" if kernel_available() else "reference"
    if engine == "kernel":
        warm_up()
    print(f"\nOne timeline, full semantics, playbook 'early', seed 1 (engine: {engine})")
    for size in sizes:
        timeline_size(size, engine, args)


def scipy_from_dicts(scenario: dict[str, Any], seed: int) -> np.ndarray:
    """The like-for-like peer of run_timeline: from the same scenario dicts to earliest-compromise
    times with scipy. It reads the reach links (ids mapped once), parses each distinct delay once,
    draws one delay per link with numpy's generators (its own sampler, no retries or credentials),
    builds the CSR matrix (smallest delay per pair) and runs one multi-source Dijkstra."""
    systems = scenario["systems"]
    index = {system["id"]: i for i, system in enumerate(systems)}
    owner, links = [], []
    for i, system in enumerate(systems):
        for link in system.get("links", ()):
            if link["kind"] == "reach" and link["target"] in index:
                owner.append(i)
                links.append(link)
    src = np.array(owner, dtype=np.int64)
    dst = np.array([index[link["target"]] for link in links], dtype=np.int64)
    spec_of: dict[tuple, int] = {}
    which = [spec_of.setdefault(tuple(link["delay"].items()), len(spec_of)) for link in links]
    specs = np.array([compile_delay(dict(key)) for key in spec_of], dtype=float).reshape(-1, 4)
    delays = ScipySampler(specs[which])(np.random.default_rng(seed))
    order = np.lexsort((delays, dst, src))
    src, dst, delays = src[order], dst[order], delays[order]
    first = np.r_[True, (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])]
    weight = np.maximum(delays[first], np.finfo(float).tiny)
    graph = csr_matrix((weight, (src[first], dst[first])), shape=(len(systems), len(systems)))
    sources = sorted({index[item["node"]] for item in scenario["attack"]["initial_access"]})
    return dijkstra(graph, indices=sources, min_only=True)


def timeline_size(size: int, engine: str, args: argparse.Namespace) -> None:
    scenario = scenario_of(size, args)
    model = compile_scenario(scenario)
    draws = draw(model, "early", 1)
    graph = reach_csr(model, draws.reach_delay)
    sources = sorted({node for node, _ in model.initial_access})
    links = len(model.reach_src) + len(model.dep_src)
    scipy_s = median_time(lambda g=graph: dijkstra(g, indices=sources, min_only=True), args.repeat)
    peer_dicts_s = median_time(lambda s=scenario: scipy_from_dicts(s, 1), args.repeat)
    nxgraph = nx.DiGraph()
    nxgraph.add_nodes_from(range(model.n))
    coo = graph.tocoo()
    nxgraph.add_weighted_edges_from(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True))
    networkx_s = median_time(lambda: nx.multi_source_dijkstra(nxgraph, sources), args.repeat)
    compile_s = median_time(lambda s=scenario: compile_scenario(s, cache=False), args.repeat)
    key_s = median_time(lambda s=scenario: scenario_key(s), args.repeat)
    engine_s = median_time(lambda m=model: run_events(m, draw(m, "early", 1), "early", engine), args.repeat)
    events = run_events(model, draws, "early", engine)
    render_s = median_time(lambda m=model, e=events: to_timeline(m, e, seed=1, playbook="early"), args.repeat)

    def first_run(s: dict[str, Any] = scenario) -> None:
        clear_cache()  # a scenario seen for the first time: compiled, kernel arrays and samplers built
        run_timeline(s, seed=1, playbook="early", engine=engine)

    cold_s = median_time(first_run, args.repeat)
    process_s = first_timeline_in_new_process(scenario, args.repeat)
    warm_s = median_time(
        lambda s=scenario: run_timeline(s, seed=1, playbook="early", engine=engine), args.repeat
    )
    print(f" {size:,} systems, {links:,} links, {len(events):,} events")
    print("  (a) like for like: from the scenario dicts to the result")
    line("run_timeline, scenario seen first (compile+engine+render)", cold_s, peer_dicts_s, "peer", "<= 5x")
    line("run_timeline, same scenario again (compile cache hit)", warm_s, peer_dicts_s, "peer", "<= 5x")
    line("run_timeline, first of a new process (as the CLI)", process_s, peer_dicts_s, "peer")
    line("  peer: dicts -> links, ids, delays, csr, scipy dijkstra", peer_dicts_s)
    line("  compile (scenario dicts -> arrays, no cache)", compile_s, peer_dicts_s, "peer")
    line("  cache key (pickle without memo + blake2b)", key_s, compile_s, "compile")
    line("  render (event log -> schema timeline dicts)", render_s, peer_dicts_s, "peer")
    print("  (b) kernel only: compiled arrays in, no dicts")
    line("engine (draws + kernel event loop -> typed event log)", engine_s, scipy_s, "scipy")
    line("  peer: scipy.sparse.csgraph.dijkstra on a built matrix", scipy_s)
    line("  peer: networkx multi_source_dijkstra", networkx_s, scipy_s, "scipy")
    line("run_timeline (first) vs networkx (built graph)", cold_s, networkx_s, "networkx")


# --- Monte Carlo --------------------------------------------------------------------------------


class ScipySampler:
    """The peer's own sampler: numpy's generators per distribution, one call per family and run."""

    def __init__(self, specs: np.ndarray) -> None:
        code, self.a, self.b, self.c = specs.T
        self.groups = {
            kind: np.flatnonzero(code == kind)
            for kind in (FIXED, UNIFORM, TRIANGULAR, LOGNORMAL, EXPONENTIAL)
        }
        self.values = np.where(code == FIXED, self.a, 0.0)
        tri = self.groups[TRIANGULAR]
        self.tri = tri[self.c[tri] > self.a[tri]]
        self.values[np.setdiff1d(tri, self.tri)] = self.a[np.setdiff1d(tri, self.tri)]

    def __call__(self, rng: np.random.Generator) -> np.ndarray:
        values = self.values.copy()
        g = self.groups
        values[g[UNIFORM]] = rng.uniform(self.a[g[UNIFORM]], self.b[g[UNIFORM]])
        values[self.tri] = rng.triangular(self.a[self.tri], self.b[self.tri], self.c[self.tri])
        values[g[LOGNORMAL]] = rng.lognormal(self.a[g[LOGNORMAL]], self.b[g[LOGNORMAL]])
        values[g[EXPONENTIAL]] = rng.exponential(self.a[g[EXPONENTIAL]])
        return values


def scipy_monte_carlo(model: CompiledScenario, runs: int) -> np.ndarray:
    """The peer: per run, draw every reach delay, swap them into a reused CSR structure (min over
    parallel arcs) and run one multi-source Dijkstra (earliest compromise only, OR semantics)."""
    sampler = ScipySampler(model.reach_delay)
    src, dst = model.reach_src, model.reach_dst
    order = np.lexsort((dst, src))
    pair_start = np.flatnonzero(
        np.r_[True, (src[order][1:] != src[order][:-1]) | (dst[order][1:] != dst[order][:-1])]
    )
    graph = csr_matrix(
        (np.ones(len(pair_start)), (src[order][pair_start], dst[order][pair_start])), shape=(model.n, model.n)
    )
    graph.sort_indices()
    sources = sorted({node for node, _ in model.initial_access})
    earliest = np.empty((runs, model.n))
    for run in range(runs):
        rng = np.random.default_rng(run)
        delays = sampler(rng)[order]
        graph.data = np.maximum(np.minimum.reduceat(delays, pair_start), 1e-300)
        earliest[run] = dijkstra(graph, indices=sources, min_only=True)
    return earliest


def section_mc(args: argparse.Namespace) -> None:
    scenario = scenario_of(2_000, args)
    model = compile_scenario(scenario)
    links = len(model.reach_src) + len(model.dep_src)
    cores = usable_cores()
    shape = f"{args.runs} runs, {model.n:,} systems, {links:,} links"
    print(f"\nMonte Carlo, {shape}; this process may use {cores} core(s)")
    if kernel_available():
        warm_up()
    engine = "kernel" if kernel_available() else "reference"
    if cores == 1 or not args.parallel:
        measured = interleaved_medians(
            {
                "ours": lambda: monte_carlo(scenario, runs=args.runs, seed=1, engine=engine),
                "peer": lambda: scipy_monte_carlo(model, args.runs),
            },
            args.repeat,
        )
        ours, peer = measured["ours"], measured["peer"]
        label = f"monte_carlo, {engine}, full semantics, {min(cores, 8)} thread(s)"
        line(
            label,
            ours,
            peer if cores == 1 else None,
            "scipy loop",
            "<= 1.5x (one core)" if cores == 1 else "",
        )
        blocks = range(1, args.runs + 1, DRAW_BLOCK)  # the runs' seeds, as monte_carlo(seed=1) draws them
        playbook = model.resolve_playbook(None)
        fill = None
        if engine == "kernel":
            from studio.propagation.kernel import table_fill as fill
        line(
            f"  of which drawing the random numbers ({DRAW_BLOCK} runs at a time)",
            median_time(
                lambda: [
                    draw_stacked(model, playbook, range(b, min(b + DRAW_BLOCK, args.runs + 1)), fill=fill)
                    for b in blocks
                ],
                args.repeat,
            ),
        )
        line("  peer: scipy loop, own sampler, Dijkstra per run (OR only)", peer)
        if cores > 1:
            print("  (not pinned to one core: rerun with taskset -c 1 for the one-core ratio)")
    if args.parallel and cores > 1:
        one = _pinned_monte_carlo(scenario, args)
        many = median_time(lambda: monte_carlo(scenario, runs=args.runs, seed=1, engine=engine), args.repeat)
        line(f"monte_carlo on {min(cores, 8)} threads", many, one, "one thread")
    elif args.parallel:
        print("  parallel speed-up: skipped, this process may use one core only")


def _pinned_monte_carlo(scenario: dict[str, Any], args: argparse.Namespace) -> float:
    allowed = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(allowed)})
    try:
        return median_time(lambda: monte_carlo(scenario, runs=args.runs, seed=1), args.repeat)
    finally:
        os.sched_setaffinity(0, allowed)


# --- fresh install ------------------------------------------------------------------------------


def _timed_process(command: list[str], environment: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def section_fresh(args: argparse.Namespace) -> None:
    print("\nFirst simulation on a fresh install (new process, empty numba cache; medians of --repeat)")
    cli = [sys.executable, "-m", "studio.cli"]
    with scenario_file(scenario_of(2_000, args), "hospital-2k.json") as path:
        one = [*cli, "simulate", str(path)]
        batch = [*cli, "simulate", str(path), "--runs", "200"]
        version = [*cli, "--help"]

        def fresh(command: list[str]) -> float:
            with tempfile.TemporaryDirectory() as cache:
                return _timed_process(command, {**os.environ, "NUMBA_CACHE_DIR": cache})

        start_s = median_time(lambda: fresh(version), args.repeat, warm=False)
        first = statistics.median(fresh(one) for _ in range(args.repeat))
        first_batch = statistics.median(fresh(batch) for _ in range(args.repeat))
        line("crisis-studio simulate (one timeline, 2k systems), fresh", first, None, "", "<= 5 s")
        line("crisis-studio simulate --runs 200 (2k systems), fresh", first_batch)
        line("  peer: crisis-studio --help (process start + imports)", start_s)
        with tempfile.TemporaryDirectory() as cache:
            environment = {**os.environ, "NUMBA_CACHE_DIR": cache}
            warm_s = _timed_process(
                [sys.executable, "-c", "from studio.propagation.engines import warm_up; warm_up()"],
                environment,
            )
            line("kernel build at install (scripts/_venv.sh warm-up, once)", warm_s)
            warmed = statistics.median(_timed_process(batch, environment) for _ in range(args.repeat))
            line("crisis-studio simulate --runs 200 once warmed up", warmed, first_batch, "fresh")


# --- pack, 100k, generation ----------------------------------------------------------------------


def _pipeline_stages(scenario: dict[str, Any], path: Path) -> dict[str, float]:
    """The CLI's pack, stage by stage (read and validate the input, then build_pack's own timings),
    with one ScenarioValidator for the input and the output as the CLI does."""
    from studio.exports.pipeline import build_pack
    from studio.scenario.document import load_scenario
    from studio.scenario.validate import ScenarioValidator, check_document

    stages: dict[str, float] = {}
    start = time.perf_counter()
    document = load_scenario(path)
    stages["read"] = time.perf_counter() - start
    start = time.perf_counter()
    checker = ScenarioValidator()
    document, _ = check_document(document, checker)
    stages["validate input"] = time.perf_counter() - start
    start = time.perf_counter()
    result = build_pack(document, checker=checker)
    total = time.perf_counter() - start
    stages.update(result.timings)
    stages["pack other"] = total - sum(result.timings.values())
    return stages


@contextmanager
def scenario_file(scenario: dict[str, Any], name: str) -> Iterator[Path]:
    """The scenario written to a temporary JSON file, as the CLI reads it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(json.dumps(scenario), encoding="utf-8")
        yield path


def section_pack(args: argparse.Namespace) -> None:
    print("\npack at 10k systems (the CLI's steps, in process; median per stage)")
    scenario = scenario_of(10_000, args)
    with scenario_file(scenario, "hospital-10k.json") as path:
        runs = [_pipeline_stages(scenario, path) for _ in range(args.pack_repeat)]
    for stage in runs[0]:
        line(stage, statistics.median(run[stage] for run in runs))
    line("pack total", statistics.median(sum(run.values()) for run in runs), None, "", "<= 10 s")
    print(f"  ({args.pack_repeat} runs; --pack-repeat to change)")


def section_big(args: argparse.Namespace) -> None:
    from studio.scenario.document import load_scenario
    from studio.scenario.validate import check_document

    print("\n100k systems: what crisis-studio simulate does (read, validate, one timeline)")
    scenario = scenario_of(100_000, args)
    with scenario_file(scenario, "hospital-100k.json") as path:
        size = path.stat().st_size
        read_s = median_time(lambda: load_scenario(path), args.repeat, warm=False)
        document = load_scenario(path)
    validate_s = median_time(lambda: check_document(document), args.repeat, warm=False)
    model = compile_scenario(scenario)
    graph = reach_csr(model, draw(model, "early", 1).reach_delay)
    sources = sorted({node for node, _ in model.initial_access})
    scipy_s = median_time(lambda: dijkstra(graph, indices=sources, min_only=True), args.repeat)
    peer_dicts_s = median_time(lambda: scipy_from_dicts(scenario, 1), args.repeat)
    first_s = first_timeline_in_new_process(scenario, args.repeat)
    again_s = median_time(lambda: run_timeline(scenario, seed=1), args.repeat)
    print(f"  file: {size / 1e6:.0f} MB")
    line("read (json parse)", read_s)
    line("validate", validate_s, None, "", "<= 10 s")
    line("run_timeline, first of a new process (as the CLI)", first_s, peer_dicts_s, "peer", "<= 5x")
    line("run_timeline again in the same process", again_s, peer_dicts_s, "peer")
    line(
        "simulate total (read + validate + first timeline)",
        read_s + validate_s + first_s,
        None,
        "",
        "<= 15 s",
    )
    line("  peer: dicts -> links, ids, delays, csr, scipy dijkstra", peer_dicts_s)
    line("  peer: scipy dijkstra on a built matrix", scipy_s)


def first_timeline_in_new_process(scenario: dict[str, Any], repeat: int) -> float:
    """Median over ``repeat`` new processes of their first run_timeline (numba imported and the
    kernel loaded only if the engine choice wants it, scenario compiled from scratch), as the CLI's
    simulate and pack run it; the scenario is handed over pickled, outside the timing."""
    import pickle

    code = (
        "import pickle, sys, time\n"
        "from studio.propagation.timeline import run_timeline\n"
        "scenario = pickle.loads(open(sys.argv[1], 'rb').read())\n"
        "start = time.perf_counter()\n"
        "run_timeline(scenario, seed=1)\n"
        "print(time.perf_counter() - start)\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scenario.pickle"
        path.write_bytes(pickle.dumps(scenario, protocol=5))
        command = [sys.executable, "-c", code, str(path)]
        runs = [
            subprocess.run(command, check=True, capture_output=True, text=True).stdout for _ in range(repeat)
        ]
    return statistics.median(float(out) for out in runs)


def section_generate(sizes: list[int], args: argparse.Namespace) -> None:
    """Generation and lint of the generated MSEL, per timeline event (linear = the same at every size).

    The peer is ``json.dumps`` of the same timeline, measured in the same run: a C pass over every
    event, what "touching each event once" costs at best."""
    from studio.injects.generator import generate_msel
    from studio.injects.lint import lint_msel

    print(
        "\nOffline generation and lint: cost per timeline event (linear in events = the same at every size)"
    )
    per_event = []
    for size in sizes:
        scenario = scenario_of(size, args)
        timeline = run_timeline(scenario, seed=1)
        with_timeline = {**scenario, "timeline": timeline}
        events = len(timeline["events"])
        seconds = median_time(
            lambda s=with_timeline, t=timeline: generate_msel(s, t), args.repeat, warm=False
        )
        result = generate_msel(with_timeline, timeline)
        lint_s = median_time(
            lambda r=result: lint_msel(r.scenario, knowledge=r.knowledge), args.repeat, warm=False
        )
        peer = median_time(lambda t=timeline: json.dumps(t), args.repeat)
        per_event.append(seconds / events)
        line(f"{size:,} systems: {events:,} events -> {len(result.scenario['injects']):,} injects", seconds)
        print(f"  {'':<52} {seconds / events * 1e6:8.2f} us per event (goal <= 10)")
        line("  lint_msel of that MSEL (knowledge from generation)", lint_s)
        line("  generate + lint", seconds + lint_s, peer, "json.dumps(timeline)", "well under 1 s at 10k")
    if len(per_event) > 1:
        print(f"  cost per event, largest / smallest size: {per_event[-1] / per_event[0]:.2f} (1.0 = linear)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_000, 10_000])
    parser.add_argument("--big", action="store_true", help="add the 100k-system figures (long)")
    parser.add_argument(
        "--sections", nargs="+", default=["validate", "timeline", "mc", "fresh", "pack", "big", "generate"]
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pack-repeat", type=int, default=5)
    parser.add_argument("--runs", type=int, default=1000, help="Monte Carlo runs")
    parser.add_argument(
        "--parallel", action="store_true", help="also report the Monte Carlo speed-up on every core"
    )
    parser.add_argument("--out-degree", type=float, default=5.0, help="links per system (density)")
    parser.add_argument("--depth", type=int, default=None, help="zones in a chain (default: zones of 60)")
    parser.add_argument(
        "--jsonschema-max", type=int, default=2_000, help="largest size for the slow jsonschema peer"
    )
    args = parser.parse_args()
    sizes = sorted(set(args.sizes + ([100_000] if args.big else [])))
    versions = f"Python {sys.version.split()[0]}, numpy {np.__version__}, networkx {nx.__version__}"
    print(f"{versions}; cores usable: {usable_cores()}")
    shape = f"out_degree {args.out_degree}, depth {args.depth or 'zones of 60'}"
    print(f"synthetic hospitals: {shape}; medians of {args.repeat}")
    sections = args.sections
    if "validate" in sections:
        section_validate(sizes, args)
    if "timeline" in sections:
        section_timeline(sizes, args)
    if "mc" in sections:
        section_mc(args)
    if "fresh" in sections:
        section_fresh(args)
    if "pack" in sections:
        section_pack(args)
    if "big" in sections and args.big:
        section_big(args)
    if "generate" in sections:
        section_generate(sizes, args)


if __name__ == "__main__":
    main()
