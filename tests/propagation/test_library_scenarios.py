"""The engine on the scenario library: every scenario yields a plausible story."""

from __future__ import annotations

import json

import pytest
from propagation_helpers import action, kinds_of, minute_of, reach, system

from studio.propagation import run_timeline
from studio.resources import library_dir
from studio.scenario.schema import validator

LIBRARY = sorted(library_dir().glob("*.json"))


@pytest.mark.skipif(not LIBRARY, reason="the scenario library is empty")
@pytest.mark.parametrize("path", LIBRARY, ids=lambda path: path.stem)
def test_library_scenario_tells_a_plausible_story(path) -> None:
    scenario = json.loads(path.read_text(encoding="utf-8"))
    timeline = run_timeline(scenario, seed=0)
    assert list(validator().iter_errors({**scenario, "timeline": timeline})) == []
    clinical = {s["id"] for s in scenario["systems"] if s["kind"] == "clinical_service"}
    first_access = minute_of(timeline, "initial_access")
    first_credential = minute_of(timeline, "credential_obtained")
    encryption = minute_of(timeline, "encrypted")
    assert first_access is not None and first_credential is not None and encryption is not None
    assert first_access <= first_credential <= encryption
    hit = [e for e in timeline["events"] if e["kind"] in ("down", "degraded") and e.get("node") in clinical]
    assert hit and min(e["minute"] for e in hit) >= first_access
    assert minute_of(timeline, "detected") is not None
    assert minute_of(timeline, "action") >= minute_of(timeline, "detected") or any(
        "at" in a["trigger"] for book in scenario.get("playbooks", []) for a in book["actions"]
    )
    assert minute_of(timeline, "restored") is not None


def test_isolated_systems_restart_without_waiting_but_rebuilds_wait(tiny) -> None:
    from propagation_helpers import depends

    systems = [
        system("a", "workstation", reach("dpi", "PT1H")),
        system("dpi", "application"),
        system("ed", "clinical_service", depends("dpi"), recovery_time={"dist": "fixed", "value": "PT30M"}),
        system("app", "application", depends("dpi")),
    ]
    actions = [
        action("close", "shutdown", "PT2H", targets=["ed"]),
        action("isolate", "isolate_node", "PT2H", targets=["dpi"]),
        action("reopen", "restore", "PT5H", targets=["ed", "app"]),
    ]
    timeline = tiny.run(systems, actions=actions)
    # ed was only shut down: it restarts at once (and stays down, dpi is still isolated)
    assert minute_of(timeline, "restore_started", "ed") == 300
    assert minute_of(timeline, "restored", "ed") == 330
    assert kinds_of(timeline, "ed")[-1] == "restored"
    # app is healthy and only down through its gate: nothing to restore
    assert kinds_of(timeline, "app") == ["down"]
