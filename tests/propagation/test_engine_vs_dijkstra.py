"""Independent reference: with OR semantics only and no defender, earliest compromise times are
single-source shortest paths, so they must equal networkx's Dijkstra exactly."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from studio.propagation.compiled import compile_scenario
from studio.propagation.draws import draw
from studio.propagation.reference import simulate
from studio.propagation.synthetic import hospital_scenario

_SHAPES = (
    {"dist": "lognormal", "median": "PT3H", "p90": "PT20H"},
    {"dist": "triangular", "min": "PT0S", "mode": "PT2H", "max": "PT9H"},
    {"dist": "uniform", "min": "PT10M", "max": "PT5H"},
    {"dist": "fixed", "value": "PT0S"},
)


def _randomise(scenario: dict, seed: int) -> dict:
    """Give the OR-only graph random distributions and retries (still no credential, no defender)."""
    rng = random.Random(seed)
    for system in scenario["systems"]:
        for link in system.get("links", []):
            if link["kind"] == "reach" and rng.random() < 0.6:
                link["delay"] = rng.choice(_SHAPES)
                if rng.random() < 0.3:
                    link["p_success"] = rng.choice([0.2, 0.5, 0.9])
                    link["max_attempts"] = rng.randint(1, 4)
    return scenario


@pytest.mark.parametrize("seed", range(6))
def test_earliest_compromise_equals_networkx_dijkstra(seed: int) -> None:
    scenario = _randomise(
        hospital_scenario(150 + 40 * seed, full=False, seed=seed, out_degree=3 + seed), seed
    )
    model = compile_scenario(scenario)
    draws = draw(model, None, seed)
    events = simulate(model, draws, None)
    engine = {}
    for time, kind, node in zip(events.time, events.kind, events.node, strict=True):
        assert kind in ("initial_access", "compromised", "credential_obtained")
        engine[model.ids[node]] = time

    # The reference graph is built from the same drawn delays, independently of the engine's
    # data structures: a super-source reaches each initial access after its start time.
    graph = nx.DiGraph()
    for arc, delay in enumerate(draws.reach_delay.tolist()):
        if delay == float("inf"):
            continue  # every attempt failed: the movement never succeeds
        u, v = model.ids[model.reach_src[arc]], model.ids[model.reach_dst[arc]]
        if not graph.has_edge(u, v) or graph[u][v]["weight"] > delay:
            graph.add_edge(u, v, weight=delay)
    for node, at in model.initial_access:
        graph.add_edge("<start>", model.ids[node], weight=at)
    expected = nx.single_source_dijkstra_path_length(graph, "<start>")
    expected.pop("<start>")
    assert engine == expected
