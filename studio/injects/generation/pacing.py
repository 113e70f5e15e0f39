"""Pacing: how stimuli are spread over the played sessions. Shared by the generator and lint.

Definitions (exercise minutes from STARTEX; ``windows`` are the played sessions):

* **load**: no player cell receives more than ``limit`` injects in any 15-minute window, nor two
  injects less than :data:`STAGGER` minutes apart (contingency and control injects do not count);
* **phases**: each session has its own build-up. The first session opens with the *alert* (its
  first fifth), then *escalation* (to two fifths); later sessions open with *escalation* (a new
  wave after the situation update); every session then has *management* and ends with *exit* (its
  last tenth): hand-over, restart, press point;
* **hours**: the played time cut into hours from each session's start; an hour is a *spike* when it
  holds more than :data:`SPIKE_FACTOR` times the injects of the median hour;
* **tail**: every session's final hour holds at least one inject (the story runs to ENDEX).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from typing import Any

from studio.durations import parse_minutes
from studio.injects.context import ScenarioContext
from studio.injects.generation.plan import Candidate
from studio.scenario.timemodel import next_played_minute

SPIKE_FACTOR = 2.5
PHASES = ("alert", "escalation", "management", "exit")
PHASE_NAMES = {
    "fr": {
        "alert": "Alerte",
        "escalation": "Montée en puissance",
        "management": "Gestion",
        "exit": "Sortie de crise",
    },
    "en": {"alert": "Alert", "escalation": "Escalation", "management": "Management", "exit": "Exit"},
}

PACING_WINDOW = 15.0


PACING_STEP = 5.0


OPTIONAL_MAX_SHIFT = 60.0


STAGGER = 5.0
"""Exercise minutes between two injects to the same player cell: injects that fall on the same
minutes (a compressed segment, the start of a session) are told one after the other."""


FRONT_MAX_HOLD = 180.0
"""Exercise minutes an optional inject may be held back so that the MSEL is not front-loaded."""


DEFAULT_MAX_QUIET = 60.0
"""Default longest stretch of play (exercise minutes) a player cell goes without an inject once the
crisis has started; quiet periods are filled with follow-ups of the situation (see :func:`sustain`)."""


def _window_load(times: list[float], extra: float) -> int:
    """Largest number of injects in a half-open 15-minute window that contains ``extra``."""
    all_times = sorted([*times, extra])
    return max(
        sum(1 for t in all_times if start <= t < start + PACING_WINDOW)
        for start in all_times
        if extra - PACING_WINDOW < start <= extra
    )


def paced_minutes(times_by_cell: dict[str, list[float]], cells: list[str], minute: float, limit: int) -> bool:
    """True when adding an inject at ``minute`` for ``cells`` keeps every cell within ``limit``."""
    return all(_window_load(times_by_cell.get(cell, []), minute) <= limit for cell in cells)


def offset_minutes(inject: dict[str, Any]) -> float:
    return parse_minutes(inject["offset"])


def counts_for_pacing(inject: dict[str, Any]) -> bool:
    """Injects delivered to players count towards a cell's load; reserve and control ones do not."""
    return not inject.get("contingency") and inject.get("visibility", "players") == "players"


def fits(times_by_cell: dict[str, list[float]], cells: list[str], minute: float, limit: int) -> bool:
    """True when ``minute`` keeps every cell within ``limit`` per 15 minutes and at least
    :data:`STAGGER` minutes away from the cell's other injects."""
    return all(
        all(abs(t - minute) >= STAGGER - 1e-9 for t in times_by_cell.get(cell, [])) for cell in cells
    ) and paced_minutes(times_by_cell, cells, minute, limit)


def cell_times(fixed: list[dict[str, Any]], placed: list[Candidate]) -> dict[str, list[float]]:
    """Exercise minutes of the injects each player cell receives (those that count for pacing)."""
    times_by_cell: dict[str, list[float]] = {}
    for inject in fixed:
        if counts_for_pacing(inject):
            for cell in inject["to"]:
                times_by_cell.setdefault(cell, []).append(offset_minutes(inject))
    for candidate in placed:
        for cell in candidate.to:
            times_by_cell.setdefault(cell, []).append(candidate.exercise_minute)
    return times_by_cell


