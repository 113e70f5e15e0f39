"""``crisis-studio simulate FILE``: run the propagation engine on a scenario.

One run prints the timeline (events with their minute from the scenario start, kind, system and
causes); ``--runs N`` prints Monte Carlo statistics instead; ``--compare B`` compares the
playbook with playbook B over the same runs (common random numbers). The scenario is validated
first: an invalid one exits 1 with its problems, an unreadable one or an unknown playbook exits 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from studio.cli.common import EXIT_OK, EXIT_UNREADABLE, dump_json, read_checked


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="simulate the attack, the cascade and the playbook",
        description="Simulate a scenario: one seeded run (its timeline) or, with --runs, Monte Carlo "
        "statistics. Exit 0 on success, 1 when the scenario is invalid, 2 when it cannot be read or "
        "a playbook is unknown.",
    )
    parser.add_argument("file", metavar="FILE", help="scenario JSON file")
    parser.add_argument("--seed", type=int, default=0, help="seed of the (first) run (default 0)")
    parser.add_argument(
        "--runs", type=int, default=None, help="Monte Carlo: number of seeded runs (at most 100,000)"
    )
    parser.add_argument("--playbook", default=None, help="playbook id (default: the default playbook)")
    parser.add_argument("--compare", default=None, metavar="PLAYBOOK", help="with --runs: compare with it")
    parser.add_argument(
        "--nominal", action="store_true", help="one run with every delay at its median (ignores --seed)"
    )
    parser.add_argument(
        "--engine", choices=("auto", "reference", "kernel"), default="auto", help="Monte Carlo engine"
    )
    parser.add_argument(
        "--systems",
        type=int,
        default=15,
        metavar="N",
        help="with --runs: how many systems to list with their time percentiles (0: all; default 15)",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    parser.set_defaults(handler=run)


MAX_RUNS = 100_000
"""Percentiles are stable long before this; more runs only hold the terminal (and memory) hostage."""


def run(args: argparse.Namespace) -> int:
    if args.seed < 0:
        print("error: --seed must be 0 or more", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.runs is not None and not 1 <= args.runs <= MAX_RUNS:
        print(f"error: --runs must be 1 to {MAX_RUNS:,}", file=sys.stderr)
        return EXIT_UNREADABLE
    if args.compare is not None and args.runs is None:
        print("error: --compare needs --runs", file=sys.stderr)
        return EXIT_UNREADABLE
    scenario, code = read_checked(args.file, sys.stderr)
    if scenario is None:
        return code
    known = [book["id"] for book in scenario.get("playbooks", [])]  # not compiled twice: run_timeline does
    for name in (args.playbook, args.compare):
        if name is not None and name not in known:
            choices = ", ".join(sorted(known)) or "none"
            print(f"error: {args.file}: no playbook {name!r} (playbooks: {choices})", file=sys.stderr)
            return EXIT_UNREADABLE
    if args.runs is None:
        return _one_run(scenario, args)
    return _many_runs(scenario, args)


def _one_run(scenario: dict[str, Any], args: argparse.Namespace) -> int:
    from studio.propagation import run_timeline, timeline_rows

    timeline = run_timeline(scenario, seed=args.seed, playbook=args.playbook, nominal=args.nominal)
    if args.format == "json":
        dump_json(timeline, sys.stdout)
        return EXIT_OK
    header = f"seed {timeline['seed']}, playbook {timeline.get('playbook', '(none)')}"
    print(f"{args.file}: {header}, {len(timeline['events'])} events")
    rows = timeline_rows(scenario, timeline)
    columns = ("id", "clock", "kind", "node", "causes", "detail")
    widths = {col: max([len(col)] + [len(str(row[col])) for row in rows]) for col in columns[:-1]}
    print("  ".join(col.ljust(widths.get(col, 0)) for col in columns).rstrip())
    for row in rows:
        print("  ".join(str(row[col]).ljust(widths.get(col, 0)) for col in columns).rstrip())
    return EXIT_OK


def _many_runs(scenario: dict[str, Any], args: argparse.Namespace) -> int:
    from studio.propagation.montecarlo import compare_playbooks, monte_carlo

    if args.compare is not None:
        comparison = compare_playbooks(
            scenario, args.playbook, args.compare, runs=args.runs, seed=args.seed, engine=args.engine
        )
        if args.format == "json":
            dump_json(comparison.to_json(), sys.stdout)
            return EXIT_OK
        print(f"{args.file}: {args.runs} runs from seed {args.seed}, b - a in minutes")
        print(f"a = {comparison.a.playbook}, b = {comparison.b.playbook}")
        _print_stats({name: stats for name, stats in comparison.differences.items()}, paired=True)
        return EXIT_OK
    result = monte_carlo(scenario, runs=args.runs, seed=args.seed, playbook=args.playbook, engine=args.engine)
    report = result.to_json()
    if args.format == "json":
        dump_json(report, sys.stdout)
        return EXIT_OK
    print(
        f"{args.file}: {result.runs} runs from seed {result.seed}, playbook {result.playbook or '(none)'}, "
        f"engine {result.engine}; median run {result.median_run} (seed {report['median_run_seed']})"
    )
    _print_stats(report["metrics"], paired=False)
    _print_systems(result, args.systems)
    return EXIT_OK


def _print_systems(result: Any, limit: int) -> None:
    """The systems most often compromised, with the percentiles of when they fell and went down."""
    from studio.durations import format_clock

    def clock(value: float | None) -> str:
        return "-" if value is None else format_clock(value)

    rows = result.system_rows()
    shown = rows if limit == 0 else rows[:limit]
    print(f"\nsystems ({len(shown)} of {len(rows)}, most often compromised first; times p5 / p50 / p95):")
    print(
        f"  {'system':<24} {'compromised':>11} {'encrypted':>9} {'down':>6}  {'compromised at':<32} down at"
    )
    for row in shown:
        fell = " / ".join(clock(row[f"compromised_p{q}"]) for q in (5, 50, 95))
        down = " / ".join(clock(row[f"down_p{q}"]) for q in (5, 50, 95))
        print(
            f"  {row['system']:<24} {row['p_compromised']:>11.1%} {row['p_encrypted']:>9.1%} "
            f"{row['p_down']:>6.1%}  {fell:<32} {down}"
        )
    if not result.system_times:
        print("  (per-system times not kept for a batch this big: fewer runs or systems keep them)")


def _print_stats(metrics: dict[str, dict[str, Any]], *, paired: bool) -> None:
    from studio.durations import format_clock

    def cell(value: float | None) -> str:
        if value is None:
            return "never" if not paired else "-"
        return (("+" if value > 0 else "") + f"{value:.0f}m") if paired else format_clock(value)

    points = ("p5", "p50", "p95")
    print(f"{'metric':<32} {'happened':>8}  " + "  ".join(f"{p:>12}" for p in points))
    for name, stats in metrics.items():
        percentiles = stats.get("percentiles", {})
        happened = stats.get("p_happened_b", stats.get("p_happened", 0.0))
        values = "  ".join(f"{cell(percentiles.get(p)):>12}" for p in points)
        print(f"{name:<32} {happened:>8.0%}  {values}")
