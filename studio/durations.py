"""ISO-8601 durations as used by the scenario schema (days, hours, minutes, seconds only).

Months and years are refused by the schema because their length is ambiguous; a week is written P7D.
All arithmetic in the library is in minutes (float).
"""

from __future__ import annotations

import re

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<d>\d+)D)?(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_minutes(text: str) -> float:
    """Return the length of an ISO-8601 duration such as ``PT2H30M`` or ``P1DT4H`` in minutes.

    Raises ValueError for anything the schema would refuse.
    """
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"not an ISO-8601 duration in days/hours/minutes/seconds: {text!r}")
    days, hours, minutes = (int(match.group(k) or 0) for k in "dhm")
    seconds = float(match.group("s") or 0)
    return days * 1440 + hours * 60 + minutes + seconds / 60


def format_minutes(minutes: float) -> str:
    """Return the canonical ISO-8601 duration for ``minutes`` (whole seconds kept, days split out).

    ``format_minutes(parse_minutes(x))`` is the canonical spelling of ``x``: ``PT90M`` becomes ``PT1H30M``.
    """
    if minutes < 0:
        raise ValueError(f"negative duration: {minutes} min")
    total_seconds = round(minutes * 60)
    days, rest = divmod(total_seconds, 86400)
    hours, rest = divmod(rest, 3600)
    mins, secs = divmod(rest, 60)
    text = "P" + (f"{days}D" if days else "")
    clock = (f"{hours}H" if hours else "") + (f"{mins}M" if mins else "") + (f"{secs}S" if secs else "")
    if clock:
        text += "T" + clock
    return text if text != "P" else "PT0S"


def format_clock(minutes: float) -> str:
    """Human exercise-clock label: ``T+01:30`` or ``J+1 T+02:00`` (French day counter, used in MSELs)."""
    sign = "-" if minutes < 0 else "+"
    total = round(abs(minutes))
    days, rest = divmod(total, 1440)
    hours, mins = divmod(rest, 60)
    clock = f"T{sign}{hours:02d}:{mins:02d}"
    return f"J{sign}{days} {clock}" if days else clock
