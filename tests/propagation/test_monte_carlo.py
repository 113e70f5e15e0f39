"""Monte Carlo statistics against analytic expectations (fixed seeds), common random numbers,
reproducibility and the run -> timeline round trip."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from propagation_helpers import action, depends, reach, system
from scipy import stats

from studio.propagation import run_timeline
from studio.propagation.montecarlo import compare_playbooks, monte_carlo
from studio.propagation.synthetic import hospital_scenario

RUNS = 2000


def test_lognormal_delay_percentiles(tiny) -> None:
    lognormal = {
        "kind": "reach",
        "target": "cred",
        "delay": {"dist": "lognormal", "median": "PT4H", "p90": "P1D"},
    }
    scenario = tiny.scenario([system("a", "workstation", lognormal), system("cred", "credential")])
    values = monte_carlo(scenario, runs=RUNS, seed=7).values["credential:cred"]
    sigma = math.log(1440 / 240) / stats.norm.ppf(0.9)
    # Kolmogorov-Smirnov against the exact lognormal: a correct sampler passes at this size
    assert stats.kstest(values, stats.lognorm(s=sigma, scale=240).cdf).pvalue > 0.01
    assert np.median(values) == pytest.approx(240, rel=0.08)
    assert np.percentile(values, 90) == pytest.approx(1440, rel=0.12)


def test_retries_success_probability_and_conditional_mean(tiny) -> None:
    link = reach("cred", "PT1H", p_success=0.5, max_attempts=2)
    scenario = tiny.scenario([system("a", "workstation", link), system("cred", "credential")])
    values = monte_carlo(scenario, runs=RUNS, seed=1).values["credential:cred"]
    happened = values[~np.isnan(values)]
    # P(success within 2 attempts) = 1 - 0.5^2; given success, 1h w.p. 2/3 and 2h w.p. 1/3
    standard_error = math.sqrt(0.75 * 0.25 / RUNS)
    assert abs(len(happened) / RUNS - 0.75) < 4 * standard_error
    assert set(np.unique(happened)) == {60.0, 120.0}
    assert happened.mean() == pytest.approx(80, abs=4 * 60 * math.sqrt(2 / 9 / len(happened)))


def test_edr_detection_probability(tiny) -> None:
    systems = [system("a", "workstation", reach("b", "PT1H")), system("b", "server", edr=True)]
    scenario = tiny.scenario(systems, detection=[{"type": "edr", "probability": 0.3}])
    result = monte_carlo(scenario, runs=RUNS, seed=5)
    detected = result.describe("first_detection")
    assert abs(detected["p_happened"] - 0.3) < 4 * math.sqrt(0.3 * 0.7 / RUNS)
    assert result.p_compromised["b"] == 1.0


def test_uniform_mean_and_probability_of_hit(tiny) -> None:
    uniform = {"kind": "reach", "target": "s", "delay": {"dist": "uniform", "min": "PT1H", "max": "PT3H"}}
    systems = [
        system("a", "workstation", uniform, reach("cred", "PT0S", p_success=0.4, max_attempts=1)),
        system("s", "server", reach("cred", "PT0S")),
        system("cred", "credential"),
    ]
    result = monte_carlo(tiny.scenario(systems), runs=RUNS, seed=3)
    # obtained at once w.p. 0.4, otherwise through s after U(1h, 3h): mean 0.6 * 120 min
    values = result.values["credential:cred"]
    assert values.mean() == pytest.approx(0.6 * 120, abs=4 * math.sqrt(0.6 * (1200 + 0.4 * 14400) / RUNS))
    assert result.p_compromised["s"] == 1.0


def _isolation_scenario(tiny) -> dict:
    """The same attacker; playbook early isolates the server 2h after detection, late 6h after."""
    lognormal = {
        "kind": "reach",
        "target": "srv",
        "delay": {"dist": "lognormal", "median": "PT3H", "p90": "PT9H"},
    }
    systems = [
        system("a", "workstation", lognormal),
        system("srv", "server", edr=True),
        system("ed", "clinical_service", depends("srv")),
    ]
    scenario = tiny.scenario(systems, detection=[{"type": "edr", "probability": 1}])

    def isolate_after(delay: str) -> list[dict]:
        trigger = {"on": "detected", "delay": {"dist": "fixed", "value": delay}}
        return [action("iso", "isolate_node", trigger=trigger, targets=["srv"])]

    scenario["playbooks"] = [
        {"id": "early", "name": "early", "actions": isolate_after("PT2H")},
        {"id": "late", "name": "late", "actions": isolate_after("PT6H")},
    ]
    return scenario


def test_compare_playbooks_uses_common_random_numbers(tiny) -> None:
    scenario = _isolation_scenario(tiny)
    seen = []
    comparison = compare_playbooks(
        scenario, "early", "late", runs=300, seed=9, progress=lambda d, t: seen.append((d, t))
    )
    # same attacker in both batches: detection identical run by run
    assert np.array_equal(comparison.a.values["first_detection"], comparison.b.values["first_detection"])
    # so the difference in the service's loss of function is exactly the 4h gap, not noise
    difference = comparison.differences["down:ed"]
    assert difference["percentiles"]["p5"] == difference["percentiles"]["p95"] == 240
    assert difference["p_b_later"] == 1.0
    assert seen[-1] == (600, 600) and len(seen) == 600
    json.dumps(comparison.to_json())


def test_reproducible_and_runs_become_timelines() -> None:
    scenario = hospital_scenario(120, seed=2)
    first = monte_carlo(scenario, runs=12, seed=40)
    assert json.dumps(first.to_json(), sort_keys=True) == json.dumps(
        monte_carlo(scenario, runs=12, seed=40).to_json(), sort_keys=True
    )
    for run in (0, 5, "median"):
        timeline = first.timeline(scenario, run)
        index = first.median_run if run == "median" else run
        assert timeline["seed"] == 40 + index and timeline["run"] == run
        encryption = next((e["minute"] for e in timeline["events"] if e["kind"] == "encrypted"), math.nan)
        expected = first.values["encryption"][index]
        assert (math.isnan(expected) and math.isnan(encryption)) or encryption == pytest.approx(
            expected, abs=1e-4
        )
    assert run_timeline(scenario, seed=45) == {
        k: v for k, v in first.timeline(scenario, 5).items() if k != "run"
    }
    with pytest.raises(IndexError):
        first.timeline(scenario, 12)


def test_median_run_is_central() -> None:
    result = monte_carlo(hospital_scenario(120, seed=2), runs=41, seed=0)
    detection = result.values["first_detection"]
    rank = (detection < detection[result.median_run]).mean()
    assert 0.15 <= rank <= 0.85


def test_per_run_times_of_every_system(tiny) -> None:
    uniform = {"kind": "reach", "target": "b", "delay": {"dist": "uniform", "min": "PT1H", "max": "PT3H"}}
    systems = [
        system("a", "workstation", uniform),
        system("b", "server"),
        system("c", "application", depends("b")),
    ]
    scenario = tiny.scenario(systems, detonation={"trigger": {"at": "PT5H"}, "scope": ["compromised"]})
    result = monte_carlo(scenario, runs=RUNS, seed=3)
    compromised_b = result.system_times["compromised"][:, 1]
    assert stats.kstest(compromised_b, stats.uniform(60, 120).cdf).pvalue > 0.01
    assert np.all(result.system_times["down"][:, 2] == 300)  # c goes down with b at the detonation
    table = result.system_statistics()
    assert table["b"]["compromised"]["p_happened"] == 1.0
    assert table["c"]["down"]["percentiles"]["p50"] == 300
    assert table["c"]["compromised"]["p_happened"] == 0.0
    rows = result.system_rows()
    assert [row["system"] for row in rows] == ["a", "b", "c"]
    assert 60 <= rows[1]["compromised_p5"] <= rows[1]["compromised_p50"] <= rows[1]["compromised_p95"] <= 180


def test_statistics_of_every_system_at_once_equal_one_by_one() -> None:
    from studio.propagation.montecarlo import describe, describe_columns

    rng = np.random.default_rng(1)
    values = rng.random((301, 40)) * 1000
    values[rng.random(values.shape) < 0.3] = np.nan  # did not happen in that run
    values[rng.random(values.shape) < 0.05] = np.inf  # never ended
    values[:, 3] = np.nan
    values[:, 7] = np.inf
    assert describe_columns(values) == [describe(values[:, column]) for column in range(40)]
