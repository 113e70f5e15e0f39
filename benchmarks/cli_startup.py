"""On-demand measurement (not a test): wall time of fresh `crisis-studio` commands.

    taskset -c 1 .venv/bin/python benchmarks/cli_startup.py [--runs 7] [--tree OTHER_CHECKOUT]

Runs each light command in a fresh interpreter, ``--runs`` times, and prints the median (min-max)
in milliseconds. ``--tree`` measures another checkout (its ``studio`` package first on the path) in
the same run, alternating with this one, for a before/after on the same machine load. The peer is
``--version`` (the interpreter and argparse, nothing else). What a command imports:
``python -X importtime -m studio.cli validate scenario_library/ch-rancongiciel-nuit.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def _generated_file(folder: Path) -> Path:
    from hostile_support import night_generated

    from studio.scenario.canonical import canonical_bytes

    path = folder / "night-generated.json"
    path.write_bytes(canonical_bytes(night_generated()))
    return path


def _once(tree: Path, argv: list[str]) -> float:
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "studio.cli", *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
        cwd=tempfile.gettempdir(),
        check=False,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--tree", type=Path, default=None, help="another checkout to measure alongside")
    args = parser.parse_args()
    library = str(ROOT / "scenario_library" / "ch-rancongiciel-nuit.json")
    trees = {"this": ROOT, **({"other": args.tree.resolve()} if args.tree else {})}
    with tempfile.TemporaryDirectory() as folder:
        generated = str(_generated_file(Path(folder)))
        commands = {
            "--version": ["--version"],
            "validate (library)": ["validate", library],
            "validate (with MSEL)": ["validate", generated],
            "lint (with MSEL)": ["lint", generated],
        }
        print(f"load average at start: {os.getloadavg()[0]:.2f}")
        for label, argv in commands.items():
            times: dict[str, list[float]] = {name: [] for name in trees}
            for _ in range(args.runs):
                for name, tree in trees.items():  # alternated: both see the same load
                    times[name].append(_once(tree, argv))
            figures = ", ".join(
                f"{name} {statistics.median(values) * 1000:.0f} ms ({min(values) * 1000:.0f}-"
                f"{max(values) * 1000:.0f})"
                for name, values in times.items()
            )
            print(f"{label}: {figures}")
        print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
