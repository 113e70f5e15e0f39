"""Reading skips the walk for unrepresentable values when the text cannot hold one, and refuses the
same files with the same messages as a reader that always walks."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from studio.scenario.document import ScenarioReadError, first_unrepresentable, parse_scenario

# Pieces of JSON text: plain values, and the literals that parse into what no scenario can hold, or
# that look like them without being so (an escaped backslash before "ud800", a valid surrogate pair).
PIECES = [
    '"plain"',
    "1.5",
    "12",
    "1e400",
    "-1e400",
    "1e308",
    "1" + "0" * 400 + ".0",
    '"\\ud800"',
    '"x\\uDFFF"',
    '"\\\\ud800"',
    '"\\ud83d\\ude00"',
    '"\\u00e9t\\u00e9"',
    '"été"',
    "[]",
    "{}",
]


def _always_walking(raw: bytes | str) -> Any:
    """What parse_scenario answered before the screen: parse, then walk every value."""
    text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    document = json.loads(text)
    problem = first_unrepresentable(document)
    if problem is not None:
        return f"<input>: {problem}"
    return document


def _answer(raw: bytes | str) -> Any:
    try:
        return parse_scenario(raw)
    except ScenarioReadError as exc:
        return str(exc)


@settings(max_examples=200, deadline=None)
@given(
    # Distinct keys: a key given twice is refused whatever the values (test_read_hostile_json).
    st.lists(
        st.tuples(st.text(max_size=3), st.sampled_from(PIECES)),
        min_size=1,
        max_size=6,
        unique_by=lambda member: member[0],
    ),
    st.booleans(),
)
def test_the_screen_answers_as_the_walk_does(members: list[tuple[str, str]], as_bytes: bool) -> None:
    text = "{" + ", ".join(f"{json.dumps(key)}: {piece}" for key, piece in members) + "}"
    raw: bytes | str = text.encode("utf-8") if as_bytes else text
    assert _answer(raw) == _always_walking(raw)


def test_a_lone_surrogate_given_as_text_is_still_refused() -> None:
    assert "lone surrogate" in _answer('{"title": "\ud800"}')
