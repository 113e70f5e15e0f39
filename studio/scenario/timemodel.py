"""The exercise clock and the scenario clock.

Play runs on the *exercise clock*: minutes from STARTEX. The story runs on the *scenario clock*:
minutes from ``time_model.scenario_start``. The time model is piecewise linear: segment ``i`` starts
at exercise minute ``from_i``, where the scenario clock shows ``scenario_offset_i``, and advances at
``speed_i`` scenario minutes per exercise minute. When ``scenario_offset_{i+1}`` is later than the
point segment ``i`` reaches at ``from_{i+1}``, the gap is a *time jump*: scenario minutes inside it are
never played. Scenario time never goes backwards (validation refuses such a model).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from studio.durations import parse_minutes


@dataclass(frozen=True)
class Segment:
    start: float
    """Exercise minute where the segment starts."""
    scenario_start: float
    """Scenario minute shown at ``start``."""
    speed: float
    label: str = ""


@dataclass(frozen=True)
class TimeModel:
    scenario_origin: datetime
    segments: tuple[Segment, ...]

    @classmethod
    def from_scenario(cls, scenario: dict[str, Any]) -> TimeModel:
        """Build the model of a *valid* scenario (validation reports bad time models first)."""
        model = scenario["exercise"]["time_model"]
        segments = tuple(
            sorted(
                (
                    Segment(
                        parse_minutes(seg["from"]),
                        parse_minutes(seg["scenario_offset"]),
                        float(seg["speed"]),
                        seg.get("label", ""),
                    )
                    for seg in model["segments"]
                ),
                key=lambda seg: seg.start,
            )
        )
        return cls(datetime.fromisoformat(model["scenario_start"]), segments)

    def _segment_index_for_exercise(self, exercise_minute: float) -> int:
        starts = [seg.start for seg in self.segments]
        return max(bisect_right(starts, exercise_minute) - 1, 0)

    def scenario_minute(self, exercise_minute: float) -> float:
        """Scenario minute shown at ``exercise_minute`` (minutes from STARTEX)."""
        seg = self.segments[self._segment_index_for_exercise(exercise_minute)]
        return seg.scenario_start + (exercise_minute - seg.start) * seg.speed

    def exercise_minute(self, scenario_minute: float) -> float | None:
        """Exercise minute at which the scenario clock shows ``scenario_minute``.

        Scenario minutes before the first segment map to the first segment's start (an event that
        happened before STARTEX is told at STARTEX); minutes inside a time jump map to ``None``.
        """
        first = self.segments[0]
        if scenario_minute <= first.scenario_start:
            return first.start
        for index, seg in enumerate(self.segments):
            end = self.segments[index + 1].start if index + 1 < len(self.segments) else None
            reached = None if end is None else seg.scenario_start + (end - seg.start) * seg.speed
            if reached is None or scenario_minute < reached:
                if scenario_minute < seg.scenario_start:
                    return None
                return seg.start + (scenario_minute - seg.scenario_start) / seg.speed
        return None

    def next_exercise_minute(self, scenario_minute: float) -> float:
        """Like exercise_minute, but an instant inside a jump is told when play resumes after it."""
        direct = self.exercise_minute(scenario_minute)
        if direct is not None:
            return direct
        later = [seg for seg in self.segments if seg.scenario_start >= scenario_minute]
        return later[0].start if later else self.segments[-1].start

    def scenario_datetime(self, exercise_minute: float) -> datetime:
        """Scenario date and time shown at ``exercise_minute``."""
        return self.scenario_origin + timedelta(minutes=self.scenario_minute(exercise_minute))

    def jumps(self) -> list[tuple[float, float, float]]:
        """Time jumps as (exercise minute, scenario minute left, scenario minute resumed)."""
        found = []
        for before, after in zip(self.segments, self.segments[1:], strict=False):
            reached = before.scenario_start + (after.start - before.start) * before.speed
            if after.scenario_start > reached + 1e-9:
                found.append((after.start, reached, after.scenario_start))
        return found


def played_windows(scenario: dict[str, Any]) -> list[tuple[float, float]]:
    """Played windows as (start, end) exercise minutes, sorted; the whole STARTEX-ENDEX window by default.

    ``exercise.sessions`` lists the windows when play pauses (a night between two days of play).
    Assumes a valid scenario.
    """
    exercise = scenario["exercise"]
    startex = datetime.fromisoformat(exercise["startex"])

    def minute(stamp: str) -> float:
        return (datetime.fromisoformat(stamp) - startex).total_seconds() / 60

    sessions = exercise.get("sessions") or [{"start": exercise["startex"], "end": exercise["endex"]}]
    return sorted((minute(session["start"]), minute(session["end"])) for session in sessions)


def next_played_minute(windows: list[tuple[float, float]], exercise_minute: float) -> float | None:
    """``exercise_minute`` if it is played, else the start of the next played window (None after the last).

    Something that happens while play is paused is told when play resumes.
    """
    for start, end in windows:
        if exercise_minute < start:
            return start
        if exercise_minute <= end:
            return exercise_minute
    return None