def place(
    ctx: ScenarioContext,
    candidates: list[Candidate],
    fixed: list[dict[str, Any]],
    limit: int,
    skipped: list[str],
    windows: list[tuple[float, float]],
) -> list[Candidate]:
    """Stagger the candidates: core ones first, then in the order of the story (scenario minute,
    event); each at its minute or the first later one, by 5-minute steps inside the played sessions,
    where its cells stay within the pacing limit and :data:`STAGGER` minutes apart. Optional ones
    moved more than :data:`OPTIONAL_MAX_SHIFT` minutes of play are dropped."""
    times_by_cell = cell_times(fixed, [])
    order = sorted(
        candidates,
        key=lambda c: (
            c.beat.priority != "core",
            c.exercise_minute,
            c.beat.minute,
            c.beat.cause["id"],
            c.inject_id,
        ),
    )
    placed = []
    for candidate in order:
        minute: float | None = candidate.exercise_minute
        optional = candidate.beat.priority == "optional"
        max_shift = OPTIONAL_MAX_SHIFT if optional else ctx.duration
        # Optional injects leave room under the limit: a burst of the story is told by its core
        # injects first, the rest comes a little later.
        room = max(1, limit - 1) if optional else limit
        shift = 0.0
        while minute is not None and minute <= ctx.duration and shift <= max_shift:
            if fits(times_by_cell, candidate.to, minute, room):
                break
            # Pauses between sessions do not count in the shift: only minutes of play do.
            following = next_played_minute(windows, minute + PACING_STEP)
            shift += PACING_STEP
            minute = following
        if minute is None or minute > ctx.duration or shift > max_shift:
            skipped.append(f"{candidate.inject_id}: no room for cells {', '.join(candidate.to)} (pacing)")
            continue
        candidate.exercise_minute = minute
        for cell in candidate.to:
            times_by_cell.setdefault(cell, []).append(minute)
        placed.append(candidate)
    return placed


def quarter_minute(windows: list[tuple[float, float]]) -> float:
    """Exercise minute at which a quarter of the played time (the sessions) has gone by."""
    left = sum(end - start for start, end in windows) / 4
    for start, end in windows:
        if left <= end - start:
            return start + left
        left -= end - start
    return windows[-1][1] if windows else 0.0


def phase_at(minute: float, windows: list[tuple[float, float]]) -> str:
    """The pacing phase at exercise ``minute`` (see the module doc)."""
    for index, (start, end) in enumerate(windows):
        if start <= minute <= end or index == len(windows) - 1:
            length = max(end - start, 1.0)
            share = (minute - start) / length
            if share >= 0.9:
                return "exit"
            if index == 0 and share < 0.2:
                return "alert"
            if share < 0.4:
                return "escalation"
            return "management"
        if minute < start:
            return "escalation"
    return "management"


def hour_of(minute: float, windows: list[tuple[float, float]]) -> tuple[int, int] | None:
    """(session index, hour index within the session) of an exercise minute; None outside play."""
    for index, (start, end) in enumerate(windows):
        if start <= minute <= end:
            return index, min(int((minute - start) // 60), max(0, math.ceil((end - start) / 60) - 1))
    return None


def hour_counts(minutes: Iterable[float], windows: list[tuple[float, float]]) -> dict[tuple[int, int], int]:
    """Injects per played hour; every hour of every session is present (zero when empty)."""
    counts = {
        (index, hour): 0
        for index, (start, end) in enumerate(windows)
        for hour in range(max(1, math.ceil((end - start) / 60)))
    }
    for minute in minutes:
        key = hour_of(minute, windows)
        if key is not None:
            counts[key] += 1
    return counts


def spike_limit(counts: dict[tuple[int, int], int]) -> float:
    """Most injects an hour may hold: :data:`SPIKE_FACTOR` times the median hour (at least 1)."""
    median = statistics.median(counts.values()) if counts else 0
    return SPIKE_FACTOR * max(median, 1)


def spikes(
    minutes: Iterable[float], windows: list[tuple[float, float]]
) -> list[tuple[tuple[int, int], int, float]]:
    """Hours over :func:`spike_limit`: (session and hour, count, limit)."""
    counts = hour_counts(minutes, windows)
    limit = spike_limit(counts)
    return [(key, count, limit) for key, count in sorted(counts.items()) if count > limit]


def empty_tails(minutes: Iterable[float], windows: list[tuple[float, float]]) -> list[int]:
    """Sessions whose final hour holds no inject."""
    times = sorted(minutes)
    return [
        index
        for index, (start, end) in enumerate(windows)
        if not any(max(start, end - 60) <= t <= end for t in times)
    ]


def next_slot(windows: list[tuple[float, float]], minute: float) -> float | None:
    """The next minute of play from ``minute`` by one pacing step."""
    return next_played_minute(windows, minute + PACING_STEP)
