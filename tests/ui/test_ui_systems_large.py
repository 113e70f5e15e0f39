"""The Systems page with a 500-system scenario: filtered graph, working edits.

How fast it reruns is measured by benchmarks/studio_page.py (issue 3 asks for under 1 s), not here:
timing assertions in tests fail on loaded machines and prove nothing about the code.
"""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest
from studio_app import go, seed_edits, shown_text

from studio.propagation.synthetic import hospital_scenario


def test_systems_page_handles_500_systems(app: AppTest) -> None:
    scenario = hospital_scenario(500)
    app.file_uploader(key="upload").upload(
        "big.json", json.dumps(scenario).encode(), "application/json"
    ).run()
    go(app, "systems")
    # The graph opens filtered on one group, so it stays readable.
    assert f"of {len(scenario['systems'])} systems shown" in shown_text(app)
    assert app.get("graphviz_chart")
    seed_edits(app, "systems", edited_rows={0: {"name": "Internet (edited)"}})
    app.run()
    assert not app.exception
    assert app.session_state["doc"]["systems"][0]["name"] == "Internet (edited)"
