"""Property: random mutations of a valid scenario never make the validator crash."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio.scenario.problems import Problem
from studio.scenario.validate import check_document

BASE = json.loads((Path(__file__).parent / "minimal.json").read_text(encoding="utf-8"))

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def _containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _containers(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _containers(child, (*path, index))
    return found


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


ALL_PATHS = [path for path in _containers(BASE) if path]
# Ids are the most interesting values to break: a mutation often swaps one for a known other id.
KNOWN_IDS = sorted({v for p in ALL_PATHS if isinstance(v := _get(BASE, p), str) and len(v) < 20})

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
        try:
            parent = _get(document, path[:-1])
            key = path[-1]
            if action == "replace":
                parent[key] = value
            elif action == "delete":
                del parent[key]
            elif isinstance(parent, list):
                parent.append(copy.deepcopy(parent[key]))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    _, problems = check_document(document)
    assert all(isinstance(problem, Problem) and problem.path.startswith(("/", "")) for problem in problems)
    for problem in problems:
        assert problem.message and problem.rule
