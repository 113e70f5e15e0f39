"""Durations and the exercise clock -> scenario clock mapping (compression, jumps)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio.durations import format_clock, format_minutes, parse_minutes
from studio.scenario.timemodel import TimeModel, next_played_minute, played_windows


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("PT0S", 0),
        ("PT90M", 90),
        ("PT1H30M", 90),
        ("P1D", 1440),
        ("P1DT2H", 1560),
        ("PT30S", 0.5),
        ("P21D", 30240),
    ],
)
def test_parse_minutes(text: str, minutes: float) -> None:
    assert parse_minutes(text) == minutes


@pytest.mark.parametrize("text", ["", "P", "PT", "1H", "P1Y", "P1M", "-PT1H", "PT1.5H", None, 3])
def test_parse_minutes_refuses(text: Any) -> None:
    with pytest.raises(ValueError):
        parse_minutes(text)


@given(st.integers(min_value=0, max_value=60 * 24 * 400 * 60))
def test_format_then_parse_round_trips_whole_seconds(seconds: int) -> None:
    text = format_minutes(seconds / 60)
    assert round(parse_minutes(text) * 60) == seconds
    assert format_minutes(parse_minutes(text)) == text


def test_format_clock() -> None:
    assert format_clock(90) == "T+01:30"
    assert format_clock(1440 + 125) == "J+1 T+02:05"


def _model(*segments: tuple[str, str, float]) -> TimeModel:
    return TimeModel.from_scenario(
        {
            "exercise": {
                "time_model": {
                    "scenario_start": "2025-03-04T02:00:00+01:00",
                    "segments": [{"from": a, "scenario_offset": b, "speed": s} for a, b, s in segments],
                }
            }
        }
    )


def test_real_time_is_identity() -> None:
    model = _model(("PT0S", "PT0S", 1))
    assert model.scenario_minute(75) == 75 and model.exercise_minute(75) == 75
    assert model.scenario_datetime(60) == datetime.fromisoformat("2025-03-04T03:00:00+01:00")


def test_compression_and_jump() -> None:
    # Two exercise hours play the night at 4x (8 scenario hours), then play resumes three days later.
    model = _model(("PT0S", "PT0S", 4), ("PT2H", "P3D", 1))
    assert model.scenario_minute(60) == 240
    assert model.exercise_minute(240) == 60
    assert model.jumps() == [(120, 480, 4320)]
    assert model.exercise_minute(1000) is None, "a scenario instant inside the jump is never played"
    assert model.next_exercise_minute(1000) == 120, "it is told when play resumes"
    assert model.exercise_minute(4320 + 30) == 150
    assert model.scenario_minute(150) == 4350


def test_events_before_the_scenario_clock_start_are_told_at_startex() -> None:
    model = _model(("PT0S", "PT2H", 1))
    assert model.exercise_minute(30) == 0


def test_library_time_models_are_monotonic(minimal_scenario: dict[str, Any]) -> None:
    model = TimeModel.from_scenario(minimal_scenario)
    shown = [model.scenario_minute(minute) for minute in range(0, 480, 7)]
    assert shown == sorted(shown)


def test_played_windows_default_to_the_whole_exercise(minimal_scenario: dict[str, Any]) -> None:
    assert played_windows(minimal_scenario) == [(0.0, 480.0)]


def test_paused_play_is_told_when_play_resumes(minimal_scenario: dict[str, Any]) -> None:
    minimal_scenario["exercise"]["sessions"] = [
        {"start": "2025-03-04T09:00:00+01:00", "end": "2025-03-04T12:00:00+01:00"},
        {"start": "2025-03-04T14:00:00+01:00", "end": "2025-03-04T17:00:00+01:00"},
    ]
    windows = played_windows(minimal_scenario)
    assert windows == [(0.0, 180.0), (300.0, 480.0)]
    assert next_played_minute(windows, 60) == 60
    assert next_played_minute(windows, 200) == 300
    assert next_played_minute(windows, 481) is None
