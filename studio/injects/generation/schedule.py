"""Stage 3 of the generator: placing the candidates on the exercise clock.

Core injects are placed first, then in story order (:func:`~studio.injects.generation.pacing.place`);
quiet periods get follow-ups (:mod:`~studio.injects.generation.followups`); while more than half of
the injects would fall in the first quarter of the played time, optional ones of that quarter are
held back to its end; finally no played hour may hold more than
:data:`~studio.injects.generation.pacing.SPIKE_FACTOR` times the injects of the median hour:
optional injects of a crowded hour move to the next hours with room, or are dropped
(:func:`balance_hours`).
"""

from __future__ import annotations

import math

from studio.injects.generation.followups import balance_noise, sustain
from studio.injects.generation.pacing import (
    FRONT_MAX_HOLD,
    cell_times,
    counts_for_pacing,
    fits,
    hour_counts,
    hour_of,
    next_slot,
    offset_minutes,
    place,
    quarter_minute,
    spike_limit,
)
from studio.injects.generation.plan import Candidate, Plan


def spread(plan: Plan, candidates: list[Candidate], limit: int, max_quiet: float) -> list[Candidate]:
    """Place the candidates (:func:`place`), add the follow-ups of quiet periods (:func:`sustain`)
    and, while more than half of the injects fall in the first quarter of the played time, hold
    back optional injects of that quarter until it ends (the latest first), or drop those that
    would then move more than :data:`FRONT_MAX_HOLD` minutes."""
    ctx, fixed, windows, taken, skipped = plan.ctx, plan.fixed, plan.windows, plan.taken, plan.skipped
    base = {candidate.inject_id: candidate.exercise_minute for candidate in candidates}
    quarter = quarter_minute(windows)
    held: set[str] = set()
    dropped: set[str] = set()
    placed: list[Candidate] = []
    notes: list[str] = []
    for _ in range(len(candidates) + 1):
        notes = [
            f"{inject_id}: dropped, too many injects in the first quarter" for inject_id in sorted(dropped)
        ]
        kept = [c for c in candidates if c.inject_id not in dropped]
        for candidate in kept:
            minute = base[candidate.inject_id]
            candidate.exercise_minute = max(minute, quarter) if candidate.inject_id in held else minute
        placed = place(ctx, kept, fixed, limit, notes, windows)
        if max_quiet > 0:
            placed_ids = taken | {candidate.inject_id for candidate in placed}
            placed = placed + sustain(plan, placed, limit, max_quiet, placed_ids, notes)
        counted = [m for c in placed for m in [c.exercise_minute]] + [
            offset_minutes(i) for i in fixed if counts_for_pacing(i)
        ]
        early = sum(1 for minute in counted if minute < quarter)
        excess = early - len(counted) // 2
        movable = sorted(
            (
                c
                for c in placed
                if c.exercise_minute < quarter
                and c.beat.priority == "optional"
                and c.inject_id in base
                and c.inject_id not in held
            ),
            key=lambda c: (-c.exercise_minute, c.inject_id),
        )
        if excess <= 0 or not movable:
            break
        for candidate in movable[:excess]:
            if quarter - base[candidate.inject_id] > FRONT_MAX_HOLD:
                dropped.add(candidate.inject_id)
            else:
                held.add(candidate.inject_id)
    skipped.extend(notes)
    return placed


def balance_hours(plan: Plan, placed: list[Candidate], limit: int) -> list[Candidate]:
    """Move optional injects out of hours holding more than the spike limit (see the module doc):
    the latest optional ones of a crowded hour go to the first later minute, in an hour with room,
    that keeps their cells within the pacing limit; those that find none are dropped."""
    windows = plan.windows
    fixed_minutes = [offset_minutes(i) for i in plan.fixed if counts_for_pacing(i)]
    for _ in range(len(placed) + 1):
        counts = hour_counts([c.exercise_minute for c in placed] + fixed_minutes, windows)
        cap = math.floor(spike_limit(counts))
        crowded = [key for key, count in counts.items() if count > cap]
        if not crowded:
            return placed
        key = crowded[0]
        movable = sorted(
            (
                c
                for c in placed
                if hour_of(c.exercise_minute, windows) == key
                and c.beat.priority == "optional"
                and c.beat.story is None
                and c.beat.recipient is None
            ),
            key=lambda c: (-c.exercise_minute, c.inject_id),
        )
        if not movable:
            return placed
        candidate = movable[0]
        others = [c for c in placed if c is not candidate]
        times_by_cell = cell_times(plan.fixed, others)
        minute = next_slot(windows, candidate.exercise_minute)
        while minute is not None and minute <= plan.ctx.duration:
            target = hour_of(minute, windows)
            if target is not None and target != key and counts.get(target, 0) + 1 <= cap:
                if fits(times_by_cell, candidate.to, minute, limit):
                    break
            minute = next_slot(windows, minute)
        if minute is None or minute > plan.ctx.duration:
            plan.skipped.append(f"{candidate.inject_id}: dropped, its hour holds too many injects")
            placed = others
        else:
            candidate.exercise_minute = minute
    return placed


def schedule(plan: Plan) -> None:
    """Stage 3: place ``plan.candidates`` and the follow-ups into ``plan.placed``."""
    settings = plan.settings
    placed = spread(plan, plan.candidates, settings.limit, settings.max_quiet)
    plan.placed = balance_noise(plan, balance_hours(plan, placed, settings.limit))
