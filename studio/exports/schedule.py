"""The exercise schedule: start and end of play, played sessions and the hot debrief, in one place.

Every document and spreadsheet reads these moments from ``exercise_schedule(scenario)`` so that they
cannot disagree: STARTEX/ENDEX (DEBEX/FINEX in French), the sessions (``exercise.sessions``, or the
whole window), and the hot debrief (``exercise.hot_debrief``, or ENDEX plus 30 minutes).

It also writes the *exercise clock* of an inject the way the scenario asks (``exercise.clock_display``):
``J1 08:30`` (day of play and wall-clock hour, the default) or ``T+01:30`` (time since STARTEX).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from studio.durations import format_clock
from studio.exports.common import Labels

DEFAULT_HOT_DEBRIEF_MINUTES = 30
"""Length of the hot debrief when the scenario does not give one: ANSSI's RETEX à chaud is short."""


@dataclass(frozen=True)
class Window:
    label: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ExerciseSchedule:
    startex: datetime
    endex: datetime
    sessions: tuple[Window, ...]
    hot_debrief: Window
    clock_display: str

    def at(self, exercise_minute: float) -> datetime:
        """The wall-clock date-time of a minute of the exercise clock (STARTEX's time zone)."""
        return self.startex + timedelta(minutes=exercise_minute)

    def day_of_play(self, moment: datetime) -> int:
        """1 for STARTEX's calendar day, 2 for the next, and so on."""
        return (moment.date() - self.startex.date()).days + 1

    def clock(self, exercise_minute: float, labels: Labels) -> str:
        """The exercise clock as the scenario asks for it: ``J1 08:30`` or ``T+01:30``."""
        if self.clock_display == "offset":
            return format_clock(exercise_minute)
        moment = self.at(exercise_minute)
        return f"{labels['day_prefix']}{self.day_of_play(moment)} {moment:%H:%M}"


def exercise_schedule(scenario: dict[str, Any]) -> ExerciseSchedule:
    """The schedule of a *valid* scenario (validation checks that sessions lie inside STARTEX-ENDEX)."""
    exercise = scenario["exercise"]
    startex = datetime.fromisoformat(exercise["startex"])
    endex = datetime.fromisoformat(exercise["endex"])
    sessions = tuple(
        Window(
            session.get("label", ""),
            datetime.fromisoformat(session["start"]),
            datetime.fromisoformat(session["end"]),
        )
        for session in sorted(exercise.get("sessions", []), key=lambda session: session["start"])
    ) or (Window("", startex, endex),)
    debrief = exercise.get("hot_debrief")
    if debrief:
        hot = Window("", datetime.fromisoformat(debrief["start"]), datetime.fromisoformat(debrief["end"]))
    else:
        hot = Window("", endex, endex + timedelta(minutes=DEFAULT_HOT_DEBRIEF_MINUTES))
    return ExerciseSchedule(startex, endex, sessions, hot, exercise.get("clock_display", "day_time"))


# ---------------------------------------------------------------------------------------- prose


def long_date(moment: datetime, labels: Labels) -> str:
    """``jeudi 19 mars 2026`` / ``Thursday 19 March 2026`` (``1er`` for the first in French)."""
    weekday = labels.tables["weekdays"][moment.weekday()]
    month = labels.tables["months"][moment.month - 1]
    day = labels["first_of_month"] if moment.day == 1 else str(moment.day)
    return f"{weekday} {day} {month} {moment.year}"


def prose_time(moment: datetime, labels: Labels) -> str:
    """``9 h 30`` / ``9 h`` in French prose, ``09:30`` in English."""
    if labels.language == "fr":
        return f"{moment.hour} h {moment.minute:02d}" if moment.minute else f"{moment.hour} h"
    return f"{moment:%H:%M}"


def prose_moment(moment: datetime, labels: Labels) -> str:
    """A date and hour in prose: ``jeudi 19 mars 2026 à 9 h``."""
    return labels.format("moment_format", date=long_date(moment, labels), time=prose_time(moment, labels))


def prose_window(window: Window, labels: Labels) -> str:
    """``jeudi 19 mars 2026, de 9 h à 17 h`` (or ``du ... au ...`` across days)."""
    if window.start.date() == window.end.date():
        return labels.format(
            "window_format",
            date=long_date(window.start, labels),
            start=prose_time(window.start, labels),
            end=prose_time(window.end, labels),
        )
    return labels.format(
        "window_days_format", start=prose_moment(window.start, labels), end=prose_moment(window.end, labels)
    )


def schedule_lines(schedule: ExerciseSchedule, labels: Labels) -> list[tuple[str, str]]:
    """Label/value lines every pack's title block prints: start of play, sessions, end, hot debrief."""
    lines = [(labels["meta_startex"], prose_moment(schedule.startex, labels))]
    if len(schedule.sessions) > 1:
        for index, session in enumerate(schedule.sessions, start=1):
            name = session.label or labels.format("session_default", number=index)
            lines.append((name, prose_window(session, labels)))
    lines.append((labels["meta_endex"], prose_moment(schedule.endex, labels)))
    lines.append((labels["meta_hot_debrief"], prose_window(schedule.hot_debrief, labels)))
    return lines
