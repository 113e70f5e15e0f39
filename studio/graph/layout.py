"""Stable node positions for the interactive systems graph, grouped by organisation, site or zone.

Positions are computed once per graph structure and grouping (cached), so a view that only changes
colours (the simulation's time slider) or a selection never moves a node. Each group gets its own
disc, laid out with networkx's seeded spring layout; the discs are placed on a grid, largest group
first. Same structure, same positions.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Literal

import networkx as nx

GroupBy = Literal["organisation", "site", "zone", "none"]
GROUP_FIELDS: tuple[GroupBy, ...] = ("organisation", "site", "zone", "none")
NO_GROUP = "(none)"

# Layout units: one node needs about NODE_SPACING units; groups are separated by a margin.
NODE_SPACING = 40.0
GROUP_MARGIN = 60.0


def structure_key(scenario: Mapping[str, Any], group_by: GroupBy) -> str:
    """A digest of what positions depend on: system ids, their group and their links' targets."""
    parts = []
    for system in scenario.get("systems") or []:
        if not isinstance(system, Mapping) or not isinstance(system.get("id"), str):
            continue
        targets = sorted(
            str(link.get("target"))
            for link in system.get("links") or []
            if isinstance(link, Mapping) and isinstance(link.get("target"), str)
        )
        group = str(system.get(group_by) or NO_GROUP) if group_by != "none" else NO_GROUP
        parts.append([system["id"], group, targets])
    return hashlib.sha256(json.dumps([group_by, parts]).encode()).hexdigest()


def group_of(system: Mapping[str, Any], group_by: GroupBy) -> str:
    """The group a system is drawn in."""
    if group_by == "none":
        return NO_GROUP
    return str(system.get(group_by) or NO_GROUP)


def _group_positions(members: list[str], edges: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """Spring layout of one group around (0, 0), scaled so nodes keep about NODE_SPACING apart."""
    if len(members) == 1:
        return {members[0]: (0.0, 0.0)}
    graph = nx.Graph()
    graph.add_nodes_from(members)
    graph.add_edges_from(edges)
    radius = NODE_SPACING * math.sqrt(len(members)) * 0.6
    # A circle start keeps the seeded result independent of set ordering; k spreads isolated nodes.
    start = nx.circular_layout(members)
    raw = nx.spring_layout(graph, pos=start, seed=7, iterations=60, k=1.6 / math.sqrt(len(members)))
    return {node: (float(x) * radius, float(y) * radius) for node, (x, y) in raw.items()}


@lru_cache(maxsize=32)
def _cached_layout(key: str, payload: str) -> dict[str, tuple[float, float]]:
    del key  # part of the cache key only: payload already holds everything
    groups: dict[str, list[str]] = json.loads(payload)["groups"]
    edges = [tuple(edge) for edge in json.loads(payload)["edges"]]
    laid: list[tuple[str, dict[str, tuple[float, float]], float]] = []
    for name, members in groups.items():
        member_set = set(members)
        inner = [(a, b) for a, b in edges if a in member_set and b in member_set]
        positions = _group_positions(members, inner)
        extent = max((math.hypot(x, y) for x, y in positions.values()), default=0.0) + NODE_SPACING
        laid.append((name, positions, extent))
    laid.sort(key=lambda item: (-len(item[1]), item[0]))
    columns = max(1, math.ceil(math.sqrt(len(laid))))
    cell = 2 * max((extent for _, _, extent in laid), default=NODE_SPACING) + GROUP_MARGIN
    result: dict[str, tuple[float, float]] = {}
    for index, (_, positions, _) in enumerate(laid):
        row, column = divmod(index, columns)
        centre_x, centre_y = column * cell, row * cell
        for node, (x, y) in positions.items():
            result[node] = (round(centre_x + x, 1), round(centre_y + y, 1))
    return result


def node_positions(scenario: Mapping[str, Any], group_by: GroupBy = "site") -> dict[str, tuple[float, float]]:
    """System id -> (x, y), grouped by ``group_by``; cached per structure, so stable across calls."""
    groups: dict[str, list[str]] = {}
    edges: list[list[str]] = []
    ids = set()
    for system in scenario.get("systems") or []:
        if isinstance(system, Mapping) and isinstance(system.get("id"), str) and system["id"] not in ids:
            ids.add(system["id"])
            groups.setdefault(group_of(system, group_by), []).append(system["id"])
    for system in scenario.get("systems") or []:
        if not isinstance(system, Mapping) or system.get("id") not in ids:
            continue
        for link in system.get("links") or []:
            if isinstance(link, Mapping) and link.get("target") in ids:
                edges.append([system["id"], link["target"]])
    payload = json.dumps({"groups": groups, "edges": edges})
    return dict(_cached_layout(structure_key(scenario, group_by), payload))


def group_centres(
    scenario: Mapping[str, Any], positions: Mapping[str, tuple[float, float]], group_by: GroupBy
) -> dict[str, tuple[float, float, float]]:
    """Group name -> (x, y of its centre, y of its top edge), for the group captions."""
    members: dict[str, list[tuple[float, float]]] = {}
    for system in scenario.get("systems") or []:
        if isinstance(system, Mapping) and system.get("id") in positions:
            members.setdefault(group_of(system, group_by), []).append(positions[system["id"]])
    return {
        name: (
            sum(x for x, _ in points) / len(points),
            sum(y for _, y in points) / len(points),
            min(y for _, y in points) - NODE_SPACING,
        )
        for name, points in members.items()
    }
