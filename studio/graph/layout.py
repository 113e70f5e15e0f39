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
SMALL_GROUP = 16
"""Groups up to this size are drawn on a circle; larger ones with a spring layout."""


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
    """Layout of one group around (0, 0), nodes about NODE_SPACING apart.

    A small group sits on a circle in document order. A larger one gets a seeded spring layout,
    then each node keeps its direction from the centre but its distance is evened out by rank, so
    the disc is filled evenly: a dense core of linked nodes no longer collapses into one blot.
    """
    count = len(members)
    if count == 1:
        return {members[0]: (0.0, 0.0)}
    if count <= SMALL_GROUP:
        radius = max(NODE_SPACING * count / (2 * math.pi), NODE_SPACING)
        return {
            node: (
                radius * math.cos(2 * math.pi * index / count - math.pi / 2),
                radius * math.sin(2 * math.pi * index / count - math.pi / 2),
            )
            for index, node in enumerate(members)
        }
    graph = nx.Graph()
    graph.add_nodes_from(members)
    graph.add_edges_from(edges)
    start = nx.circular_layout(members)  # a fixed start: the result does not depend on set order
    raw = nx.spring_layout(graph, pos=start, seed=7, iterations=60, k=1.4 / math.sqrt(count))
    centre_x = sum(x for x, _ in raw.values()) / count
    centre_y = sum(y for _, y in raw.values()) / count
    ranked = sorted(
        members, key=lambda node: (math.hypot(raw[node][0] - centre_x, raw[node][1] - centre_y), node)
    )
    radius = NODE_SPACING * math.sqrt(count) * 0.75
    positions = {}
    for rank, node in enumerate(ranked):
        angle = math.atan2(raw[node][1] - centre_y, raw[node][0] - centre_x)
        distance = radius * math.sqrt((rank + 0.5) / count)
        positions[node] = (distance * math.cos(angle), distance * math.sin(angle))
    return positions


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
