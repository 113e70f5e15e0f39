"""Property: mutated library scenarios never crash validate, simulate, generate, lint or export.

Each example takes one of the four shipped scenarios, applies a few mutations (hostile numbers,
durations, dates, probabilities and strings, deletions, duplications) and goes through what a file
goes through: JSON text, the parser, validation, then, when the document is still valid, a timeline,
the offline MSEL, lint and the xlsx, csv, OpenBAS and Word exports. Every step may refuse the input
with a message; none may raise anything else.

The everyday suite runs a few dozen examples; ``CRISIS_FUZZ_EXAMPLES=2000`` runs the long campaign.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import mutate, nested_values, value_at, value_paths

from studio.scenario.document import ScenarioReadError, parse_scenario
from studio.scenario.validate import check_document

LIBRARY = Path(__file__).resolve().parents[2] / "scenario_library"
BASES = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(LIBRARY.glob("*.json"))}
EXAMPLES = int(os.environ.get("CRISIS_FUZZ_EXAMPLES", "40"))

HOSTILE_VALUES: list[Any] = [
    # durations: enormous, tiny, fractional
    "P99999999999999D", "PT99999999999999H", "PT999999999999999999M", "P36500D", "P3660D", "PT0S",
    "PT0.000001S", "P1DT25H", "PT1e3S",
    # numbers: huge, tiny, negative, not finite once written as JSON text
    10**30, -(10**30), 1e308, 1e-300, 5e-324, 1e-19, 1e-12, 0, -1, 0.5, 1, 2, 100, 10**6,
    float("inf"), float("nan"),
    # dates at and past the edges of the calendar
    "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00-12:00",
    "2999-01-01T00:00:00Z", "1900-01-01T00:00:00+01:00", "9999-12-31", "0001-01-01",
    # text
    "=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)", "\ud800", "x\ud83d", "id\n", "a" * 5000,
    "![x](http://127.0.0.1/x.png)", "", " ", "\u0000", "İstanbul Straße",
]  # fmt: skip

leaf = (
    st.sampled_from(HOSTILE_VALUES)
    | st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
)
json_values = nested_values(leaf, width=3, key_size=6, leaves=6)


PATHS = {
    name: [path for path in value_paths(document, max_items=6) if path] for name, document in BASES.items()
}


HOSTILE_DURATIONS = [v for v in HOSTILE_VALUES if isinstance(v, str) and v.startswith("P")]
HOSTILE_DATES = [v for v in HOSTILE_VALUES if isinstance(v, str) and v[:4].isdigit()]
HOSTILE_NUMBERS = [v for v in HOSTILE_VALUES if isinstance(v, int | float)]


def _current(document: Any, path: tuple[Any, ...]) -> Any:
    try:
        return value_at(document, path)
    except (KeyError, IndexError, TypeError):
        return None


def _same_kind(current: Any) -> st.SearchStrategy[Any]:
    """Mostly a hostile value of the kind already there (so the document often stays valid)."""
    if isinstance(current, str) and current.startswith("P"):
        typed = st.sampled_from(HOSTILE_DURATIONS) | st.from_regex(r"\AP[0-9]{1,14}D\Z|\APT[0-9]{1,16}M\Z")
    elif isinstance(current, str) and current[:4].isdigit():
        typed = st.sampled_from(HOSTILE_DATES)
    elif isinstance(current, bool) or current is None:
        typed = st.none() | st.booleans()
    elif isinstance(current, int | float):
        typed = st.sampled_from(HOSTILE_NUMBERS) | st.floats(0, 1) | st.integers(0, 10**20)
    elif isinstance(current, str):
        typed = st.sampled_from([v for v in HOSTILE_VALUES if isinstance(v, str)]) | st.just(current + "\n")
    else:
        typed = json_values
    return st.one_of(typed, typed, typed, json_values)


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(BASES)))
    document = copy.deepcopy(BASES[name])
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS[name]))
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "duplicate"]))
        value = draw(_same_kind(_current(document, path)))
        mutate(document, path, action, value)
    # What a file on disk holds: JSON text, where NaN and 1e400 appear as written by other tools.
    return json.dumps(document, ensure_ascii=True, allow_nan=True)


def run_pipeline(text: str) -> str:
    """Take ``text`` as far as it goes; return the step that refused it (or "exported")."""
    from studio.exports import export_outputs
    from studio.injects.generator import GenerationError, generate_msel
    from studio.injects.lint import lint_msel
    from studio.propagation import run_timeline

    try:
        document = parse_scenario(text, "fuzz.json")
    except ScenarioReadError as exc:
        assert str(exc).startswith("fuzz.json")
        return "parse"
    document, problems = check_document(document)
    if any(problem.is_error for problem in problems):
        return "validate"
    timeline = run_timeline(document, seed=1)
    try:
        generated = generate_msel({**document, "timeline": timeline}, timeline, seed=1).scenario
    except GenerationError:
        return "generate"
    lint_msel(generated)
    if any(problem.is_error for problem in check_document(generated)[1]):
        return "revalidate"
    export_outputs(generated, ("xlsx", "csv", "openbas", "docx"))
    return "exported"


@pytest.mark.skipif(EXAMPLES <= 0, reason="CRISIS_FUZZ_EXAMPLES=0")
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES < 100,  # the everyday run is reproducible; the long campaign explores
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(text=mutated_scenarios())
def test_mutated_library_scenarios_never_raise(text: str) -> None:
    step = run_pipeline(text)
    OUTCOMES[step] = OUTCOMES.get(step, 0) + 1


OUTCOMES: dict[str, int] = {}


def teardown_module() -> None:
    if OUTCOMES:
        print(f"\nfuzz outcomes over {sum(OUTCOMES.values())} examples: {OUTCOMES}")
