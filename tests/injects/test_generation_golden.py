"""The offline MSEL of each library scenario is the same, byte for byte, as the committed one.

``golden/msel/<scenario>.json.gz`` holds, in canonical JSON, the timeline a library scenario was
generated from (so that changes of the propagation engine do not move it), the injects and the beats
left out. They were written before the generator was made linear in timeline events (issue 13): the
speed work changed no byte. A deliberate change of the generated MSEL rewrites them with

    CRISIS_STUDIO_WRITE_GOLDEN=1 .venv/bin/python -m pytest tests/injects/test_generation_golden.py

and says why in the commit and in docs/injects.md.
"""

from __future__ import annotations

import copy
import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest

from studio.injects.generator import generate_msel, obtain_timeline
from studio.propagation.synthetic import hospital_scenario
from studio.scenario.canonical import canonical_bytes, canonical_text
from studio.scenario.library import load_library

LIBRARY = ("ch-rancongiciel-nuit", "territoire-insulaire-ght", "chu-double-extorsion", "supplier-compromise")
GOLDEN = Path(__file__).parent / "golden" / "msel"


def _golden_path(name: str) -> Path:
    return GOLDEN / f"{name}.json.gz"


def _first_difference(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> str:
    for index, (old, new) in enumerate(zip(expected, actual, strict=False)):
        if old != new:
            fields = sorted(key for key in old.keys() | new.keys() if old.get(key) != new.get(key))
            return f"inject {index} ({old.get('id')} / {new.get('id')}) differs in {fields}"
    return f"{len(expected)} injects expected, {len(actual)} generated"


@pytest.mark.parametrize("name", LIBRARY)
def test_library_msel_is_byte_identical_to_the_committed_one(name: str) -> None:
    scenario = load_library(name)
    path = _golden_path(name)
    if os.environ.get("CRISIS_STUDIO_WRITE_GOLDEN") == "1":
        timeline = obtain_timeline(scenario, scenario["generation"]["seed"])
        result = generate_msel(scenario, timeline)
        golden = {"timeline": timeline, "injects": result.scenario["injects"], "skipped": result.skipped}
        path.write_bytes(gzip.compress(canonical_bytes(golden), mtime=0))
    golden = json.loads(gzip.decompress(path.read_bytes()))
    result = generate_msel(scenario, golden["timeline"])
    actual = json.loads(canonical_text(result.scenario["injects"]))
    assert canonical_bytes(actual) == canonical_bytes(golden["injects"]), _first_difference(
        golden["injects"], actual
    )
    assert result.skipped == golden["skipped"]


def test_generation_on_a_synthetic_hospital_is_deterministic_and_leaves_the_input_alone() -> None:
    scenario = hospital_scenario(300, seed=2)
    timeline = obtain_timeline(scenario, 2)
    before = copy.deepcopy(scenario)
    first = generate_msel(scenario, timeline)
    second = generate_msel(copy.deepcopy(scenario), copy.deepcopy(timeline))
    assert canonical_bytes(first.scenario) == canonical_bytes(second.scenario)
    assert first.scenario["injects"]
    assert scenario == before
