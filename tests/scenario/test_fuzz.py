"""Property: random mutations of a valid scenario never make the validator crash."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import mutate, nested_values, value_at, value_paths

from studio.scenario.problems import Problem
from studio.scenario.validate import check_document

BASE = json.loads((Path(__file__).parent / "minimal.json").read_text(encoding="utf-8"))

json_values = nested_values(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    width=4,
    key_size=8,
    leaves=12,
)


ALL_PATHS = [path for path in value_paths(BASE) if path]
# Ids are the most interesting values to break: a mutation often swaps one for a known other id.
KNOWN_IDS = sorted({v for p in ALL_PATHS if isinstance(v := value_at(BASE, p), str) and len(v) < 20})

mutation = st.tuples(
    st.sampled_from(ALL_PATHS),
    st.sampled_from(["replace", "delete", "duplicate"]),
    json_values | st.sampled_from(KNOWN_IDS),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutation, min_size=1, max_size=5))
def test_mutations_never_crash_the_validator(mutations: list[tuple[tuple[Any, ...], str, Any]]) -> None:
    document = copy.deepcopy(BASE)
    for path, action, value in mutations:
        mutate(document, path, action, value)
    _, problems = check_document(document)
    assert all(isinstance(problem, Problem) and problem.path.startswith(("/", "")) for problem in problems)
    for problem in problems:
        assert problem.message and problem.rule
