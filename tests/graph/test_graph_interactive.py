"""Interactive graph: stable grouped positions (networkx) and the ECharts option built from them."""

from __future__ import annotations

import copy
import json
import math

from studio.graph.echarts import (
    STATE_COLOURS,
    SYSTEM_FAMILIES,
    display_state,
    graph_option,
    neighbourhood,
    search_systems,
)
from studio.graph.layout import NODE_SPACING, node_positions
from studio.propagation import run_timeline, state_at
from studio.propagation.synthetic import hospital_scenario


def test_positions_are_stable_and_grouped() -> None:
    doc = hospital_scenario(150)
    first = node_positions(doc, "zone")
    assert first == node_positions(copy.deepcopy(doc), "zone"), "same structure, same positions"
    assert set(first) == {system["id"] for system in doc["systems"]}
    # Renaming a system or changing its criticality does not move anything.
    edited = copy.deepcopy(doc)
    edited["systems"][5]["name"] = "Renamed"
    edited["systems"][5]["criticality"] = 1
    assert node_positions(edited, "zone") == first
    # Each zone is a disc of its own: no system is closer to another zone's centre than to its own.
    zones: dict[str, list[tuple[float, float]]] = {}
    for system in doc["systems"]:
        zones.setdefault(system["zone"], []).append(first[system["id"]])
    centres = {
        zone: (sum(x for x, _ in p) / len(p), sum(y for _, y in p) / len(p)) for zone, p in zones.items()
    }
    for system in doc["systems"]:
        x, y = first[system["id"]]
        nearest = min(centres, key=lambda zone: math.dist((x, y), centres[zone]))
        assert nearest == system["zone"]


def test_nodes_do_not_pile_up() -> None:
    doc = hospital_scenario(150)
    positions = list(node_positions(doc, "zone").values())
    closest = min(math.dist(a, b) for i, a in enumerate(positions) for b in positions[i + 1 :])
    assert closest > NODE_SPACING / 10


def test_option_is_json_with_fixed_positions_legend_and_one_id_per_node() -> None:
    doc = hospital_scenario(150)
    positions = node_positions(doc, "zone")
    option, ids = graph_option(doc, positions, group_by="zone", selected="vpn")
    json.dumps(option)  # JSON-compatible, as st.echarts_chart needs
    series = option["series"][0]
    assert series["layout"] == "none" and series["roam"] and not option["animation"]
    assert option["legend"]["data"] == [family.name for family in SYSTEM_FAMILIES]
    assert len(series["data"]) == len(ids)
    systems = [node for node, system_id in zip(series["data"], ids, strict=True) if system_id is not None]
    assert len(systems) == 150 and all((node["x"], node["y"]) == positions[node["id"]] for node in systems)
    assert {
        node["name"] for node, system_id in zip(series["data"], ids, strict=True) if system_id is None
    } == {system["zone"] for system in doc["systems"]}
    selected = next(node for node in systems if node["id"] == "vpn")
    assert selected["itemStyle"]["borderWidth"] == 3 and selected["label"]["show"]


def test_states_change_colours_only() -> None:
    doc = hospital_scenario(150)
    positions = node_positions(doc, "zone")
    timeline = run_timeline(doc, seed=0)
    early, _ = graph_option(doc, positions, group_by="zone", states=state_at(doc, timeline, 0))
    late, _ = graph_option(doc, positions, group_by="zone", states=state_at(doc, timeline, 10**9))
    assert early["legend"]["data"] == list(STATE_COLOURS)

    def where(option: dict) -> list:
        return [(node["id"], node["x"], node["y"]) for node in option["series"][0]["data"]]

    assert where(early) == where(late)
    assert early["series"][0]["links"] == late["series"][0]["links"]
    assert [node.get("value") for node in early["series"][0]["data"]] != [
        node.get("value") for node in late["series"][0]["data"]
    ]


def test_display_state_picks_the_most_telling_fact() -> None:
    from studio.propagation.timeline import NodeState

    assert display_state(None) == "normal"
    assert display_state(NodeState("encrypted", "down")) == "encrypted"
    assert display_state(NodeState("compromised", "down")) == "down"
    assert display_state(NodeState("compromised", "up", isolated=True)) == "isolated"
    assert display_state(NodeState("restored", "up")) == "restored"


def test_neighbourhood_and_search_for_large_scenarios() -> None:
    doc = hospital_scenario(1000)
    around = neighbourhood(doc, "vpn", 1)
    assert "vpn" in around and 1 < len(around) < 1000
    assert neighbourhood(doc, "vpn", 2) >= around
    assert neighbourhood(doc, "nowhere", 2) == set()
    option, ids = graph_option(doc, node_positions(doc, "zone"), group_by="zone", shown=around)
    assert {system_id for system_id in ids if system_id} == around
    assert all(link["source"] in around and link["target"] in around for link in option["series"][0]["links"])
    assert search_systems(doc, "VPN") == ["vpn"]
    assert len(search_systems(doc, "wo", limit=7)) == 7
