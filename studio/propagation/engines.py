"""Choosing between the reference engine and the compiled kernel.

Both take the same CompiledScenario and the same Draws and give the same results; the kernel
(studio.propagation.kernel, numba) is only faster. It is optional: without numba everything runs
on the reference engine.
"""

from __future__ import annotations

from collections.abc import Callable

from studio.propagation.compiled import CompiledScenario
from studio.propagation.draws import draw
from studio.propagation.reference import simulate
from studio.propagation.summary import MetricLayout, RunSummary, summarise

SummaryFunction = Callable[[CompiledScenario, MetricLayout, "str | None", int], RunSummary]
ENGINES = ("auto", "reference", "kernel")


def reference_summary(
    model: CompiledScenario, layout: MetricLayout, playbook: str | None, seed: int
) -> RunSummary:
    """Key times of run ``seed`` computed by the pure-Python reference engine."""
    return summarise(model, layout, simulate(model, draw(model, playbook, seed), playbook))


def kernel_available() -> bool:
    """Whether the compiled kernel can be used (numba importable)."""
    try:
        from studio.propagation import kernel
    except ImportError:
        return False
    return kernel.AVAILABLE


# "auto" compiles the kernel only for batches big enough to repay numba's one-off compilation
# (tens of seconds the first time; later processes load it from numba's cache).
AUTO_KERNEL_WORK = 2_000_000


def summary_function(engine: str = "auto", work: int = 0) -> tuple[SummaryFunction, str]:
    """The per-run summary function of ``engine`` and the name of the engine actually used.

    ``work`` (runs x (systems + links)) lets "auto" keep small batches on the reference engine.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {ENGINES}")
    small = work < AUTO_KERNEL_WORK
    if engine == "reference" or (engine == "auto" and (small or not kernel_available())):
        return reference_summary, "reference"
    if not kernel_available():
        raise RuntimeError("the compiled kernel needs numba, which is not importable")
    from studio.propagation import kernel

    return kernel.kernel_summary, "kernel"
