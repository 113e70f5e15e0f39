"""Exercise time for people: clock labels, played sessions, event families, durations in h and min.

Charts and tables of the studio show time the way the exercise is run, not as raw minutes:

- a one-day exercise counts from STARTEX: ``T+01:30``;
- an exercise over several days (or with several sessions) shows the day of play and the wall
  clock: ``J1 08:30``, ``J2 14:00`` (J1 is the day of STARTEX).

Timelines are on the scenario clock; ``exercise_minute_of`` maps them through the time model. Every
function here is pure and needs a *valid* scenario.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Literal

from studio.scenario.timemodel import TimeModel, played_windows

ClockStyle = Literal["offset", "day"]


def clock_style(scenario: Mapping[str, Any]) -> ClockStyle:
    """The scenario's ``exercise.clock_display``: ``offset`` (T+01:30) or ``day`` (J1 08:30, the default).

    The schema's default is ``day_time``, which the exported documents also use when the field is
    absent: the studio shows the same clock as the chronogramme it prints.
    """
    return "offset" if (scenario.get("exercise") or {}).get("clock_display") == "offset" else "day"


def _offset_label(minutes: float) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(round(abs(minutes)), 60)
    return f"T{sign}{hours:02d}:{mins:02d}"


def exercise_label(
    scenario: Mapping[str, Any], exercise_minute: float, style: ClockStyle | None = None
) -> str:
    """Label of an exercise minute (minutes from STARTEX): ``T+01:30`` or ``J1 08:30``."""
    style = style or clock_style(scenario)
    if style == "offset":
        return _offset_label(exercise_minute)
    startex = datetime.fromisoformat(scenario["exercise"]["startex"])
    moment = startex + timedelta(minutes=round(exercise_minute))
    day = (moment.date() - startex.date()).days + 1
    return f"J{day} {moment:%H:%M}"


_OFFSET_TEXT = re.compile(r"^\s*(T)?\s*([+-])?\s*(\d{1,4})\s*[:hH]\s*(\d{1,2})\s*$", re.IGNORECASE)
_DAY_TEXT = re.compile(r"^\s*[JjDd]\s*(\d{1,2})\s+(\d{1,2})\s*[:hH]\s*(\d{1,2})\s*$")


def parse_exercise_time(scenario: Mapping[str, Any], text: str) -> float:
    """Exercise minutes (from STARTEX) of a time typed the way the studio shows it.

    Accepts ``T+01:30`` / ``T-00:15`` (time since STARTEX), ``J2 14:00`` / ``J1 8h30`` (day of play
    and wall clock; J1 is STARTEX's day), a bare ``14:00`` read in the scenario's own clock (J1 14:00
    or T+14:00) and, for files written by hand, an ISO 8601 duration (``PT1H30M``). Raises
    ValueError naming the accepted forms.
    """
    from studio.durations import parse_minutes

    stripped = str(text).strip()
    match = _OFFSET_TEXT.match(stripped)
    if match and not match.group(1) and not match.group(2) and clock_style(scenario) == "day":
        stripped = f"J1 {stripped}"
        match = None
    if match:
        _, sign, hours, minutes = match.groups()
        if int(minutes) >= 60:
            raise ValueError(f"{text!r}: minutes go up to 59")
        value = int(hours) * 60 + int(minutes)
        return -value if sign == "-" else float(value)
    if match := _DAY_TEXT.match(stripped):
        day, hours, minutes = (int(part) for part in match.groups())
        if day < 1 or hours > 23 or minutes > 59:
            raise ValueError(f"{text!r}: day from J1, hour 00-23, minutes 00-59")
        startex = datetime.fromisoformat(scenario["exercise"]["startex"])
        moment = datetime.combine(
            startex.date() + timedelta(days=day - 1), time(hours, minutes), tzinfo=startex.tzinfo
        )
        return (moment - startex).total_seconds() / 60
    try:
        return parse_minutes(stripped)
    except ValueError:
        raise ValueError(f"{text!r} is not an exercise time: write T+01:30 or J1 08:30") from None


def offset_of_exercise_time(scenario: Mapping[str, Any], text: str) -> str:
    """The ISO 8601 offset from STARTEX (an inject's ``offset``) of a typed exercise time."""
    from studio.durations import format_minutes

    minutes = parse_exercise_time(scenario, text)
    if minutes < 0:
        raise ValueError(f"{text!r} is before STARTEX: an inject is played after it")
    return format_minutes(minutes)


def offset_label(scenario: Mapping[str, Any], offset: str, style: ClockStyle | None = None) -> str:
    """An inject's ISO offset from STARTEX (``PT1H30M``) as the exercise clock shows it."""
    from studio.durations import parse_minutes

    try:
        return exercise_label(scenario, parse_minutes(offset), style)
    except (TypeError, ValueError):
        return str(offset)


def day_offset_minutes(scenario: Mapping[str, Any]) -> int:
    """Minutes from midnight to STARTEX on its own day (charts compute ``J`` labels from it)."""
    startex = datetime.fromisoformat(scenario["exercise"]["startex"])
    return startex.hour * 60 + startex.minute


def exercise_minute_of(scenario: Mapping[str, Any], scenario_minute: float) -> float:
    """Exercise minute when the scenario clock shows ``scenario_minute``.

    Before the first segment of the time model (the backstory before STARTEX) the first segment is
    extended backwards, so those events come before 0 in their order; an instant inside a time jump
    is told when play resumes (the time model's own rule).
    """
    model = TimeModel.from_scenario(dict(scenario))
    first = model.segments[0]
    if scenario_minute < first.scenario_start:
        return first.start - (first.scenario_start - scenario_minute) / first.speed
    return model.next_exercise_minute(scenario_minute)


_BEFORE_STARTEX = {"en": "before STARTEX (scenario {when})", "fr": "avant DEBEX (scénario {when})"}


def event_time_label(
    scenario: Mapping[str, Any], scenario_minute: float, style: ClockStyle | None = None, language: str = "en"
) -> str:
    """Exercise-time label of a timeline instant; the backstory before STARTEX is told in scenario time.

    ``T+01:30`` / ``J1 08:30`` during play, ``before STARTEX (scenario 27/02 21:04)`` before it.
    """
    minute = exercise_minute_of(scenario, scenario_minute)
    if minute >= 0:
        return exercise_label(scenario, minute, style)
    origin = datetime.fromisoformat(scenario["exercise"]["time_model"]["scenario_start"])
    moment = origin + timedelta(minutes=round(scenario_minute))
    return _BEFORE_STARTEX.get(language, _BEFORE_STARTEX["en"]).format(when=f"{moment:%d/%m %H:%M}")


@dataclass(frozen=True)
class Session:
    """One played window, in exercise minutes from STARTEX."""

    label: str
    start: float
    end: float


def sessions(scenario: Mapping[str, Any]) -> list[Session]:
    """The played windows with a readable label (their own, else ``J1 08:30 - 12:00``)."""
    windows = played_windows(dict(scenario))
    named = sorted(
        (scenario["exercise"].get("sessions") or []), key=lambda item: datetime.fromisoformat(item["start"])
    )
    result = []
    for index, (start, end) in enumerate(windows):
        own = named[index].get("label") if index < len(named) else None
        label = own or f"{exercise_label(scenario, start)} - {exercise_label(scenario, end).split(' ')[-1]}"
        result.append(Session(str(label), start, end))
    return result


# ------------------------------------------------------------------------------------ event families


@dataclass(frozen=True)
class Family:
    """A family of kinds (timeline events, or systems in the graph), drawn with one colour and shape."""

    name: str
    colour: str
    shape: str
    """The marker: a Vega-Lite point shape for timelines, an ECharts symbol for the graph."""
    kinds: tuple[str, ...]


EVENT_FAMILIES: tuple[Family, ...] = (
    Family("intrusion", "#d62728", "triangle-up", ("initial_access", "compromised", "credential_obtained")),
    Family("impact", "#7b1fa2", "diamond", ("encrypted", "exfiltration")),
    Family("outage", "#111111", "square", ("down", "degraded_mode_expired")),
    Family("degraded", "#ff9800", "triangle-down", ("degraded",)),
    Family("defender", "#1f77b4", "circle", ("detected", "action")),
    Family("containment", "#17becf", "cross", ("isolated", "shutdown", "internet_cut", "credentials_reset")),
    Family("recovery", "#2ca02c", "triangle-right", ("up", "restore_started", "restored")),
    Family("blocked", "#8c564b", "triangle-left", ("restore_blocked", "restore_deadlock")),
)
"""At most eight families, each with its own colour and shape, so no two families look alike."""

_FAMILY_OF_KIND = {kind: family.name for family in EVENT_FAMILIES for kind in family.kinds}


def event_family(kind: str) -> str:
    """Family of an event kind; a kind no family lists falls into ``defender`` (never a ninth one)."""
    return _FAMILY_OF_KIND.get(kind, "defender")


def timeline_chart_rows(
    scenario: Mapping[str, Any], timeline: Mapping[str, Any], language: str = "en"
) -> list[dict[str, Any]]:
    """One row per timeline event, in exercise time: exercise minute, label, family, kind, node."""
    names = {system["id"]: system.get("name", system["id"]) for system in scenario.get("systems") or []}
    style = clock_style(scenario)
    rows = []
    for event in timeline.get("events") or []:
        node = event.get("node", "")
        rows.append(
            {
                "exercise_minute": exercise_minute_of(scenario, float(event["minute"])),
                "time": event_time_label(scenario, float(event["minute"]), style, language),
                "family": event_family(event["kind"]),
                "kind": event["kind"],
                "node": node,
                "system": names.get(node, node) or "(scenario)",
                "detail": event.get("detail", ""),
            }
        )
    return rows


# ------------------------------------------------------------------------------------ durations


def duration_label(minutes: float | None, language: str = "en") -> str:
    """A length of time for people: ``45 min``, ``2 h 05 min``, ``3 d 4 h`` (``3 j 4 h``); ``-`` unknown."""
    if minutes is None or not math.isfinite(minutes):
        return "-"
    sign = "-" if minutes < 0 else ""
    total = round(abs(minutes))
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return (
            f"{sign}{days} {'j' if language == 'fr' else 'd'}"
            + (f" {hours} h" if hours or mins else "")
            + (f" {mins:02d} min" if mins else "")
        )
    if hours:
        return f"{sign}{hours} h {mins:02d} min"
    return f"{sign}{mins} min"


def percentile(values: Sequence[float], share: float) -> float:
    """Linear-interpolation percentile (numpy's default) of finite ``values``; NaN when empty."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def distribution_summary(values: Iterable[float], language: str = "en") -> dict[str, Any]:
    """p10, p50 and p90 (minutes and labels) of the finite values of one Monte Carlo metric."""
    finite = [float(value) for value in values if math.isfinite(float(value))]
    summary: dict[str, Any] = {"runs": len(finite)}
    for name, share in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9)):
        value = percentile(finite, share)
        summary[name] = None if math.isnan(value) else value
        summary[f"{name} label"] = duration_label(summary[name], language)
    return summary


# ------------------------------------------------------------------------------------ form values


def split_date_time(stamp: str) -> tuple[date | None, time | None]:
    """Date and wall-clock time of an ISO 8601 stamp, for the pickers; (None, None) if unreadable."""
    try:
        moment = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None, None
    return moment.date(), moment.time().replace(second=0, microsecond=0)


def join_date_time(day: date, clock: time, like: str | None) -> str:
    """ISO 8601 stamp of a picked date and time, in the time zone offset of ``like`` (the old value).

    Without a readable old value the offset of Paris on that day is used (the studio's exercises are
    French hospitals), so the stamp is never a naive time that the schema would refuse.
    """
    zone: tzinfo | None = None
    if like:
        try:
            zone = datetime.fromisoformat(like).tzinfo
        except ValueError:
            zone = None
    if zone is None:
        from zoneinfo import ZoneInfo

        paris = datetime.combine(day, clock, tzinfo=ZoneInfo("Europe/Paris"))
        zone = timezone(paris.utcoffset() or timedelta(0))
    return datetime.combine(day, clock, tzinfo=zone).isoformat()


def filter_stops(last_minute: float, step: int = 15) -> list[float]:
    """Stops of a time filter from STARTEX to just past ``last_minute``: every ``step`` minutes.

    The last stop is at or after the last inject, so the whole MSEL is inside the default range.
    """
    stops = [float(minute) for minute in range(0, math.floor(max(last_minute, 0.0)) + 1, step)]
    if stops[-1] < last_minute:
        stops.append(float(math.ceil(last_minute / step) * step))
    if len(stops) == 1:
        stops.append(float(step))
    return stops


def stamp_label(stamp: str) -> str:
    """A recorded date-time (review trail) for people: ``02/03/2026 14:05``; unreadable text as it is."""
    try:
        return f"{datetime.fromisoformat(str(stamp)):%d/%m/%Y %H:%M}"
    except ValueError:
        return str(stamp)


def with_schedule(
    scenario: Mapping[str, Any],
    played: Sequence[Mapping[str, str]],
    hot_debrief: Mapping[str, str] | None,
    scenario_start: str | None = None,
) -> dict[str, Any]:
    """A copy of ``scenario`` with its played sessions, hot debrief and scenario start replaced.

    ``played`` holds ``start``, ``end`` and an optional ``label`` (empty labels are left out); no
    session means the whole STARTEX-ENDEX window is played (the field is removed). Validation then
    checks that the sessions lie inside STARTEX-ENDEX.
    """
    import copy

    updated = dict(scenario)
    exercise = copy.deepcopy(dict(scenario.get("exercise") or {}))
    sessions_out = []
    for item in played:
        entry = {"start": item["start"], "end": item["end"]}
        if str(item.get("label") or "").strip():
            entry["label"] = str(item["label"]).strip()
        sessions_out.append(entry)
    if sessions_out:
        exercise["sessions"] = sorted(sessions_out, key=lambda entry: datetime.fromisoformat(entry["start"]))
    else:
        exercise.pop("sessions", None)
    if hot_debrief:
        exercise["hot_debrief"] = {"start": hot_debrief["start"], "end": hot_debrief["end"]}
    if scenario_start and isinstance(exercise.get("time_model"), Mapping):
        exercise["time_model"] = {**exercise["time_model"], "scenario_start": scenario_start}
    updated["exercise"] = exercise
    return updated
