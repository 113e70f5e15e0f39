"""studio.graph.dot: escaping, determinism, filtering, clusters and state colours."""

from __future__ import annotations

import copy

from studio.graph.dot import SECURITY_FILL, escape, to_dot
from studio.propagation import run_timeline, state_at
from studio.propagation.synthetic import hospital_scenario


def test_escape_handles_quotes_backslashes_newlines_and_accents() -> None:
    assert escape('Accès "DPI" \\ C:\\temp\nligne') == 'Accès \\"DPI\\" \\\\ C:\\\\temp\\nligne'


def test_labels_with_quotes_cannot_break_out_of_their_string() -> None:
    scenario = hospital_scenario(30)
    scenario["systems"][0]["name"] = 'Pare-feu "périmètre" ]; evil [x="'
    text = to_dot(scenario)
    line = next(line for line in text.splitlines() if line.strip().startswith('"internet"'))
    # the name's quotes are escaped, so the line still ends with the attribute list closing
    assert '\\"périmètre\\" ]; evil [x=\\"' in line
    assert line.endswith("];")


def test_same_input_same_text_and_input_untouched() -> None:
    scenario = hospital_scenario(60)
    before = copy.deepcopy(scenario)
    assert to_dot(scenario) == to_dot(copy.deepcopy(scenario))
    assert scenario == before


def test_include_kinds_and_clusters() -> None:
    scenario = hospital_scenario(60)
    text = to_dot(scenario, include_kinds={"clinical_service", "application"}, cluster_by="zone")
    assert '"svc-ed"' in text and '"dpi"' in text and '"ad"' not in text
    assert 'label="zone: care"' in text
    # depends edges between kept nodes are drawn dependency -> dependent, dashed
    assert '"dpi" -> "svc-ed" [color="#6c757d", style=dashed' in text
    assert "subgraph" not in to_dot(scenario, cluster_by=None)


def test_states_colour_the_nodes() -> None:
    scenario = hospital_scenario(60)
    # the first seed whose run reaches the detonation (domain admin is not obtained in every run)
    timeline = next(
        t
        for t in (run_timeline(scenario, seed=seed) for seed in range(50))
        if any(e["kind"] == "encrypted" for e in t["events"])
    )
    end = timeline["events"][-1]["minute"]
    states = state_at(scenario, timeline, end)
    text = to_dot(scenario, states=states)
    encrypted = [node for node, state in states.items() if state.security == "encrypted"]
    line = next(line for line in text.splitlines() if line.strip().startswith(f'"{encrypted[0]}" ['))
    assert f'fillcolor="{SECURITY_FILL["encrypted"]}"' in line
    assert "penwidth=2.5" in line  # encrypted systems are down
