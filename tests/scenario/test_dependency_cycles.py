"""The dependency cycles found in Python (validate without scipy) are networkx's strong components."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from studio.scenario.validate import _strong_groups


def _reference(nodes: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    groups = [sorted(group) for group in nx.strongly_connected_components(graph) if len(group) > 1]
    return sorted(groups, key=lambda group: group[0])


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_get_the_strong_components(seed: int) -> None:
    rng = random.Random(seed)
    nodes = [f"s{index}" for index in range(rng.randint(1, 60))]
    edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(rng.randint(0, 90))]
    assert _strong_groups(nodes, edges) == _reference(nodes, edges)


def test_a_long_chain_closed_into_a_ring_needs_no_recursion() -> None:
    nodes = [f"s{index:05d}" for index in range(50_000)]
    edges = [(nodes[index], nodes[(index + 1) % len(nodes)]) for index in range(len(nodes))]
    assert _strong_groups(nodes, edges) == [nodes]
    assert _strong_groups(nodes, edges[:-1]) == []
