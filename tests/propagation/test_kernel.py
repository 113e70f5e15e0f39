"""The compiled kernel gives exactly the reference engine's results for the same seeds."""

from __future__ import annotations

import os

import numpy as np
import pytest

from studio.propagation.compiled import compile_scenario
from studio.propagation.engines import kernel_available, reference_summary, summary_function
from studio.propagation.montecarlo import monte_carlo
from studio.propagation.summary import MetricLayout
from studio.propagation.synthetic import hospital_scenario

needs_numba = pytest.mark.skipif(not kernel_available(), reason="numba is not importable")


@needs_numba
@pytest.mark.parametrize("playbook", ["early", "late", None])
def test_kernel_matches_reference_run_by_run(playbook) -> None:
    from studio.propagation.kernel import kernel_summary

    model = compile_scenario(hospital_scenario(250, seed=5))
    layout = MetricLayout.of(model)
    for seed in range(25):
        expected = reference_summary(model, layout, playbook, seed)
        got = kernel_summary(model, layout, playbook, seed)
        assert np.array_equal(expected.times, got.times, equal_nan=True), (playbook, seed)
        assert np.array_equal(expected.compromised, got.compromised)
        assert np.array_equal(expected.encrypted, got.encrypted)
        assert np.array_equal(expected.down, got.down)
        assert np.array_equal(expected.first_compromise, got.first_compromise, equal_nan=True)
        assert np.array_equal(expected.first_loss, got.first_loss, equal_nan=True)


@needs_numba
def test_kernel_matches_on_restores_cycles_and_credentials(tiny) -> None:
    from propagation_helpers import action, depends, fixed, reach, system

    systems = [
        system("a", "workstation", reach("ad", "PT1H"), reach("dns", "PT2H"), reach("da", "PT30M"), edr=True),
        system("da", "credential"),
        system("ad", "identity", depends("dns"), recovery_time=fixed("PT10H"), domain_joined=True),
        system("dns", "identity", depends("ad", grace="PT1H"), bootstrap=True, domain_joined=True),
        system("dpi", "application", depends("ad"), domain_joined=True),
        system(
            "ed",
            "clinical_service",
            depends("dpi"),
            degraded_mode={
                "description": "paper",
                "activation_delay": "PT30M",
                "capacity": 50,
                "max_duration": "P2D",
            },
        ),
    ]
    detonation = {
        "trigger": {
            "on": "credential_obtained",
            "node": "da",
            "delay": {"dist": "uniform", "min": "PT1H", "max": "PT9H"},
        },
        "scope": ["compromised", "domain_joined"],
        "domain_credential": "da",
    }
    actions = [
        action(
            "iso",
            "isolate_node",
            trigger={"on": "detected", "delay": {"dist": "uniform", "min": "PT0S", "max": "PT4H"}},
            targets=["dpi"],
        ),
        action(
            "restore",
            "restore",
            trigger={"on": "encrypted", "delay": fixed("PT2H")},
            targets=["dpi", "ad", "dns"],
        ),
    ]
    scenario = tiny.scenario(
        systems,
        detonation=detonation,
        actions=actions,
        detection=[{"type": "edr", "probability": 0.5, "delay": fixed("PT1H")}],
    )
    reference = monte_carlo(scenario, runs=60, seed=2, engine="reference")
    compiled = monte_carlo(scenario, runs=60, seed=2, engine="kernel")
    assert compiled.engine == "kernel" and reference.engine == "reference"
    for name, values in reference.values.items():
        assert np.array_equal(values, compiled.values[name], equal_nan=True), name
    assert reference.p_down == compiled.p_down
    assert (reference.values["outage:ed"] < np.inf).any(), "the services come back in some runs"


def test_engine_choice() -> None:
    assert summary_function("reference")[1] == "reference"
    assert summary_function("auto", work=10)[1] == "reference"
    with pytest.raises(ValueError):
        summary_function("gpu")


