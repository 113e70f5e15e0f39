"""The systems graph as Graphviz DOT text (for st.graphviz_chart and exports).

The output is deterministic: nodes, clusters and edges come in scenario order, attributes in a
fixed order. Labels are escaped for DOT double-quoted strings, so names with quotes, backslashes,
accents or newlines are safe.

Drawing conventions: reach links are solid red arrows from attacker position to target;
depends links are dashed grey arrows from dependency to dependent (the way failure flows, as in
studio.graph.model). Credential nodes are yellow diamonds, clinical services blue-bordered
rounded boxes (double border), other systems boxes. With ``states`` (e.g. from
studio.propagation.state_at) nodes are filled by security state and bordered by function.
"""

from __future__ import annotations

from typing import Any, Literal

from studio.graph.model import build_graph

# Fill colour per security state and pen colour per function: a colour-blind-safe-ish palette.
SECURITY_FILL = {
    "clean": "#ffffff",
    "compromised": "#f4a261",
    "encrypted": "#d62828",
    "restoring": "#a8dadc",
    "restored": "#b7e4c7",
    "reset": "#e9ecef",
}
FUNCTION_PEN = {"up": "#2a9d8f", "degraded": "#e9c46a", "down": "#6c757d"}
SERVICE_FILL = {"up": "#ffffff", "degraded": "#fff3bf", "down": "#ffc9c9"}
_KIND_SHAPE = {
    "credential": 'shape=diamond, style="filled"',
    "clinical_service": 'shape=box, style="rounded,filled,bold", peripheries=2',
}
_DEFAULT_SHAPE = 'shape=box, style="filled"'
_EDGE_STYLE = {
    "reach": 'color="#c1121f", style=solid',
    "depends": 'color="#6c757d", style=dashed, arrowhead=empty',
}


def escape(text: object) -> str:
    """Return ``text`` as the inside of a DOT double-quoted string (quotes, backslashes, newlines)."""
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _quoted(text: object) -> str:
    return f'"{escape(text)}"'


def _state_fields(state: Any) -> tuple[str | None, str | None, bool]:
    """(security, function, isolated) of a NodeState-like object or a mapping."""
    if state is None:
        return None, None, False
    if isinstance(state, dict):
        return state.get("security"), state.get("function"), bool(state.get("isolated"))
    return (
        getattr(state, "security", None),
        getattr(state, "function", None),
        bool(getattr(state, "isolated", 0)),
    )


def _node_line(node: str, data: dict[str, Any], state: Any) -> str:
    kind = data.get("kind", "")
    # the name is escaped; the "\\n" added after it is DOT's own line break
    label = escape(data.get("name", node)) + (f"\\n({escape(kind)})" if kind else "")
    attributes = [f'label="{label}"', _KIND_SHAPE.get(kind, _DEFAULT_SHAPE)]
    security, function, isolated = _state_fields(state)
    if kind == "clinical_service":
        fill = SERVICE_FILL.get(function or "up", "#ffffff")
    elif kind == "credential" and security in (None, "clean"):
        fill = "#ffe066"
    else:
        fill = SECURITY_FILL.get(security or "clean", "#ffffff")
    attributes.append(f'fillcolor="{fill}"')
    if function is not None:
        attributes.append(f'color="{FUNCTION_PEN.get(function, "#000000")}"')
        if function != "up":
            attributes.append("penwidth=2.5")
    if isolated:
        attributes.append('xlabel="isolated"')
    tooltip = f"{node}: {security or 'clean'}, {function or 'up'}" if state is not None else node
    attributes.append(f"tooltip={_quoted(tooltip)}")
    return f"{_quoted(node)} [{', '.join(attributes)}];"


def to_dot(
    scenario: dict[str, Any],
    *,
    states: dict[str, Any] | None = None,
    cluster_by: Literal["site", "zone"] | None = "site",
    include_kinds: set[str] | frozenset[str] | list[str] | None = None,
) -> str:
    """Return the DOT text of the scenario's systems graph.

    ``states`` maps system ids to NodeState (or dicts with security / function / isolated) to
    colour the nodes. ``cluster_by`` groups nodes in boxes by their ``site`` or ``zone`` field
    (nodes without one stay outside); None draws no clusters. ``include_kinds`` keeps only the
    systems of these kinds (and the edges between kept systems). Same input, same text.
    """
    graph = build_graph(scenario)
    kept = [
        node for node, kind in graph.nodes(data="kind") if include_kinds is None or kind in set(include_kinds)
    ]
    kept_set = set(kept)
    states = states or {}
    lines = [
        "digraph systems {",
        '  graph [rankdir=LR, fontname="Helvetica", newrank=true, compound=true];',
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=8];',
    ]
    groups: dict[str, list[str]] = {}
    loose = []
    for node in kept:
        group = graph.nodes[node].get(cluster_by) if cluster_by else None
        if isinstance(group, str):
            groups.setdefault(group, []).append(node)
        else:
            loose.append(node)
    for number, (group, members) in enumerate(groups.items()):
        lines.append(f"  subgraph cluster_{number} {{")
        lines.append(f'    label={_quoted(f"{cluster_by}: {group}")}; style="rounded"; color="#adb5bd";')
        lines += [f"    {_node_line(node, graph.nodes[node], states.get(node))}" for node in members]
        lines.append("  }")
    lines += [f"  {_node_line(node, graph.nodes[node], states.get(node))}" for node in loose]
    for source, target, data in graph.edges(data=True):
        if source not in kept_set or target not in kept_set:
            continue
        link = data.get("link", {})
        attributes = [_EDGE_STYLE[data["kind"]]]
        tooltip = link.get("technique") or link.get("note") or ""
        if link.get("requires"):
            attributes.append(f"label={_quoted('needs ' + link['requires'])}")
        if link.get("grace"):
            attributes.append(f"label={_quoted('grace ' + link['grace'])}")
        if tooltip:
            attributes.append(f"tooltip={_quoted(tooltip)}")
        lines.append(f"  {_quoted(source)} -> {_quoted(target)} [{', '.join(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
