"""Choosing between the reference engine and the compiled kernel.

Both take the same CompiledScenario and the same Draws and give the same results (key times for
Monte Carlo, and the full event log for a timeline); the kernel (studio.propagation.kernel, numba)
is only faster. It is optional: without numba everything runs on the reference engine.
``summary_function`` picks the engine of a Monte Carlo batch, ``timeline_engine`` / ``run_events``
that of one timeline.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path

from studio.propagation.compiled import CompiledScenario
from studio.propagation.draws import Draws, draw, draw_stacked
from studio.propagation.reference import simulate
from studio.propagation.summary import MetricLayout, RunSummary, summarise

# (model, layout, playbook, seed, draws=None): the run's draws when already made (Monte Carlo draws
# its runs in blocks), else drawn from the seed.
SummaryFunction = Callable[..., RunSummary]
ENGINES = ("auto", "reference", "kernel")


def reference_summary(
    model: CompiledScenario, layout: MetricLayout, playbook: str | None, seed: int, draws: Draws | None = None
) -> RunSummary:
    """Key times of run ``seed`` computed by the pure-Python reference engine (``draws``: the run's,
    if already drawn)."""
    draws = draw(model, playbook, seed) if draws is None else draws
    return summarise(model, layout, simulate(model, draws, playbook))


def kernel_available() -> bool:
    """Whether the compiled kernel can be used (numba importable)."""
    try:
        from studio.propagation import kernel
    except ImportError:
        return False
    return kernel.AVAILABLE


# "auto" uses the kernel for batches at least this big (runs x (systems + links)), when its machine
# code is ready (kernel_ready: compiled in this process or in numba's cache; scripts/_venv.sh warms it
# up at install). A first compilation takes tens of seconds: no designer's first simulation pays it.
AUTO_KERNEL_WORK = 2_000_000


def summary_function(engine: str = "auto", work: int = 0) -> tuple[SummaryFunction, str]:
    """The per-run summary function of ``engine`` and the name of the engine actually used.

    ``work`` (runs x (systems + links)) lets "auto" keep small batches on the reference engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {ENGINES}")
    small = work < AUTO_KERNEL_WORK
    # "auto" never compiles on the user's path: without the kernel's machine code at hand (a fresh
    # install that was not warmed up), the batch runs on the reference engine.
    if engine == "reference" or (engine == "auto" and (small or not kernel_ready())):
        return reference_summary, "reference"
    if not kernel_available():
        raise RuntimeError("the compiled kernel needs numba, which is not importable")
    from studio.propagation import kernel

    return kernel.kernel_summary, "kernel"


# One timeline: the kernel (timeline mode) for scenarios at least this big (systems + links) once
# its machine code is loaded in this process. A kernel only present in numba's on-disk cache costs
# about 0.35 s to load (plus 0.15 s to import numba), what the reference engine needs for ~100k
# systems + links: the first timeline of a process (the CLI's simulate and pack write only one)
# loads it only from AUTO_TIMELINE_LOAD_SIZE on; a process that asks for a second one (the studio)
# loads it then. A first compilation (tens of seconds) is never paid by "auto".
AUTO_TIMELINE_SIZE = 5_000
AUTO_TIMELINE_LOAD_SIZE = 150_000
_timelines_chosen = 0


def kernel_loaded() -> bool:
    """Whether the kernel's machine code is already loaded in this process (without importing numba)."""
    kernel = sys.modules.get("studio.propagation.kernel")
    return kernel is not None and kernel.AVAILABLE and bool(kernel._runs.signatures)


def kernel_ready() -> bool:
    """Whether the kernel runs without compiling first: numba importable and its machine code
    already compiled in this process or present in numba's cache (studio/propagation/__pycache__,
    or NUMBA_CACHE_DIR). ``warm_up`` fills that cache."""
    if not kernel_available():
        return False
    from studio.propagation import kernel

    return all(_dispatcher_ready(entry) for entry in (kernel._runs, kernel._fill_table))


def _dispatcher_ready(dispatcher) -> bool:
    """Whether a kernel entry point is compiled in this process or present in numba's cache."""
    if dispatcher.signatures:
        return True
    try:  # numba's cache index file (a private attribute: any surprise means "not ready")
        return Path(dispatcher._cache._cache_file._index_path).exists()
    except Exception:
        return False


def warm_up() -> bool:
    """Compile the kernel now (or load it from numba's cache) on a tiny scenario; False without
    numba. Call it once after installing, or at start-up, so that no timeline pays for it."""
    if not kernel_available():
        return False
    from studio.propagation import kernel
    from studio.propagation.compiled import compile_scenario
    from studio.propagation.synthetic import hospital_scenario

    model = compile_scenario(hospital_scenario(30))
    kernel.kernel_events(model, draw(model, None, 0), None)  # timelines
    kernel.kernel_summary(model, MetricLayout.of(model), None, 0)  # Monte Carlo blocks
    draw_stacked(model, None, [0], fill=kernel.table_fill)  # and their draws
    return True


def warm_up_in_background() -> threading.Thread:
    """Start a daemon thread (the studio at start-up) that builds the kernel unless it is ready or
    numba is missing (importing numba to know is left to the thread too); returns the thread.
    Meanwhile "auto" keeps using the reference engine."""

    def build() -> None:
        if kernel_available() and not kernel_ready():
            warm_up()

    thread = threading.Thread(target=build, name="kernel-warm-up", daemon=True)
    thread.start()
    return thread


def timeline_engine(model: CompiledScenario, engine: str = "auto") -> str:
    """The engine that writes one timeline of ``model``: "reference" or "kernel" (see AUTO_TIMELINE_SIZE
    and AUTO_TIMELINE_LOAD_SIZE)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {ENGINES}")
    if engine == "kernel":
        if not kernel_available():
            raise RuntimeError("the compiled kernel needs numba, which is not importable")
        return "kernel"
    if engine == "reference":
        return "reference"
    global _timelines_chosen
    _timelines_chosen += 1
    size = model.n + len(model.reach_src) + len(model.dep_src)
    if size >= AUTO_TIMELINE_SIZE and kernel_loaded():
        return "kernel"
    worth_loading = size >= AUTO_TIMELINE_LOAD_SIZE or (size >= AUTO_TIMELINE_SIZE and _timelines_chosen > 1)
    if worth_loading and kernel_ready():
        return "kernel"
    return "reference"


def run_events(model: CompiledScenario, draws: Draws, playbook: str | None, engine: str = "auto"):
    """The typed event log of one run (RunEvents, or the kernel's KernelEvents: same rows).

    The kernel hands a run with a restore deadlock back to the reference engine, which alone
    writes that report."""
    if timeline_engine(model, engine) == "kernel":
        from studio.propagation import kernel

        events = kernel.kernel_events(model, draws, playbook)
        if events is not None:
            return events
    return simulate(model, draws, playbook)
