"""Key times of one run: what Monte Carlo statistics are made of.

A run is reduced to a fixed vector of key times (NaN when the thing never happened) plus, per
system, whether it was compromised, encrypted or lost its function. Both engines produce the
same summary for the same draws, which is what the kernel equivalence test compares.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

from studio.propagation.compiled import CompiledScenario
from studio.propagation.reference import RunEvents

NAN = math.nan


@dataclass(frozen=True)
class MetricLayout:
    """Names of the key times of a scenario, in vector order.

    ``first_detection``, ``encryption``, then ``credential:<id>`` per credential node, then per
    clinical service ``down:<id>`` (first loss of normal function, down or degraded), ``degraded:<id>``
    (first time in degraded mode) and ``outage:<id>`` (length of that first loss until the service is
    up again; inf when it never comes back during the run).
    """

    names: tuple[str, ...]
    credentials: tuple[int, ...]
    services: tuple[int, ...]

    @classmethod
    def of(cls, model: CompiledScenario) -> MetricLayout:
        credentials = tuple(i for i, kind in enumerate(model.kind) if kind == "credential")
        services = tuple(i for i, kind in enumerate(model.kind) if kind == "clinical_service")
        names = ["first_detection", "encryption"]
        names += [f"credential:{model.ids[i]}" for i in credentials]
        for i in services:
            names += [f"down:{model.ids[i]}", f"degraded:{model.ids[i]}", f"outage:{model.ids[i]}"]
        return cls(tuple(names), credentials, services)


@dataclass
class RunSummary:
    times: np.ndarray
    """Key times in MetricLayout order."""
    compromised: np.ndarray
    encrypted: np.ndarray
    down: np.ndarray
    """Per system: lost its normal function (down or degraded) at some point."""
    first_compromise: np.ndarray
    """Per system: minute of its first compromise (a credential: obtained), NaN if none."""
    first_loss: np.ndarray
    """Per system: minute it first lost its normal function, NaN if never."""


@dataclass
class BlockSummary(RunSummary):
    """The RunSummary fields of several consecutive runs, one row per run (Monte Carlo gathers its
    runs by blocks)."""

    @classmethod
    def of(cls, summaries: list[RunSummary]) -> BlockSummary:
        return cls(*(np.stack([getattr(summary, name) for summary in summaries]) for name in BLOCK_FIELDS))

    def __len__(self) -> int:
        return len(self.times)


BLOCK_FIELDS = tuple(item.name for item in fields(RunSummary))


def summarise(model: CompiledScenario, layout: MetricLayout, events: RunEvents) -> RunSummary:
    """Reduce the events of one run to its key times and per-system hits."""
    n = model.n
    first_obtained = [NAN] * n
    first_loss = [NAN] * n
    first_degraded = [NAN] * n
    back_up = [NAN] * n
    compromised = np.zeros(n, dtype=bool)
    encrypted = np.zeros(n, dtype=bool)
    down = np.zeros(n, dtype=bool)
    detection = encryption = NAN
    for time, kind, node, _, _ in events.rows:
        if kind in ("initial_access", "compromised", "credential_obtained"):
            compromised[node] = True
            if first_obtained[node] != first_obtained[node]:
                first_obtained[node] = time
        elif kind == "down" or kind == "degraded":
            down[node] = True
            if first_loss[node] != first_loss[node]:
                first_loss[node] = time
            if kind == "degraded" and first_degraded[node] != first_degraded[node]:
                first_degraded[node] = time
        elif kind == "up":
            if first_loss[node] == first_loss[node] and back_up[node] != back_up[node]:
                back_up[node] = time
        elif kind == "encrypted":
            if node < 0:
                encryption = time
            else:
                encrypted[node] = True
        elif kind == "detected" and detection != detection:
            detection = time
    values = [detection, encryption]
    values += [first_obtained[i] for i in layout.credentials]
    for i in layout.services:
        lost = first_loss[i]
        outage = NAN if lost != lost else (math.inf if back_up[i] != back_up[i] else back_up[i] - lost)
        values += [lost, first_degraded[i], outage]
    return RunSummary(
        np.array(values, dtype=float),
        compromised,
        encrypted,
        down,
        np.array(first_obtained, dtype=float),
        np.array(first_loss, dtype=float),
    )
