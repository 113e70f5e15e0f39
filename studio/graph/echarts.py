"""The systems graph as an Apache ECharts option (for the studio's interactive graph).

A plain JSON-compatible dict: nodes at the fixed positions of studio.graph.layout (``layout: none``,
so nothing is laid out in the browser and a change of colours never moves a node), pan and zoom
(``roam``), single selection, a legend, and one caption per group. Without ``states`` nodes are
coloured by system family; with ``states`` (studio.propagation.state_at) by their state at that
minute. Marker shapes always follow the system family.

``graph_option`` also returns the system id of each data index, so a click reported by the chart
(data indices) maps back to a system; group captions map to None.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from studio.graph.layout import GroupBy, group_centres
from studio.scenario.exercise_clock import Family

_HEXAGON = "path://M50 0 L93 25 L93 75 L50 100 L7 75 L7 25 Z"
_STAR = "path://M50 0 L61 35 L98 35 L68 57 L79 91 L50 70 L21 91 L32 57 L2 35 L39 35 Z"


SYSTEM_FAMILIES: tuple[Family, ...] = (
    Family("infrastructure", "#4e79a7", "rect", ("network", "virtualisation", "storage", "server")),
    Family("identity and security", "#e15759", "diamond", ("identity", "security", "credential")),
    Family("data and backup", "#76b7b2", "roundRect", ("database", "backup")),
    Family("applications", "#59a14f", "circle", ("application", "interface", "messaging")),
    Family("workstations and phones", "#edc948", "triangle", ("workstation", "telephony")),
    Family("clinical services", "#b07aa1", _HEXAGON, ("clinical_service",)),
    Family("devices and buildings", "#ff9da7", "pin", ("medical_device", "building")),
    Family("outside", "#9c755f", _STAR, ("cloud", "supplier", "internet")),
)
"""Eight families of system kinds, each with its own colour and ECharts marker (``shape``)."""
_FAMILY_OF_KIND = {kind: family for family in SYSTEM_FAMILIES for kind in family.kinds}

STATE_COLOURS: dict[str, str] = {
    "normal": "#c9d6e3",
    "compromised": "#f4a261",
    "encrypted": "#c1121f",
    "down": "#343a40",
    "degraded": "#e9c46a",
    "isolated": "#48cae4",
    "restoring": "#8ecae6",
    "restored": "#52b788",
}
"""Colours of the display states, in legend order."""

_EDGE_STYLE = {
    "reach": {"color": "#c1121f", "type": "solid", "opacity": 0.3, "width": 0.8},
    "depends": {"color": "#495057", "type": "dashed", "opacity": 0.45, "width": 0.8},
}


def system_family(kind: Any) -> Family:
    """The family of a system kind (an unknown kind counts as an application)."""
    return _FAMILY_OF_KIND.get(kind, SYSTEM_FAMILIES[3])


def display_state(state: Any) -> str:
    """One of STATE_COLOURS for a NodeState-like object: the most telling of its facts."""
    if state is None:
        return "normal"
    security = getattr(state, "security", "clean")
    function = getattr(state, "function", "up")
    if getattr(state, "isolated", False) or getattr(state, "shut_down", False):
        return "isolated"
    if security == "encrypted":
        return "encrypted"
    if function == "down":
        return "down"
    if security == "compromised":
        return "compromised"
    if function == "degraded":
        return "degraded"
    if security == "restoring":
        return "restoring"
    if security in ("restored", "reset"):
        return "restored"
    return "normal"


def neighbourhood(scenario: Mapping[str, Any], centre: str, depth: int = 1) -> set[str]:
    """Ids of the systems at most ``depth`` links away from ``centre`` (either direction)."""
    adjacent: dict[str, set[str]] = {}
    for system in scenario.get("systems") or []:
        if not isinstance(system, Mapping) or not isinstance(system.get("id"), str):
            continue
        adjacent.setdefault(system["id"], set())
        for link in system.get("links") or []:
            if isinstance(link, Mapping) and isinstance(link.get("target"), str):
                adjacent[system["id"]].add(link["target"])
                adjacent.setdefault(link["target"], set()).add(system["id"])
    if centre not in adjacent:
        return set()
    found, frontier = {centre}, {centre}
    for _ in range(max(depth, 0)):
        frontier = {other for node in frontier for other in adjacent.get(node, ())} - found
        found |= frontier
    return found


def search_systems(scenario: Mapping[str, Any], text: str, limit: int = 50) -> list[str]:
    """Ids of systems whose id, name, kind, site or zone contains ``text`` (case-insensitive)."""
    needle = text.strip().casefold()
    found = []
    for system in scenario.get("systems") or []:
        if not isinstance(system, Mapping) or not isinstance(system.get("id"), str):
            continue
        haystack = " ".join(str(system.get(field) or "") for field in ("id", "name", "kind", "site", "zone"))
        if needle in haystack.casefold():
            found.append(system["id"])
            if len(found) >= limit:
                break
    return found


def graph_option(
    scenario: Mapping[str, Any],
    positions: Mapping[str, tuple[float, float]],
    *,
    group_by: GroupBy = "site",
    states: Mapping[str, Any] | None = None,
    shown: Iterable[str] | None = None,
    selected: str | None = None,
    labels: bool = True,
    names: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[str | None]]:
    """The ECharts option of the graph and the system id of each node data index.

    ``shown`` limits the drawing to those ids (a neighbourhood of a large scenario); positions stay
    those of the whole graph. ``selected`` is drawn larger, with a thick border and its label.
    ``names`` gives the legend's wording of families and states (the interface language) and the
    captions of groups (an organisation's or a site's name rather than its id).
    """
    shown_name = dict(names or {})
    visible = None if shown is None else set(shown)
    systems = [
        system
        for system in scenario.get("systems") or []
        if isinstance(system, Mapping)
        and system.get("id") in positions
        and (visible is None or system["id"] in visible)
    ]
    if states is None:
        categories = [
            {"name": shown_name.get(family.name, family.name), "itemStyle": {"color": family.colour}}
            for family in SYSTEM_FAMILIES
        ]
        index_of = {family.name: index for index, family in enumerate(SYSTEM_FAMILIES)}
    else:
        categories = [
            {"name": shown_name.get(name, name), "itemStyle": {"color": colour}}
            for name, colour in STATE_COLOURS.items()
        ]
        index_of = {name: index for index, name in enumerate(STATE_COLOURS)}
    nodes: list[dict[str, Any]] = []
    ids: list[str | None] = []
    drawn = set()
    for system in systems:
        system_id = system["id"]
        family = system_family(system.get("kind"))
        category = family.name if states is None else display_state(states.get(system_id))
        x, y = positions[system_id]
        size = (10 if len(systems) <= 300 else 5) + 3 * int(system.get("criticality") or 2)
        node: dict[str, Any] = {
            "id": system_id,
            "name": str(system.get("name") or system_id),
            "x": x,
            "y": y,
            "category": index_of[category],
            "symbol": family.shape,
            "symbolSize": size,
            "value": shown_name.get(category, category),
        }
        if system_id == selected:
            node["symbolSize"] = size + 10
            node["itemStyle"] = {"borderColor": "#000000", "borderWidth": 3}
            node["label"] = {"show": True, "fontWeight": "bold", "fontSize": 13}
        nodes.append(node)
        ids.append(system_id)
        drawn.add(system_id)
    for name, (x, _, top) in sorted(group_centres({"systems": systems}, positions, group_by).items()):
        if group_by == "none":
            break
        nodes.append(
            {
                "id": f"group:{name}",
                "name": shown_name.get(name, name),
                "x": x,
                "y": top,
                # A transparent dot: a node without a symbol would not draw its label either.
                "symbol": "circle",
                "symbolSize": 2,
                "itemStyle": {"color": "rgba(0,0,0,0)"},
                "label": {
                    "show": True,
                    "position": "top",
                    "fontSize": 14,
                    "fontWeight": "bold",
                    "color": "#343a40",
                },
                "tooltip": {"show": False},
                "select": {"disabled": True},
                "emphasis": {"disabled": True},
            }
        )
        ids.append(None)
    links = []
    for system in systems:
        for link in system.get("links") or []:
            if not isinstance(link, Mapping) or link.get("target") not in drawn:
                continue
            kind = link.get("kind")
            # Drawn the way things flow, as in studio.graph.model: a failure flows dependency -> dependent.
            source, target = (
                (link["target"], system["id"]) if kind == "depends" else (system["id"], link["target"])
            )
            link_item: dict[str, Any] = {"source": source, "target": target}
            if kind != "reach":  # reach is the series' default style: fewer bytes to every rerun
                link_item["lineStyle"] = _EDGE_STYLE.get(kind, {})
            links.append(link_item)
    option = {
        "animation": False,
        "tooltip": {"trigger": "item", "formatter": "{b}<br/>{c}"},
        "legend": {"data": [category["name"] for category in categories], "top": 0, "type": "plain"},
        "series": [
            {
                "type": "graph",
                "layout": "none",
                "roam": True,
                "draggable": False,
                "selectedMode": "single",
                "categories": categories,
                "data": nodes,
                "links": links,
                "lineStyle": _EDGE_STYLE["reach"],
                "edgeSymbol": ["none", "arrow"],
                "edgeSymbolSize": 6,
                "label": {"show": labels, "position": "right", "fontSize": 10},
                "labelLayout": {"hideOverlap": True},
                "emphasis": {"focus": "adjacency", "label": {"show": True}},
                "select": {"itemStyle": {"borderColor": "#000000", "borderWidth": 3}},
                "scaleLimit": {"min": 0.2, "max": 12},
                "top": 56,
            }
        ],
    }
    return option, ids
