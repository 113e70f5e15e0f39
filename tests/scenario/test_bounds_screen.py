"""The bound rules screen each part's JSON text and walk only what the screen cannot clear: they find
exactly what a walk of the whole document finds."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from mutations import mutate, nested_values, value_paths

from studio.scenario.problems import Problem
from studio.scenario.rules_bounds import (
    _walk,
    bound_problems,
    exercise_length_problems,
    may_break_bounds,
)
from studio.scenario.schema import load_schema

BASE = json.loads((Path(__file__).parent / "minimal.json").read_text(encoding="utf-8"))
PATHS = [path for path in value_paths(BASE) if path]

# Values on both sides of every bound, and look-alikes that break none.
EDGES = st.sampled_from(
    [
        "P3660D",
        "P3661D",
        "PT87840H",
        "PT87841H",
        "P999DT999H999M999S",
        "PT0.00001S",
        "P0001D",
        "P9999D\n",
        "1899-12-31",
        "1900-01-01",
        "2200-12-31T00:00:00+00:00",
        "2201-01-01T00:00:00+00:00",
        "0001-01-01",
        "20250210",
        "18991231",
        "ok\n",
        "ok\\n",
        "lone \ud800",
        "😀",
        "1e-05",
        10**12,
        10**12 + 1,
        -(10**13),
        1e12,
        1.5e12,
        1e16,
        1e-9,
        9.9e-10,
        1e-300,
        0.0001,
        float("inf"),
        float("nan"),
        True,
        None,
    ]
)
VALUES = nested_values(
    EDGES | st.integers() | st.floats() | st.text(max_size=8), width=3, key_size=6, leaves=6
)


def _walked(document: Any) -> list[Problem]:
    """What the bound rules found before the screen: one walk of the whole document."""
    found: dict[tuple[str, str], Problem] = {}
    _walk(found, [(load_schema(), "", document, None)], {})
    return sorted(list(found.values()) + exercise_length_problems(document))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), VALUES), min_size=1, max_size=4))
def test_the_screened_rules_find_what_a_whole_walk_finds(edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    document = copy.deepcopy(BASE)
    for path, value in edits:
        mutate(document, path, "replace", value)
    assert sorted(bound_problems(document)) == _walked(document)


def test_a_clean_scenario_is_cleared_without_a_walk() -> None:
    assert not may_break_bounds(BASE)
    assert bound_problems(BASE) == []


def test_each_kind_of_broken_bound_is_flagged() -> None:
    for value in ("P3661D", "2201-01-01", "ok\n", "lone \ud800", 10**13, 1e-10, float("inf"), object()):
        assert may_break_bounds({"value": [value]}), value
