"""Build the systems graph of a scenario.

The graph is a ``networkx.MultiDiGraph`` with one node per scenario system and one edge per link.

Edge direction is the direction in which *something flows*:

* ``reach`` links go from the system holding the link (where the attacker stands) to its ``target``
  (what the attacker can compromise next): the attack flows source -> target.
* ``depends`` links are held by the *dependent* system and name its dependency as ``target``. The
  edge is drawn **dependency -> dependent**, the direction in which a failure flows: when the
  dependency goes down, the dependent may follow.

Every edge carries ``kind`` ("reach" or "depends") and ``link`` (the link dict as written in the
scenario), under the edge key ``"<holder id>#<link index>"`` so that parallel links stay distinct
and the key points back to the JSON path ``/systems/<i>/links/<link index>``.

The builder tolerates invalid documents (it runs inside the validator): systems without a usable
id, duplicated ids (the first one wins), links that are not objects, unknown kinds and dangling
targets are skipped rather than raising.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx
# networkx is imported by the functions that build graphs: the validator reads only the constants
# and system_entries, and `crisis-studio validate` starts ~0.1 s sooner without networkx.

LINK_KINDS = ("reach", "depends")

# Kinds that legitimately sit outside the failure cascade: credentials are only reached, clinical
# services only depend on others.
UNTOUCHED_EXEMPT_KINDS = frozenset({"credential", "clinical_service"})


def system_entries(scenario: Any) -> list[tuple[str, dict[str, Any]]]:
    """(id, system dict) pairs of the usable systems, first occurrence of each id only."""
    systems = scenario.get("systems") if isinstance(scenario, dict) else None
    if not isinstance(systems, list):
        return []
    seen: set[str] = set()
    entries = []
    for system in systems:
        if not isinstance(system, dict):
            continue
        system_id = system.get("id")
        if not isinstance(system_id, str) or system_id in seen:
            continue
        seen.add(system_id)
        entries.append((system_id, system))
    return entries


def build_graph(scenario: dict[str, Any]) -> nx.MultiDiGraph:
    """Return the systems graph of ``scenario``.

    Nodes are system ids; node attributes are the system's fields except ``links``. Edges follow the
    rules in the module docstring: ``reach`` holder -> target, ``depends`` target (dependency) ->
    holder (dependent). Anything unusable (dangling ids, wrong types) is skipped; this function never
    raises on a dict, whatever it holds.
    """
    import networkx as nx

    graph = nx.MultiDiGraph()
    entries = system_entries(scenario)
    for system_id, system in entries:
        graph.add_node(system_id, **{key: value for key, value in system.items() if key != "links"})
    for system_id, system in entries:
        links = system.get("links")
        if not isinstance(links, list):
            continue
        for index, link in enumerate(links):
            if not isinstance(link, dict):
                continue
            kind, target = link.get("kind"), link.get("target")
            if kind not in LINK_KINDS or not isinstance(target, str) or target not in graph:
                continue
            source, sink = (system_id, target) if kind == "reach" else (target, system_id)
            graph.add_edge(source, sink, key=f"{system_id}#{index}", kind=kind, link=link)
    return graph


def depends_subgraph(graph: nx.MultiDiGraph) -> nx.DiGraph:
    """The simple directed graph of ``depends`` edges only (dependency -> dependent), all nodes kept."""
    import networkx as nx

    subgraph = nx.DiGraph()
    subgraph.add_nodes_from(graph.nodes)
    subgraph.add_edges_from((u, v) for u, v, kind in graph.edges(data="kind") if kind == "depends")
    return subgraph


def dependency_cycles(graph: nx.MultiDiGraph) -> list[list[str]]:
    """Groups of systems that depend on each other in a cycle.

    Returns the strongly connected components with more than one node of the ``depends`` edges, each
    sorted by id, the list sorted by its first id (deterministic). A self-dependency (a system that
    depends on itself) is not reported here. Such groups cannot be restored one after the other
    without a ``bootstrap`` system (e.g. directory and DNS).
    """
    import networkx as nx

    components = nx.strongly_connected_components(depends_subgraph(graph))
    return sorted((sorted(component) for component in components if len(component) > 1), key=lambda c: c[0])


def untouched_systems(graph: nx.MultiDiGraph) -> list[str]:
    """Systems nothing can happen to, sorted by id.

    A system is untouched when it has no ``depends`` edge in or out (it neither needs nor serves
    anything) and no ``reach`` edge coming in (the attacker cannot get there). Credential nodes and
    clinical services are excluded, since by design they sit at the edges of the graph.
    """
    found = []
    for node, kind in graph.nodes(data="kind"):
        if kind in UNTOUCHED_EXEMPT_KINDS:
            continue
        has_depends = any(
            data == "depends"
            for _, _, data in (*graph.in_edges(node, data="kind"), *graph.out_edges(node, data="kind"))
        )
        reached = any(data == "reach" for _, _, data in graph.in_edges(node, data="kind"))
        if not has_depends and not reached:
            found.append(node)
    return sorted(found)
