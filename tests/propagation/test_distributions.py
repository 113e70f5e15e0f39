"""Delay draws against closed forms: exponential durations (mean, median) and retried movements (the
number of attempts is geometric, with no cap)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from propagation_helpers import Tiny, minute_of, system

from studio.propagation.compiled import compile_scenario
from studio.propagation.draws import EXACT_EXTRA_ATTEMPTS, reach_delays, stream
from studio.scenario.validate import validate_scenario

ARCS = 20_000


def _fan_out(delay: dict[str, str], arcs: int = ARCS, **link: object) -> dict:
    """A scenario whose initial node reaches ``arcs`` targets through identical links."""
    targets = [system(f"t{i}", "workstation") for i in range(arcs)]
    hub = system(
        "a",
        "workstation",
        *[{"kind": "reach", "target": f"t{i}", "delay": delay, **link} for i in range(arcs)],
    )
    return Tiny().scenario([hub, *targets])


def _delays(scenario: dict, seed: int = 7) -> np.ndarray:
    model = compile_scenario(scenario)
    return reach_delays(model, stream(seed, 0))


def test_exponential_delay_has_its_mean_and_median() -> None:
    mean = 90.0  # PT1H30M
    scenario = _fan_out({"dist": "exponential", "mean": "PT1H30M"})
    assert not [problem for problem in validate_scenario(scenario) if problem.is_error]
    delays = _delays(scenario)
    standard_error = mean / math.sqrt(ARCS)  # the standard deviation of an exponential is its mean
    assert abs(delays.mean() - mean) < 4 * standard_error
    # median = mean ln 2; the sample median's standard error is 1 / (2 f(m) sqrt(n)) with f(m) = 1 / (2 mean)
    assert abs(np.median(delays) - mean * math.log(2)) < 4 * mean / math.sqrt(ARCS)
    assert (delays >= 0).all()
    # P(X > mean) = 1/e
    assert abs((delays > mean).mean() - math.exp(-1)) < 4 * math.sqrt(
        math.exp(-1) * (1 - math.exp(-1)) / ARCS
    )


def test_the_nominal_run_takes_the_exponential_median(tiny: Tiny) -> None:
    systems = [
        system(
            "a",
            "workstation",
            {"kind": "reach", "target": "b", "delay": {"dist": "exponential", "mean": "PT10H"}},
        ),
        system("b"),
    ]
    scenario = tiny.scenario(systems)
    from studio.propagation import run_timeline

    timeline = run_timeline(scenario, nominal=True, engine=tiny.engine)
    assert minute_of(timeline, "compromised", "b") == pytest.approx(600 * math.log(2), abs=0.01)


@pytest.mark.parametrize("p", [0.2, 0.05])
def test_the_number_of_attempts_is_geometric(p: float) -> None:
    # a fixed 10-minute attempt: the effective delay is 10 x attempts
    delays = _delays(_fan_out({"dist": "fixed", "value": "PT10M"}, p_success=p))
    attempts = np.rint(delays / 10).astype(int)
    assert (attempts >= 1).all()
    for k in range(1, 8):
        expected = (1 - p) ** (k - 1) * p
        observed = (attempts == k).mean()
        assert abs(observed - expected) < 4 * math.sqrt(expected * (1 - expected) / ARCS), k
    assert abs(attempts.mean() - 1 / p) < 4 * math.sqrt((1 - p) / p**2 / ARCS)


def test_retries_are_not_capped() -> None:
    # p = 0.001: the old cap of 1,000 attempts made 37 % of these movements "never" happen
    p, arcs = 0.001, 4_000
    delays = _delays(_fan_out({"dist": "fixed", "value": "PT1M"}, arcs, p_success=p))
    assert np.isfinite(delays).all()
    assert (delays > 1000).mean() == pytest.approx((1 - p) ** 1000, abs=0.03)
    assert abs(delays.mean() - 1 / p) < 4 * math.sqrt((1 - p) / p**2 / arcs)


def test_max_attempts_gives_up_with_the_geometric_tail() -> None:
    p, limit = 0.3, 3
    delays = _delays(_fan_out({"dist": "fixed", "value": "PT10M"}, p_success=p, max_attempts=limit))
    never = (1 - p) ** limit
    assert abs(np.isinf(delays).mean() - never) < 4 * math.sqrt(never * (1 - never) / ARCS)


def test_very_many_attempts_sum_their_delays_beyond_the_exact_draws() -> None:
    # Expected attempts 1e6, far beyond EXACT_EXTRA_ATTEMPTS: the rest is one normal draw with the exact
    # mean and variance; with a fixed delay (variance 0) the sum is exact.
    p, arcs = 1e-6, 2_000
    scenario = _fan_out({"dist": "fixed", "value": "PT1M"}, arcs, p_success=p)
    delays = _delays(scenario)
    assert 1 / p > EXACT_EXTRA_ATTEMPTS
    assert np.isfinite(delays).all()
    assert np.allclose(delays, np.rint(delays))
    assert abs(delays.mean() - 1 / p) < 4 * math.sqrt((1 - p) / p**2 / arcs)
    warned = [
        problem for problem in validate_scenario(scenario) if problem.rule == "warn.retries_approximated"
    ]
    assert len(warned) == arcs and warned[0].path == "/systems/0/links/0/p_success"


def test_retried_uniform_delays_keep_their_mean_and_variance_when_approximated() -> None:
    # 5,000 attempts on average of uniform(0, 2h): mean 60 min each; the sum's mean and variance are exact
    p, arcs = 2e-4, 2_000
    delays = _delays(_fan_out({"dist": "uniform", "min": "PT0S", "max": "PT2H"}, arcs, p_success=p))
    attempts_mean, attempts_var = 1 / p, (1 - p) / p**2
    # Wald: E[S] = E[N] E[X]; Var[S] = E[N] Var[X] + Var[N] E[X]^2
    mean, variance = attempts_mean * 60, attempts_mean * 120**2 / 12 + attempts_var * 60**2
    assert abs(delays.mean() - mean) < 4 * math.sqrt(variance / arcs)
    assert delays.var() == pytest.approx(variance, rel=0.15)


def _compromise_minutes(scenario: dict, engine: str, seed: int = 7) -> np.ndarray:
    """Minute at which each fan-out target was compromised in one run on ``engine`` (inf: never)."""
    from studio.propagation import run_timeline

    timeline = run_timeline(scenario, seed=seed, engine=engine)
    found = {e["node"]: e["minute"] for e in timeline["events"] if e["kind"] == "compromised"}
    return np.array([found.get(f"t{i}", math.inf) for i in range(len(scenario["systems"]) - 1)])


def test_exponential_compromise_times_have_their_mean_and_median_on_each_engine(tiny: Tiny) -> None:
    # the hub is compromised at minute 0: each target falls after its link's own delay
    mean, arcs = 90.0, 5_000
    times = _compromise_minutes(_fan_out({"dist": "exponential", "mean": "PT1H30M"}, arcs), tiny.engine)
    assert abs(times.mean() - mean) < 4 * mean / math.sqrt(arcs)
    assert abs(np.median(times) - mean * math.log(2)) < 4 * mean / math.sqrt(arcs)


def test_attempts_are_geometric_on_each_engine(tiny: Tiny) -> None:
    p, arcs = 0.2, 5_000
    times = _compromise_minutes(_fan_out({"dist": "fixed", "value": "PT10M"}, arcs, p_success=p), tiny.engine)
    attempts = np.rint(times / 10).astype(int)
    for k in range(1, 6):
        expected = (1 - p) ** (k - 1) * p
        assert abs((attempts == k).mean() - expected) < 4 * math.sqrt(expected * (1 - expected) / arcs), k
    assert abs(attempts.mean() - 1 / p) < 4 * math.sqrt((1 - p) / p**2 / arcs)
