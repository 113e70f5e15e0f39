"""Generation is linear in timeline events: the work per event (lines of the generator executed,
counted, not timed) stays the same when the synthetic hospital grows fivefold."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from line_count import executed_lines

import studio.injects as injects_package
from studio.injects.generator import generate_msel
from studio.propagation.synthetic import hospital_scenario
from studio.propagation.timeline import run_timeline

PACKAGE = str(Path(injects_package.__file__).parent)
SCENARIO = str(Path(injects_package.__file__).parents[1] / "scenario" / "information.py")


def _executed_lines(action: Callable[[], Any]) -> int:
    """Lines of studio/injects/ and of the information model executed by ``action``."""
    return executed_lines(action, lambda name: name.startswith(PACKAGE) or name == SCENARIO)


def _lines_per_event(size: int) -> float:
    scenario = hospital_scenario(size, seed=1)
    timeline = run_timeline(scenario, seed=1)
    with_timeline = {**scenario, "timeline": timeline}
    generate_msel(with_timeline, timeline)  # templates and prompt files loaded once
    return _executed_lines(lambda: generate_msel(with_timeline, timeline)) / len(timeline["events"])


def test_generation_work_per_timeline_event_does_not_grow_with_the_scenario() -> None:
    small, large = _lines_per_event(400), _lines_per_event(2_000)
    # Before issue 13's work the ratio was well above 1 (per-inject scans of the whole timeline).
    assert large <= 1.25 * small, (small, large)
