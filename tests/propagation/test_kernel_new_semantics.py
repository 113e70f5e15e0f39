"""The kernel implements links that need several credentials and systems a compromise stops:
scenarios using them run on the kernel, which writes the reference engine's events and Monte Carlo
summaries for the same seeds (the reference engine is the oracle)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from test_kernel_timeline import _same_log

from studio.propagation.compiled import compile_scenario
from studio.propagation.engines import kernel_available, reference_summary
from studio.propagation.summary import MetricLayout
from studio.propagation.synthetic import hospital_scenario

needs_numba = pytest.mark.skipif(not kernel_available(), reason="numba is not importable")


def with_new_semantics(scenario: dict, seed: int, *, several: float = 0.2, stops: float = 0.05) -> dict:
    """``scenario`` with a share of its reach links needing two or three credentials and a share of
    its machines stopped by a compromise (chosen by ``seed``)."""
    pick = random.Random(seed)
    credentials = [system["id"] for system in scenario["systems"] if system["kind"] == "credential"]
    for system in scenario["systems"]:
        if system["kind"] not in ("credential", "clinical_service") and pick.random() < stops:
            system["stops_when_compromised"] = True
        for link in system.get("links", []):
            if link["kind"] == "reach" and pick.random() < several:
                chosen = pick.sample(credentials, pick.randint(2, min(3, len(credentials))))
                link["requires"], link["also_requires"] = chosen[0], chosen[1:]
    return scenario


def _hospital(size: int, shape: int, **kwargs: float) -> dict:
    scenario = hospital_scenario(size, seed=shape)
    scenario["systems"].append({"id": "cred-vpn", "name": "VPN account", "kind": "credential"})
    scenario["systems"][1]["links"].append(
        {"kind": "reach", "target": "cred-vpn", "delay": {"dist": "fixed", "value": "PT3H"}}
    )
    return with_new_semantics(scenario, shape, **kwargs)


@needs_numba
@pytest.mark.parametrize(("size", "shape"), [(60, 1), (300, 2), (1500, 3)])
@pytest.mark.parametrize("playbook", ["early", "late", None])
def test_kernel_timeline_equals_reference_with_several_credentials_and_stops(size, shape, playbook) -> None:
    model = compile_scenario(_hospital(size, shape))
    assert model.reach_also and any(model.stops)
    for seed in range(4 if size >= 1500 else 10):
        assert _same_log(model, playbook, seed)
    assert _same_log(model, playbook, 0, nominal=True)


@needs_numba
def test_kernel_timeline_equals_reference_on_random_hospitals_with_new_semantics() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=30, deadline=None, derandomize=True)
    @given(
        size=st.integers(20, 200),
        shape=st.integers(0, 1000),
        several=st.floats(0.0, 0.6),
        stops=st.floats(0.0, 0.3),
        playbook=st.sampled_from(["early", "late", None]),
        seed=st.integers(0, 10_000),
    )
    def agree(size: int, shape: int, several: float, stops: float, playbook: str | None, seed: int) -> None:
        model = compile_scenario(_hospital(size, shape, several=several, stops=stops))
        _same_log(model, playbook, seed)

    agree()


@needs_numba
@pytest.mark.parametrize("playbook", ["early", None])
def test_kernel_summaries_equal_reference_with_several_credentials_and_stops(playbook) -> None:
    from studio.propagation.kernel import kernel_summary

    model = compile_scenario(_hospital(250, 5))
    layout = MetricLayout.of(model)
    for seed in range(20):
        expected = reference_summary(model, layout, playbook, seed)
        got = kernel_summary(model, layout, playbook, seed)
        assert np.array_equal(expected.times, got.times, equal_nan=True), (playbook, seed)
        for name in ("compromised", "encrypted", "down"):
            assert np.array_equal(getattr(expected, name), getattr(got, name)), (name, seed)
        assert np.array_equal(expected.first_compromise, got.first_compromise, equal_nan=True)
        assert np.array_equal(expected.first_loss, got.first_loss, equal_nan=True)