def test_everything_works_without_numba() -> None:
    """With numba unimportable the package falls back to the reference engine."""
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['numba'] = None\n"
        "from studio.propagation.engines import kernel_available, summary_function\n"
        "from studio.propagation.montecarlo import monte_carlo\n"
        "from studio.propagation.synthetic import hospital_scenario\n"
        "assert not kernel_available()\n"
        "assert summary_function('auto', work=10**9)[1] == 'reference'\n"
        "result = monte_carlo(hospital_scenario(60), runs=3)\n"
        "from studio.propagation import run_timeline\n"
        "from studio.propagation.engines import timeline_engine\n"
        "from studio.propagation.compiled import compile_scenario\n"
        "big = hospital_scenario(2000)\n"
        "assert timeline_engine(compile_scenario(big)) == 'reference'\n"
        "assert run_timeline(big, seed=1)['events']\n"
        "print(result.engine, result.runs)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["reference", "3"]


def test_engine_tables_cover_the_schema_enums() -> None:
    """The engines' internal tables name exactly the schema's trigger kinds, playbook actions and
    timeline event kinds, so a schema change cannot be silently ignored."""
    from studio.propagation import kernel, reference
    from studio.scenario.schema import definition

    trigger_kinds = set(definition("trigger")["oneOf"][1]["properties"]["on"]["enum"])
    assert set(kernel.ON_KINDS) == trigger_kinds
    assert {on for ons in reference._TRIGGERED_BY.values() for on in ons} == trigger_kinds
    assert set(kernel._ACTION_CODES) == set(definition("playbook_action")["properties"]["action"]["enum"])
    assert set(reference._TRIGGERED_BY) <= set(definition("timeline_event")["properties"]["kind"]["enum"])


@needs_numba
def test_kernel_matches_reference_on_random_hospitals() -> None:
    """Property: on random synthetic hospitals, playbooks and seeds, both engines agree."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from studio.propagation.kernel import kernel_summary

    @settings(max_examples=25, deadline=None, derandomize=True)
    @given(
        size=st.integers(20, 160),
        shape=st.integers(0, 1000),
        degree=st.floats(1.5, 7.0),
        playbook=st.sampled_from(["early", "late", None]),
        seed=st.integers(0, 10_000),
    )
    def agree(size: int, shape: int, degree: float, playbook: str | None, seed: int) -> None:
        model = compile_scenario(hospital_scenario(size, seed=shape, out_degree=degree))
        layout = MetricLayout.of(model)
        expected = reference_summary(model, layout, playbook, seed)
        got = kernel_summary(model, layout, playbook, seed)
        assert np.array_equal(expected.times, got.times, equal_nan=True)
        assert np.array_equal(expected.down, got.down) and np.array_equal(expected.encrypted, got.encrypted)

    agree()


@pytest.mark.skipif(not kernel_available(), reason="numba is not importable")
def test_a_fresh_install_never_compiles_on_the_first_simulation(tmp_path) -> None:
    """With numba's cache empty (a fresh install not warmed up), "auto" runs the reference engine for
    one timeline and for a big batch alike, instead of compiling the kernel for ~30 s first."""
    import subprocess
    import sys

    code = (
        "import time\n"
        "start = time.perf_counter()\n"
        "from studio.propagation.compiled import compile_scenario\n"
        "from studio.propagation.engines import kernel_ready, summary_function, timeline_engine\n"
        "from studio.propagation.montecarlo import monte_carlo\n"
        "from studio.propagation.synthetic import hospital_scenario\n"
        "big = hospital_scenario(3000)\n"
        "assert not kernel_ready()\n"
        "assert timeline_engine(compile_scenario(big)) == 'reference'\n"
        "assert summary_function('auto', work=10**9)[1] == 'reference'\n"
        "assert monte_carlo(big, runs=2).engine == 'reference'\n"
        "assert not kernel_ready()\n"
        "print(time.perf_counter() - start)\n"
    )
    environment = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=environment,
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 20  # a compilation alone takes ~30 s; this is ~1-2 s
