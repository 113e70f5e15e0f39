"""Exercise time for people: T+hh:mm or J1 08:30, sessions, event families, durations, percentiles."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

from studio.propagation.synthetic import hospital_scenario
from studio.scenario.exercise_clock import (
    EVENT_FAMILIES,
    clock_style,
    distribution_summary,
    duration_label,
    event_family,
    event_time_label,
    exercise_label,
    exercise_minute_of,
    filter_stops,
    offset_label,
    offset_of_exercise_time,
    parse_exercise_time,
    percentile,
    sessions,
    stamp_label,
    timeline_chart_rows,
    with_schedule,
)


@pytest.fixture
def one_day() -> dict:
    doc = hospital_scenario(20)
    doc["exercise"]["clock_display"] = "offset"
    return doc


@pytest.fixture
def two_days(one_day: dict) -> dict:
    doc = copy.deepcopy(one_day)
    doc["exercise"]["clock_display"] = "day_time"
    doc["exercise"]["startex"] = "2026-03-02T08:30:00+01:00"
    doc["exercise"]["endex"] = "2026-03-03T17:00:00+01:00"
    doc["exercise"]["sessions"] = [
        {"start": "2026-03-02T08:30:00+01:00", "end": "2026-03-02T12:00:00+01:00"},
        {
            "start": "2026-03-03T14:00:00+01:00",
            "end": "2026-03-03T17:00:00+01:00",
            "label": "Day 2 afternoon",
        },
    ]
    return doc


def test_a_one_day_exercise_counts_from_startex(one_day: dict) -> None:
    assert clock_style(one_day) == "offset"
    assert exercise_label(one_day, 90) == "T+01:30"
    assert exercise_label(one_day, 0) == "T+00:00"
    assert exercise_label(one_day, -15) == "T-00:15"
    assert exercise_label(one_day, 600) == "T+10:00"


def test_several_days_show_the_day_of_play_and_the_wall_clock(two_days: dict) -> None:
    two_days["exercise"]["clock_display"] = "day_time"
    assert clock_style(two_days) == "day"
    assert exercise_label(two_days, 0) == "J1 08:30"
    assert exercise_label(two_days, 90) == "J1 10:00"
    assert exercise_label(two_days, 24 * 60 + 5 * 60 + 30) == "J2 14:00"


def test_the_clock_follows_clock_display_whose_default_is_day_and_time(one_day: dict) -> None:
    # As the exported documents: absent means the schema's default, day_time (J1 08:30).
    del one_day["exercise"]["clock_display"]
    assert clock_style(one_day) == "day"
    one_day["exercise"]["clock_display"] = "offset"
    assert clock_style(one_day) == "offset"


def test_sessions_have_labels_and_windows(two_days: dict, one_day: dict) -> None:
    first, second = sessions(two_days)
    assert (first.label, first.start, first.end) == ("J1 08:30 - 12:00", 0, 210)
    assert second.label == "Day 2 afternoon" and second.start == 24 * 60 + 330
    (whole,) = sessions(one_day)
    assert (whole.start, whole.end) == (0, 480)


def test_scenario_minutes_map_through_the_time_model(one_day: dict) -> None:
    # The synthetic hospital runs at 60 scenario minutes per exercise minute from scenario offset 0.
    assert exercise_minute_of(one_day, 120) == 2
    assert event_time_label(one_day, 120) == "T+00:02"
    shifted = copy.deepcopy(one_day)
    shifted["exercise"]["time_model"]["segments"][0]["scenario_offset"] = "PT10H"
    assert exercise_minute_of(shifted, 60) < 0
    assert event_time_label(shifted, 60) == "before STARTEX (scenario 27/02 19:00)"
    assert event_time_label(shifted, 60, language="fr") == "avant DEBEX (scénario 27/02 19:00)"


def test_at_most_eight_families_each_with_its_own_colour_and_shape() -> None:
    assert len(EVENT_FAMILIES) <= 8
    assert len({family.colour for family in EVENT_FAMILIES}) == len(EVENT_FAMILIES)
    assert len({family.shape for family in EVENT_FAMILIES}) == len(EVENT_FAMILIES)
    from studio.scenario.tables import schema_enum

    kinds = set(schema_enum("timeline_event", "kind"))
    listed = [kind for family in EVENT_FAMILIES for kind in family.kinds]
    assert set(listed) == kinds and len(listed) == len(kinds), "every event kind in exactly one family"
    assert event_family("encrypted") == "impact" and event_family("made-up") == "defender"


def test_timeline_rows_are_in_exercise_time(one_day: dict) -> None:
    from studio.propagation import run_timeline

    rows = timeline_chart_rows(one_day, run_timeline(one_day, seed=1))
    assert rows and all(row["time"].startswith("T") for row in rows)
    assert {row["family"] for row in rows} <= {family.name for family in EVENT_FAMILIES}
    minutes = [row["exercise_minute"] for row in rows]
    assert minutes == sorted(minutes)


@pytest.mark.parametrize(
    ("minutes", "label"),
    [
        (45, "45 min"),
        (125, "2 h 05 min"),
        (60, "1 h 00 min"),
        (1440 + 240, "1 d 4 h"),
        (1440 + 252, "1 d 4 h 12 min"),
        (2880, "2 d"),
    ],
)
def test_durations_read_in_hours_and_minutes(minutes: float, label: str) -> None:
    assert duration_label(minutes) == label
    assert duration_label(minutes, "fr") == label.replace(" d", " j")


def test_unknown_durations_are_a_dash() -> None:
    assert duration_label(None) == "-" and duration_label(math.nan) == "-" and duration_label(math.inf) == "-"


def test_percentiles_match_numpy() -> None:
    values = [float(v) for v in np.random.default_rng(3).lognormal(5, 1, 501)]
    for share in (0.1, 0.5, 0.9):
        assert percentile(values, share) == pytest.approx(float(np.percentile(values, 100 * share)))
    summary = distribution_summary([*values, math.nan, math.inf])
    assert summary["runs"] == 501
    assert summary["p50 label"] == duration_label(float(np.percentile(values, 50)))
    assert distribution_summary([])["p90"] is None


def test_date_and_time_pickers_round_trip() -> None:
    import datetime as dt

    from studio.scenario.exercise_clock import join_date_time, split_date_time

    day, clock = split_date_time("2026-03-02T08:30:00+01:00")
    assert (day, clock) == (dt.date(2026, 3, 2), dt.time(8, 30))
    assert join_date_time(day, clock, "2026-01-01T00:00:00+01:00") == "2026-03-02T08:30:00+01:00"
    # No usable old value: Paris time on that day (summer time in July).
    assert join_date_time(dt.date(2026, 7, 1), dt.time(9, 0), None) == "2026-07-01T09:00:00+02:00"
    assert split_date_time("soon") == (None, None)


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("T+01:30", 90),
        ("t+1:30", 90),
        ("T 01:30", 90),
        ("10:00", 90),  # a bare hour reads in the scenario's clock: J1 10:00
        ("T-00:15", -15),
        ("J1 09:00", 30),  # STARTEX 08:30
        ("J2 08:30", 1440),
        ("j1 8h45", 15),
        ("PT2H", 120),
    ],
)
def test_exercise_time_is_read_as_the_studio_shows_it(two_days: dict, typed: str, minutes: float) -> None:
    assert parse_exercise_time(two_days, typed) == minutes


@pytest.mark.parametrize("typed", ["demain", "T+01:75", "J0 08:00", "J1 25:00", ""])
def test_an_unreadable_exercise_time_names_the_forms(two_days: dict, typed: str) -> None:
    with pytest.raises(ValueError, match=r"T\+01:30|J1|minutes|hour"):
        parse_exercise_time(two_days, typed)


def test_a_bare_hour_is_time_since_startex_on_an_offset_clock(one_day: dict) -> None:
    assert parse_exercise_time(one_day, "01:30") == 90


def test_inject_offsets_round_trip_through_the_exercise_clock(two_days: dict, one_day: dict) -> None:
    two_days["exercise"]["clock_display"] = "day_time"
    assert offset_label(two_days, "PT29M") == "J1 08:59"
    assert offset_of_exercise_time(two_days, "J1 08:59") == "PT29M"
    assert offset_of_exercise_time(two_days, "J2 09:00") == "P1DT30M"
    assert offset_label(one_day, "PT1H30M") == "T+01:30"
    assert offset_of_exercise_time(one_day, "T+01:30") == "PT1H30M"
    with pytest.raises(ValueError, match="before STARTEX"):
        offset_of_exercise_time(one_day, "T-00:10")
    assert offset_label(one_day, "not a duration") == "not a duration"


def test_filter_stops_cover_the_whole_msel() -> None:
    assert filter_stops(40, 15) == [0, 15, 30, 45]
    assert filter_stops(45, 15) == [0, 15, 30, 45]
    assert filter_stops(0, 15) == [0, 15]


def test_schedule_edits_replace_sessions_and_debrief(two_days: dict) -> None:
    session = {"label": " Matin ", "start": "2026-03-02T09:00:00+01:00", "end": "2026-03-02T12:00:00+01:00"}
    hot = {"start": "2026-03-03T17:00:00+01:00", "end": "2026-03-03T17:45:00+01:00"}
    updated = with_schedule(two_days, [session], hot)
    assert updated["exercise"]["sessions"] == [
        {"start": "2026-03-02T09:00:00+01:00", "end": "2026-03-02T12:00:00+01:00", "label": "Matin"}
    ]
    assert updated["exercise"]["hot_debrief"] == hot
    assert len(two_days["exercise"]["sessions"]) == 2, "the original is not changed"
    assert "sessions" not in with_schedule(two_days, [], None)["exercise"]


def test_review_stamps_read_as_dates() -> None:
    assert stamp_label("2026-03-02T14:05:33+01:00") == "02/03/2026 14:05"
    assert stamp_label("hier") == "hier"
