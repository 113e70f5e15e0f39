"""The kernel's timeline mode writes exactly the reference engine's timeline: same events, same
causes, same details, same order, same ids (the reference engine is the oracle)."""

from __future__ import annotations

import json

import pytest

from studio.propagation import run_timeline
from studio.propagation.compiled import compile_scenario
from studio.propagation.draws import draw
from studio.propagation.engines import AUTO_TIMELINE_SIZE, kernel_available, run_events, timeline_engine
from studio.propagation.reference import simulate
from studio.propagation.synthetic import hospital_scenario
from studio.propagation.timeline import to_timeline
from studio.resources import library_dir

needs_numba = pytest.mark.skipif(not kernel_available(), reason="numba is not importable")
LIBRARY = sorted(library_dir().glob("*.json"))


def _same_log(model, playbook, seed: int, *, nominal: bool = False) -> bool:
    """Compare both engines' event logs row by row; return whether the kernel wrote it itself
    (False: the run holds a restore deadlock and was handed back to the reference engine)."""
    from studio.propagation.kernel import kernel_events

    draws = draw(model, playbook, seed, nominal=nominal)
    expected = simulate(model, draws, playbook)
    got = kernel_events(model, draws, playbook)
    if got is None:
        return False
    assert len(got) == len(expected), (playbook, seed)
    for number, (want, have) in enumerate(zip(expected.rows, got.rows, strict=True)):
        assert want == have, (playbook, seed, number)
    rendered = to_timeline(model, got, seed=seed, playbook=playbook)
    assert json.dumps(rendered) == json.dumps(to_timeline(model, expected, seed=seed, playbook=playbook))
    return True


@needs_numba
@pytest.mark.skipif(not LIBRARY, reason="the scenario library is empty")
@pytest.mark.parametrize("path", LIBRARY, ids=lambda path: path.stem)
def test_kernel_timeline_equals_reference_on_the_library(path) -> None:
    model = compile_scenario(json.loads(path.read_text(encoding="utf-8")))
    written = 0
    for playbook in [None, *model.playbooks]:
        written += _same_log(model, playbook, 0, nominal=True)
        for seed in range(25):
            written += _same_log(model, playbook, seed)
    assert written == 26 * (1 + len(model.playbooks)), "no library run should need the fallback"


@needs_numba
@pytest.mark.parametrize(("size", "shape"), [(60, 1), (400, 3), (2000, 1)])
@pytest.mark.parametrize("playbook", ["early", "late", None])
def test_kernel_timeline_equals_reference_on_synthetic_hospitals(size, shape, playbook) -> None:
    model = compile_scenario(hospital_scenario(size, seed=shape))
    for seed in range(6 if size >= 2000 else 15):
        assert _same_log(model, playbook, seed)


@needs_numba
def test_kernel_timeline_equals_reference_on_random_hospitals() -> None:
    """Property: random graph sizes, shapes, densities, playbooks and seeds."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, deadline=None, derandomize=True)
    @given(
        size=st.integers(20, 200),
        shape=st.integers(0, 1000),
        degree=st.floats(1.0, 8.0),
        playbook=st.sampled_from(["early", "late", None]),
        seed=st.integers(0, 10_000),
    )
    def agree(size: int, shape: int, degree: float, playbook: str | None, seed: int) -> None:
        model = compile_scenario(hospital_scenario(size, seed=shape, out_degree=degree))
        _same_log(model, playbook, seed)

    agree()


@needs_numba
def test_restore_deadlock_is_handed_back_to_the_reference_engine(tiny) -> None:
    """The kernel does not write the deadlock report: it detects the deadlock and the run is
    written by the reference engine instead (same timeline either way)."""
    from propagation_helpers import action, depends, fixed, reach, system

    from studio.propagation.kernel import kernel_events

    systems = [
        system("a", "workstation", reach("ad", "PT1H"), reach("dns", "PT1H")),
        system("ad", "identity", depends("dns"), recovery_time=fixed("PT10H")),
        system("dns", "identity", depends("ad"), recovery_time=fixed("PT2H")),
    ]
    scenario = tiny.scenario(
        systems,
        detonation={"trigger": {"at": "PT3H"}, "scope": ["compromised"]},
        actions=[action("restore", "restore", "PT4H", targets=["ad", "dns"])],
    )
    model = compile_scenario(scenario)
    assert kernel_events(model, draw(model, "pb", 0), "pb") is None
    timeline = run_timeline(scenario, seed=0, engine="kernel")
    assert timeline == run_timeline(scenario, seed=0, engine="reference")
    assert [e["kind"] for e in timeline["events"]].count("restore_deadlock") == 1


def test_timeline_engine_choice() -> None:
    small = compile_scenario(hospital_scenario(30))
    assert timeline_engine(small, "auto") == "reference"
    assert timeline_engine(small, "reference") == "reference"
    with pytest.raises(ValueError):
        timeline_engine(small, "gpu")
    assert type(run_events(small, draw(small, None, 0), None, "reference")).__name__ == "RunEvents"
    big = compile_scenario(hospital_scenario(AUTO_TIMELINE_SIZE // 5))
    expected = "kernel" if kernel_available() else "reference"
    if kernel_available():
        from studio.propagation.engines import warm_up

        assert warm_up()
    assert timeline_engine(big, "auto") == expected
    assert timeline_engine(big, "reference") == "reference"


@needs_numba
def test_a_new_process_loads_the_kernel_only_for_a_timeline_worth_it() -> None:
    """Loading the cached kernel costs what the reference engine needs for ~100k systems + links: the
    first timeline of a process below AUTO_TIMELINE_LOAD_SIZE runs on the reference engine without
    even importing numba; a second one (or a bigger one, or once loaded) runs on the kernel."""
    import subprocess
    import sys

    from studio.propagation.engines import warm_up

    assert warm_up()  # the kernel is in numba's cache, as after an install
    code = (
        "import sys\n"
        "from studio.propagation import engines\n"
        "from studio.propagation.compiled import compile_scenario\n"
        "from studio.propagation.synthetic import hospital_scenario\n"
        "model = compile_scenario(hospital_scenario(2000))\n"
        "assert engines.timeline_engine(model) == 'reference'\n"
        "assert 'numba' not in sys.modules\n"
        "assert engines.timeline_engine(model) == 'kernel'  # a second one: worth loading it\n"
        "engines.AUTO_TIMELINE_LOAD_SIZE = 10**9\n"
        "engines.warm_up()\n"
        "assert engines.kernel_loaded() and engines.timeline_engine(model) == 'kernel'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
