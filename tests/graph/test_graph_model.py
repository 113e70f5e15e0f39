"""studio.graph.model: edge directions, tolerance of broken documents, cycles and untouched systems."""

from __future__ import annotations

from studio.graph.model import build_graph, dependency_cycles, untouched_systems


def _system(system_id: str, kind: str = "server", *links: dict) -> dict:
    return {"id": system_id, "name": system_id, "kind": kind, "links": list(links)}


def test_reach_edges_follow_the_attacker_and_depends_edges_follow_failure() -> None:
    scenario = {
        "systems": [
            _system(
                "ws",
                "workstation",
                {"kind": "reach", "target": "srv", "delay": {"dist": "fixed", "value": "PT1H"}},
            ),
            _system("srv", "server", {"kind": "depends", "target": "ad"}),
            _system("ad", "identity"),
        ]
    }
    graph = build_graph(scenario)
    assert sorted((u, v, kind) for u, v, kind in graph.edges(data="kind")) == [
        ("ad", "srv", "depends"),
        ("ws", "srv", "reach"),
    ]
    assert graph.nodes["srv"]["kind"] == "server" and "links" not in graph.nodes["srv"]
    # the edge key points back to the link in the document
    assert set(graph["ad"]["srv"]) == {"srv#0"}
    assert graph["ad"]["srv"]["srv#0"]["link"] == {"kind": "depends", "target": "ad"}


def test_parallel_links_stay_distinct() -> None:
    reach = {"kind": "reach", "target": "b", "delay": {"dist": "fixed", "value": "PT1H"}}
    graph = build_graph(
        {"systems": [_system("a", "server", reach, dict(reach, technique="RDP")), _system("b")]}
    )
    assert graph.number_of_edges("a", "b") == 2


def test_broken_documents_never_raise_and_unusable_parts_are_skipped() -> None:
    for junk in ({}, {"systems": 3}, {"systems": [None, 1, "x", {"id": 5}, {"name": "no id"}]}, []):
        assert build_graph(junk).number_of_nodes() == 0
    scenario = {
        "systems": [
            _system(
                "a", "server", {"kind": "reach", "target": "ghost"}, {"kind": "teleport", "target": "b"}, 7
            ),
            {"id": "b", "kind": "server", "links": "not a list"},
            _system("a", "identity"),  # duplicate id: the first one wins
        ]
    }
    graph = build_graph(scenario)
    assert sorted(graph.nodes) == ["a", "b"]
    assert graph.number_of_edges() == 0
    assert graph.nodes["a"]["kind"] == "server"


def test_dependency_cycles_are_the_strongly_connected_groups_of_depends() -> None:
    scenario = {
        "systems": [
            _system("ad", "identity", {"kind": "depends", "target": "dns"}),
            _system("dns", "identity", {"kind": "depends", "target": "dhcp"}),
            _system("dhcp", "network", {"kind": "depends", "target": "ad"}),
            _system("dpi", "application", {"kind": "depends", "target": "ad"}),
            # a reach cycle is not a dependency cycle
            _system(
                "x", "server", {"kind": "reach", "target": "y", "delay": {"dist": "fixed", "value": "PT1H"}}
            ),
            _system(
                "y", "server", {"kind": "reach", "target": "x", "delay": {"dist": "fixed", "value": "PT1H"}}
            ),
        ]
    }
    assert dependency_cycles(build_graph(scenario)) == [["ad", "dhcp", "dns"]]


def test_untouched_systems_exclude_credentials_and_clinical_services() -> None:
    delay = {"dist": "fixed", "value": "PT1H"}
    scenario = {
        "systems": [
            _system("ws", "workstation", {"kind": "reach", "target": "srv", "delay": delay}),
            _system("srv"),
            _system("lonely"),
            _system("feeder", "server"),
            _system("app", "application", {"kind": "depends", "target": "feeder"}),
            _system("da", "credential"),
            _system("ed", "clinical_service"),
        ]
    }
    # ws only attacks (nothing reaches it, no dependency): untouched; srv is reached; feeder serves app
    assert untouched_systems(build_graph(scenario)) == ["lonely", "ws"]
