"""Canonical JSON is written byte for byte as json.dumps writes it (sorted keys, indent 2, UTF-8)."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mutations import nested_values

from studio.propagation.synthetic import hospital_scenario
from studio.scenario.canonical import canonical_bytes, canonical_text


def _standard(value: Any) -> str | type[Exception]:
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False) + "\n"
    except (TypeError, ValueError) as exc:
        return type(exc)


def _ours(value: Any) -> str | type[Exception]:
    try:
        return canonical_text(value)
    except (TypeError, ValueError) as exc:
        return type(exc)


json_like = nested_values(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text()
    | st.sampled_from(['é\n"\\\t', "\ud800", "\u2028", "日本", "😀"]),
    width=4,
    key_size=6,
    leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(json_like)
def test_plain_values_are_written_as_json_dumps_writes_them(value: Any) -> None:
    assert _ours(value) == _standard(value)


@pytest.mark.parametrize(
    "value",
    [
        {1: "int key", 2: "another"},
        {"a": {1.5: "float key"}},
        {"a": 1, 2: "mixed keys"},
        {None: 1, True: 2},
        (1, 2, [3]),
        OrderedDict(b=1, a=2),
        {"tuple": (1, {"b": 2, "a": 1})},
        {"big": 10**30, "small": 5e-324, "nan": float("nan")},
        {"inf": float("inf")},
        {"object": object()},
        [[[[[]]]]],
        {"deep": json.loads("[" * 200 + "]" * 200)},
    ],
    ids=repr,
)
def test_unusual_values_are_left_to_json_dumps(value: Any) -> None:
    assert _ours(value) == _standard(value)


def test_a_cycle_is_refused_as_json_dumps_refuses_it() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        canonical_text(loop)


def test_a_synthetic_hospital_is_written_byte_for_byte() -> None:
    document = hospital_scenario(300, seed=2)
    assert canonical_bytes(document) == _standard(document).encode("utf-8")  # type: ignore[union-attr]
